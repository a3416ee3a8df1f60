"""Regenerate the committed test set ``tests/data/cards/`` (seeded, deterministic).

Each case names what it covers, so the set is guaranteed to hold: both sides in every rotation,
clean scans and tilted photos, a dotted minority name, a rare-character name, a number ending in
X, 1- and 3-line addresses, a long-term (长期) back, photos stored sideways with an EXIF
orientation tag, text that is not a card and a photo with no text.
Run: ``python tools/make_testset.py [--out DIR]``.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path
from typing import Any

from idcard_ocr.synth.dataset import non_card_case, photo_case, write_truth
from idcard_ocr.synth.identities import make_identity

SEED = 20260601
OUT_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "cards"
MAX_SIDE = 1280  # small enough to commit; big enough to read

# (side, condition, rotate, identity overrides)
CASES: tuple[tuple[str, str, int, dict[str, Any]], ...] = (
    ("front", "clean", 0, {}),
    ("front", "clean", 90, {"address_lines": 3}),
    ("front", "clean", 180, {"name_kind": "dot"}),
    ("front", "clean", 270, {"x_check": True}),
    ("front", "held", 0, {"name_kind": "dot"}),
    ("front", "tilt", 90, {"name_kind": "rare"}),
    ("front", "tilt", 0, {"x_check": True}),
    ("front", "clutter", 0, {"address_lines": 3}),
    ("front", "phone", 180, {"address_lines": 1}),
    ("front", "light", 270, {}),
    ("front", "blur", 0, {}),
    ("front", "glare", 90, {"address_lines": 1}),
    ("front", "colour", 0, {"name_kind": "rare"}),
    ("front", "photocopy", 0, {}),
    ("front", "lowres", 0, {}),
    ("front", "noise", 270, {}),
    ("front", "exif", 90, {}),
    ("back", "clean", 0, {"long_term": True}),
    ("back", "clean", 90, {}),
    ("back", "clean", 180, {}),
    ("back", "clean", 270, {"long_term": True}),
    ("back", "held", 0, {}),
    ("back", "tilt", 90, {"long_term": True}),
    ("back", "tilt", 180, {}),
    ("back", "clutter", 270, {}),
    ("back", "light", 0, {}),
    ("back", "blur", 0, {}),
    ("back", "glare", 0, {}),
    ("back", "colour", 90, {}),
    ("back", "photocopy", 0, {"long_term": True}),
    ("back", "noise", 0, {}),
    ("back", "exif", 0, {}),
)


def make_testset(out_dir: Path = OUT_DIR) -> list[dict[str, Any]]:
    """Write every case and ``truth.json`` into ``out_dir`` (emptied first); return the records."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    records = []
    counters = {"front": 0, "back": 0}
    for index, (side, condition, rotate, overrides) in enumerate(CASES):
        counters[side] += 1
        identity = make_identity(random.Random(f"{SEED}:identity:{index}"), **overrides)
        records.append(
            photo_case(
                out_dir,
                f"{side}_{counters[side]:04d}.jpg",
                identity,
                side,  # type: ignore[arg-type]
                condition,
                rotate,
                seed=f"{SEED}:photo:{index}",
                max_side=MAX_SIDE,
            )
        )
    records.append(non_card_case(out_dir, "not_card", f"{SEED}:not_card", MAX_SIDE))
    records.append(non_card_case(out_dir, "no_text", f"{SEED}:no_text", MAX_SIDE))
    write_truth(out_dir, records)
    return records


def main() -> int:
    """Command-line entry: write the set and print its size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args()
    records = make_testset(args.out)
    total = sum(p.stat().st_size for p in args.out.iterdir())
    print(f"wrote {len(records)} photos to {args.out} ({total / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
