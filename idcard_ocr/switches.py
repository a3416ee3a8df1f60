"""The operator's two global switches, a value several parts share.

Storage keeps them, ``limits`` caches them across workers, the service obeys them (500 and 604)
and the command line sets them; none of those needs another to know their shape.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Switches:
    maintenance: bool = False  # True: every request gets 500
    product_enabled: bool = True  # False: every request gets 604
