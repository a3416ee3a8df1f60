"""Imports every sub-command module so that it registers itself on ``main``."""

from idcard_ocr.cli import accounts, db, keys, service, usage  # noqa: F401  # storage commands
from idcard_ocr.cli import scan as _scan  # noqa: F401  # scan photos on disk
from idcard_ocr.cli import serve as _serve  # noqa: F401  # serve, demo
