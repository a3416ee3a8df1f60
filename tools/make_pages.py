"""Regenerate the committed multi-card test set ``tests/data/pages/`` (seeded, deterministic).

Two photocopy pages and two desk photos, each holding the front and the back of one identity,
with ``truth.json`` (each photo's cards in reading order). Run: ``python tools/make_pages.py``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from idcard_ocr.synth.fonts import FontsMissingError
from idcard_ocr.synth.page import generate_pages

SEED = 20261201
OUT_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "pages"


def main() -> int:
    shutil.rmtree(OUT_DIR, ignore_errors=True)
    try:
        records = generate_pages(OUT_DIR, per_kind=2, seed=SEED)
    except FontsMissingError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"wrote {len(records)} photos and truth.json to {OUT_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
