"""Hash the recogniser's answers on a fixed list of photos, to prove a change leaves them alone.

    python bench/answers_hash.py --out bench/out/answers-before.json
    python bench/answers_hash.py --out bench/out/answers-after.json
    python bench/answers_hash.py --compare bench/out/answers-before.json bench/out/answers-after.json

The photos: the speed benchmark's set (``bench/speed.py``, seed 2024), the tuned families'
accuracy sets (``bench/family_sets.py``: clean, cut and photo, on a diagnosis seed) and tuned
copy pages read with ``read_page(all_cards=True)``. The held-out family is never read here.

Each answer is hashed twice: ``answer`` (side, rotate, fields, validity: what a caller is told)
and ``exact`` (also each field's confidence and box, the card's quad and the page's order),
which shows whether a change is bit-for-bit neutral or only neutral in what it answers. Only
hashes and the photo's name are written: no field values (they would be names and numbers).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

PAGE_FAMILIES = ("classic", "vivid", "warm", "greyscan", "ledger")


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def _rounded(points: Any) -> Any:
    return None if points is None else [[round(float(x), 2), round(float(y), 2)] for x, y in points]


def answer_of(recognition: Any) -> dict[str, Any]:
    """What a caller is told about one card: side, rotation, fields and their checks."""
    return {
        "text_found": recognition.text_found,
        "side": recognition.side,
        "rotate": recognition.rotate,
        "info": dict(recognition.info),
        "validity": dict(recognition.validity),
    }


def exact_of(recognition: Any) -> dict[str, Any]:
    """The answer and everything measured along with it (confidences, boxes, the card's quad)."""
    fields = {
        key: [f.text, round(float(f.confidence), 6), _rounded(f.box), f.source]
        for key, f in recognition.fields.items()
    }
    return {**answer_of(recognition), "fields": fields, "quad": _rounded(recognition.card_quad)}


def photo_list(count: int, seed: int, pages: int) -> list[tuple[str, str, Any]]:
    """(name, kind, source) of every photo: kind ``card`` (a file) or ``page`` (drawn on demand)."""
    from bench.family_sets import build_family_sets
    from bench.speed import photo_set

    photos: list[tuple[str, str, Any]] = []
    speed = photo_set(200, 2024)
    for record in json.loads((speed / "truth.json").read_text(encoding="utf-8")):
        photos.append((f"speed/{record['file']}", "card", speed / record["file"]))
    for name, directory, truth in build_family_sets(OUT, ROOT, count, seed, False, ("tuned",)):
        for record in truth:
            photos.append((f"{name}/{record['file']}", "card", directory / record["file"]))
    for family in PAGE_FAMILIES:
        for i in range(pages):
            photos.append((f"copy/{family}/{seed}:{i}", "page", (family, seed, i, pages)))
    return photos


def _page_jpeg(source: tuple[str, int, int, int]) -> bytes:
    from idcard_ocr.synth.identities import make_identities
    from idcard_ocr.synth.page import make_page

    family, seed, i, count = source
    identity = make_identities(count, seed=seed)[i]
    return make_page(identity, "copy", f"{seed}:copy:{family}:{i}", family=family, rough=i % 2 == 1).jpeg


def run(args: argparse.Namespace) -> int:
    from datetime import date

    from idcard_ocr.pipeline import load_recognizer
    from idcard_ocr.pipeline.multi import read_page

    recognizer = load_recognizer(threads=1)
    today = date(2026, 12, 7)  # fixed: a term that runs out must not change the hash overnight
    results: dict[str, Any] = {}
    cpu_total = 0.0
    for name, kind, source in photo_list(args.count, args.seed, args.pages):
        image = source.read_bytes() if kind == "card" else _page_jpeg(source)
        cpu = time.process_time()
        if kind == "card":
            cards = [recognizer.recognize(image, today)]
        else:
            cards = read_page(recognizer, image, all_cards=True, today=today).cards
        cpu_ms = (time.process_time() - cpu) * 1000
        cpu_total += cpu_ms
        results[name] = {
            "answer": _digest([answer_of(c) for c in cards]),
            "exact": _digest([exact_of(c) for c in cards]),
            "cpu_ms": round(cpu_ms, 1),
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"{len(results)} photos hashed to {args.out}; CPU {cpu_total / 1000:.1f} s")
    return 0


def compare(before_path: Path, after_path: Path) -> int:
    before = json.loads(before_path.read_text(encoding="utf-8"))
    after = json.loads(after_path.read_text(encoding="utf-8"))
    shared = sorted(set(before) & set(after))
    answer = [n for n in shared if before[n]["answer"] != after[n]["answer"]]
    exact = [n for n in shared if before[n]["exact"] != after[n]["exact"]]
    cpu_b = sum(before[n]["cpu_ms"] for n in shared)
    cpu_a = sum(after[n]["cpu_ms"] for n in shared)
    print(f"{len(shared)} photos in both; answers differ on {len(answer)}, exact readings on {len(exact)}")
    print(f"CPU (not interleaved, indicative only): {cpu_b / 1000:.1f} s -> {cpu_a / 1000:.1f} s")
    for name in answer:
        print(f"  answer differs: {name}")
    for name in exact:
        if name not in answer:
            print(f"  exact reading differs: {name}")
    return 1 if answer else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, help="where to write the hashes")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--count", type=int, default=40, help="cards per tuned accuracy set")
    parser.add_argument("--seed", type=int, default=31, help="a diagnosis seed (31 or 77)")
    parser.add_argument("--pages", type=int, default=4, help="copy pages per tuned family")
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    if args.out is None:
        parser.error("--out or --compare is required")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
