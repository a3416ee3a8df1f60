"""Draw a dozen sample synthetic photos and tile them into ``docs/contact-sheet.png``.

    python bench/contact_sheet.py [--samples DIR] [--sheet PATH] [--truth]

The samples (JPEG + truth.json) go to ``samples/``; ``--truth`` outlines each photo's true card
quad (green, with a dot on the upright card's top-left corner) and field boxes (blue).
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from idcard_ocr.synth.dataset import photo_case, write_truth  # noqa: E402
from idcard_ocr.synth.identities import make_identity  # noqa: E402

SEED = 12
TILE = (320, 240)
COLUMNS = 4
# (side, condition, rotate, identity overrides): the clean scans first, then varied photos.
SAMPLES = (
    ("front", "clean", 0, {"address_lines": 3}),
    ("back", "clean", 0, {}),
    ("front", "tilt", 0, {"name_kind": "dot"}),
    ("back", "tilt", 90, {"long_term": True}),
    ("front", "clutter", 0, {}),
    ("front", "phone", 270, {"name_kind": "rare"}),
    ("back", "glare", 0, {}),
    ("front", "light", 180, {}),
    ("front", "blur", 0, {"x_check": True}),
    ("back", "photocopy", 0, {}),
    ("front", "held", 90, {}),
    ("front", "lowres", 0, {}),
)


def _tile(path: Path, caption: str, record: dict, draw_truth: bool) -> np.ndarray:
    image = cv2.imread(str(path))
    if draw_truth:
        line = max(2, image.shape[1] // 300)
        for box in record["fields"].values():
            cv2.polylines(image, [np.array(box, np.int32)], True, (255, 80, 0), line)
        cv2.polylines(image, [np.array(record["quad"], np.int32)], True, (0, 200, 0), line)
        cv2.circle(image, tuple(int(v) for v in record["quad"][0]), 4 * line, (0, 200, 0), -1)
    height, width = image.shape[:2]
    scale = min(TILE[0] / width, (TILE[1] - 20) / height)
    small = cv2.resize(image, (int(width * scale), int(height * scale)), interpolation=cv2.INTER_AREA)
    tile = np.full((TILE[1], TILE[0], 3), 255, np.uint8)
    x, y = (TILE[0] - small.shape[1]) // 2, (TILE[1] - 20 - small.shape[0]) // 2
    tile[y : y + small.shape[0], x : x + small.shape[1]] = small
    cv2.putText(tile, caption, (6, TILE[1] - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (40, 40, 40), 1, cv2.LINE_AA)
    return tile


def main() -> int:
    """Write the samples and the sheet; print where they went."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=ROOT / "samples")
    parser.add_argument("--sheet", type=Path, default=ROOT / "docs" / "contact-sheet.png")
    parser.add_argument("--truth", action="store_true", help="outline the true quad and field boxes")
    args = parser.parse_args()
    args.samples.mkdir(parents=True, exist_ok=True)
    records, tiles = [], []
    for index, (side, condition, rotate, overrides) in enumerate(SAMPLES):
        identity = make_identity(random.Random(f"{SEED}:identity:{index}"), **overrides)
        file = f"{index + 1:02d}_{side}_{condition}.jpg"
        record = photo_case(args.samples, file, identity, side, condition, rotate, f"{SEED}:photo:{index}")  # type: ignore[arg-type]
        records.append(record)
        caption = f"{side} / {condition}" + (f" / cw{rotate}" if rotate else "")
        tiles.append(_tile(args.samples / file, caption, record, args.truth))
    write_truth(args.samples, records)
    rows = [np.hstack(tiles[i : i + COLUMNS]) for i in range(0, len(tiles), COLUMNS)]
    args.sheet.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(args.sheet), np.vstack(rows), [cv2.IMWRITE_PNG_COMPRESSION, 9])
    print(f"wrote {len(records)} samples to {args.samples} and {args.sheet}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
