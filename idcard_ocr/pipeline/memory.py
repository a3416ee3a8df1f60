"""Handing freed memory back to the system, so that a long-running process stays its own size.

glibc keeps what the pipeline frees (a detection's buffers, a photo's copies) for reuse, and its
heap grows by tens of MB over a few dozen photos; the process's peak is a detection's buffers on
top of that. ``malloc_trim`` returns it, at the price of fresh pages for the next allocations:
worth it before a large detection and when the process has grown well past its last trim, not
after every photo.
"""

from __future__ import annotations

import ctypes
import functools
import os
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (musl, macOS)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


def release_freed_memory() -> None:
    """Return the memory the C allocator holds free to the system, where it can."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def resident_bytes() -> int:
    """This process's resident memory now, in bytes (0 where ``/proc`` cannot tell)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
