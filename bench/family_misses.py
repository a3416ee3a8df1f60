"""List what one tuned card family's cards are misread as, framing by framing.

For diagnosis on tuned families only: draws ``--count`` cards per seed (fronts and backs in turn)
of ``--family`` in each ``--framing`` with ``idcard_ocr.synth.dataset.draw_sample``, reads them
with the real recogniser, and prints each wrong field with its expected and read value and
whether it was marked valid (a silent error). The held-out family is refused: its misses are
not to be looked at one by one. The cards are synthetic; no real person's data is printed.

    .venv/bin/python bench/family_misses.py --family ledger --framing cut margin --seeds 31 77
    .venv/bin/python bench/family_misses.py --family vivid --framing photo --count 30
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from idcard_ocr.synth.dataset import draw_sample  # noqa: E402
from idcard_ocr.synth.families import FAMILIES  # noqa: E402
from idcard_ocr.synth.photo import PHOTO_CONDITIONS  # noqa: E402
from idcard_ocr.synth.scoring import answer_from, score_one  # noqa: E402

# ``photo`` stands for the accuracy bench's photo set: its conditions and all four rotations in turn.
PHOTO_MIX: tuple[str, ...] = (*PHOTO_CONDITIONS, "desk")
ROTATIONS: tuple[int, ...] = (0, 90, 180, 270)


def condition_of(framing: str, i: int) -> tuple[str, int]:
    """(condition, rotation) of card ``i``: ``photo`` cycles through the photo set's mix so that
    a count of a few dozen meets every condition and rotation; any other framing is upright."""
    if framing != "photo":
        return framing, 0
    return PHOTO_MIX[i % len(PHOTO_MIX)], ROTATIONS[(i // 2) % len(ROTATIONS)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--family", default="ledger")
    parser.add_argument("--framing", nargs="+", default=["cut", "margin"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[31, 77])
    parser.add_argument("--count", type=int, default=20, help="cards per seed and framing")
    parser.add_argument("--out", type=Path, help="write the misses as JSON here")
    args = parser.parse_args()
    family = FAMILIES.get(args.family)
    if family is None or not family.tuned:
        parser.error(f"{args.family!r} is not a tuned family: only tuned families are diagnosed here")

    from idcard_ocr.pipeline import load_recognizer

    recognizer = load_recognizer(threads=1)
    report: list[dict[str, Any]] = []
    for framing in args.framing:
        cards = ok = silent = 0
        kinds: Counter[str] = Counter()
        for seed in args.seeds:
            for i in range(args.count):
                side = "front" if i % 2 == 0 else "back"
                condition, rotate = condition_of(framing, i)
                sample = draw_sample(
                    args.family, condition, side, seed=f"{seed}:{i}", rotate=rotate,
                    file=f"{seed}-{i}-{side}-{condition}-{rotate}",
                )
                recognition = recognizer.recognize(sample.jpeg)
                outcome = score_one(sample.truth, answer_from(recognition, None))
                cards += 1
                ok += outcome.all_ok
                silent += not outcome.honest
                for miss in outcome.misses:
                    field = miss["field"]
                    flag = "SILENT" if outcome.silent.get(field) else ""
                    if outcome.legible is False:
                        flag += "(illeg)"
                    kinds[field] += 1
                    report.append({**miss, "framing": framing, "silent": bool(outcome.silent.get(field))})
                    print(f"{framing:7s} {miss['file']:28s} {field:12s} {flag:13s} "
                          f"want {miss['expected']!r} got {miss['got']!r}")  # fmt: skip
        print(f"== {args.family} {framing}: {ok}/{cards} whole cards, {silent} with a silent error; "
              f"misses by field {dict(kinds)}")  # fmt: skip
    if args.out:
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
