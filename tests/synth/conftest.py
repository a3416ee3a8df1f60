"""Shared names for the synthetic-card tests (drawing needs fonts: see ``tests/fonts.py``)."""

from __future__ import annotations

from pathlib import Path

CARDS_DIR = Path(__file__).resolve().parent.parent / "data" / "cards"
