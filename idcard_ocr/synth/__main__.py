"""``python -m idcard_ocr.synth --out DIR --front N --back N --seed S [--families A,B]``: write a set."""

from __future__ import annotations

import argparse
import sys

from idcard_ocr.synth.dataset import generate_set
from idcard_ocr.synth.families import FAMILIES
from idcard_ocr.synth.fonts import FontsMissingError
from idcard_ocr.synth.photo import MAX_SIDE


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, write the set, print a one-line summary; 2 when fonts are missing."""
    parser = argparse.ArgumentParser(prog="python -m idcard_ocr.synth", description=__doc__)
    parser.add_argument("--out", required=True, help="folder to write images and truth.json into")
    parser.add_argument("--front", type=int, default=10, help="number of portrait-side photos")
    parser.add_argument("--back", type=int, default=10, help="number of emblem-side photos")
    parser.add_argument("--seed", type=int, default=0, help="same seed, same bytes")
    parser.add_argument("--max-side", type=int, default=MAX_SIDE, help="longest photo side in pixels")
    parser.add_argument(
        "--families", default="classic", help=f"card families, drawn in turn ({', '.join(FAMILIES)})"
    )
    args = parser.parse_args(argv)
    families = tuple(name.strip() for name in args.families.split(",") if name.strip())
    unknown = [name for name in families if name not in FAMILIES]
    if unknown or not families:
        parser.error(f"unknown card family: {', '.join(unknown) or '(none)'}")
    try:
        records = generate_set(
            args.out,
            args.front,
            args.back,
            seed=args.seed,
            max_side=args.max_side,
            progress=True,
            families=families,
        )
    except FontsMissingError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"wrote {len(records)} photos and truth.json to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
