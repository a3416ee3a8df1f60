"""Accuracy of the recogniser on synthetic cards, split by photo condition.

    python bench/accuracy.py            # >= 200 fronts and 200 backs per group (clean, photo)
    python bench/accuracy.py --small    # 20 + 20 per group, for a quick look
    python bench/accuracy.py --dir tests/data/cards   # score an existing set with truth.json
    python bench/accuracy.py --fake     # check the harness with a recogniser that returns the truth

Sets are generated once into ``bench/out/sets/`` and reused while the generator's code is
unchanged (and while their truth records carry ``legibility``; older sets are redrawn). Prints
per-field exact-match rates, all-fields-correct, side and rotation rates by condition, each
condition's share of the set, the silent-error rate of each field (value wrong but marked valid:
the failure a KYC client cannot see), and every miss (synthetic data, so printing the values is
fine); writes ``bench/out/accuracy.json``.

Photos are also split into ``photo-legible`` and ``photo-illegible`` by the generator's own
verdict (characters too small or too blurred for a person; see ``idcard_ocr.synth.legibility``).
On illegible photos a reading is not expected: the figure that matters there is the honest
refusal rate, photos where no value is wrong yet marked valid.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from idcard_ocr.domain.nations import NATIONS  # noqa: E402
from idcard_ocr.pipeline.types import Recognition, Recognizer  # noqa: E402
from idcard_ocr.synth.dataset import generate_set, non_card_case, read_truth, write_truth  # noqa: E402
from idcard_ocr.synth.photo import PHOTO_CONDITIONS  # noqa: E402
from idcard_ocr.synth.scoring import answer_from, format_table, report, score_one  # noqa: E402

OUT = ROOT / "bench" / "out"
GROUP_MIXES: dict[str, dict[str, float]] = {
    "clean": {"clean": 1.0},
    "photo": {c: 1.0 for c in PHOTO_CONDITIONS},
}


class TruthRecognizer:
    """Returns the answer key: proves the harness scores 100% when the recogniser is perfect."""

    def __init__(self, records: list[dict[str, Any]], directory: Path) -> None:
        self._by_digest = {
            hashlib.sha256((directory / r["file"]).read_bytes()).hexdigest(): r for r in records
        }

    def recognize(self, image: bytes) -> Recognition:
        truth = self._by_digest[hashlib.sha256(image).hexdigest()]
        if truth.get("kind") == "no_text":
            return Recognition(text_found=False)
        info = dict(truth["info"])
        validity = {k: True for k in info} if info else {}
        return Recognition(True, truth["side"], truth["rotate"], info, validity, timings_ms={"total": 0.0})


def _generator_fingerprint() -> str:
    # A cached set is reused only while the code that draws it is unchanged.
    digest = hashlib.sha256()
    for path in sorted((ROOT / "idcard_ocr" / "synth").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _is_current(directory: Path, fingerprint: str) -> bool:
    # Drawn by this generator, and every card record says whether a person could read it.
    stamp = directory / "generator.txt"
    if not stamp.exists() or stamp.read_text() != fingerprint or not (directory / "truth.json").exists():
        return False
    return all("legibility" in r for r in read_truth(directory) if r.get("kind") is None)


def build_sets(count: int, seed: int, regenerate: bool) -> list[tuple[Path, list[dict[str, Any]]]]:
    """The cached (or freshly written) clean, photo and not-card sets."""
    fingerprint = _generator_fingerprint()
    sets: list[tuple[Path, list[dict[str, Any]]]] = []
    for group, mix in GROUP_MIXES.items():
        directory = OUT / "sets" / f"{group}-{count}-s{seed}"
        stamp = directory / "generator.txt"
        if regenerate or not _is_current(directory, fingerprint):
            print(f"generating {group}: {count} fronts + {count} backs in {directory} ...", flush=True)
            generate_set(directory, count, count, mix, seed=seed + len(sets), progress=True)
            stamp.write_text(fingerprint)
        sets.append((directory, read_truth(directory)))
    directory = OUT / "sets" / f"not_card-{count}-s{seed}"
    stamp = directory / "generator.txt"
    if regenerate or not stamp.exists() or stamp.read_text() != fingerprint:
        directory.mkdir(parents=True, exist_ok=True)
        records = [
            non_card_case(directory, kind, f"{seed}:{kind}:{i}", file=f"{kind}_{i:03d}.jpg")
            for kind in ("not_card", "no_text")
            for i in range(max(2, count // 20))
        ]
        write_truth(directory, records)
        stamp.write_text(fingerprint)
    sets.append((directory, read_truth(directory)))
    return sets


def run(
    recognizer: Recognizer, sets: list[tuple[Path, list[dict[str, Any]]]], workers: int
) -> dict[str, Any]:
    """Recognise every photo and score it."""
    jobs = [(directory, record) for directory, records in sets for record in records]

    def one(job: tuple[Path, dict[str, Any]]) -> Any:
        directory, record = job
        record = {**record, "file": f"{directory.name}/{record['file']}"}  # names repeat across sets
        try:
            recognition = recognizer.recognize((directory / job[1]["file"]).read_bytes())
            return score_one(record, answer_from(recognition, recognition.timings_ms.get("total")))
        except Exception as exc:  # one failure is a miss, not the end of the benchmark
            return score_one(record, None, error=f"{type(exc).__name__}: {exc}")

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = []
        for i, outcome in enumerate(pool.map(one, jobs), start=1):
            outcomes.append(outcome)
            if i % 100 == 0:
                print(f"recognised {i}/{len(jobs)}", flush=True)
    result = report(outcomes)
    result["wall_s"] = round(time.perf_counter() - started, 1)
    return result


def main() -> int:
    """Command-line entry; returns the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="20 fronts + 20 backs per group")
    parser.add_argument("--count", type=int, help="fronts (and backs) per group; default 200")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--dir", type=Path, help="score this existing set instead of generating")
    parser.add_argument("--regenerate", action="store_true", help="redraw the cached sets")
    parser.add_argument("--fake", action="store_true", help="use a recogniser that returns the truth")
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime threads per model")
    parser.add_argument("--workers", type=int, default=1, help="photos recognised at once")
    parser.add_argument("--max-misses", type=int, default=80, help="misses to print (all go to the JSON)")
    parser.add_argument("--out", type=Path, default=OUT / "accuracy.json")
    args = parser.parse_args()

    count = args.count or (20 if args.small else 200)
    sets = [(args.dir, read_truth(args.dir))] if args.dir else build_sets(count, args.seed, args.regenerate)
    nations = {r["info"].get("nation") for _, records in sets for r in records if r["side"] == "front"}
    missing = [n for n in NATIONS if n not in nations]
    if args.fake:
        recognizer: Recognizer = _FakeForAll(sets)
    else:
        from idcard_ocr.pipeline import load_recognizer

        recognizer = load_recognizer(threads=args.threads)
    result = run(recognizer, sets, args.workers)
    result["recognizer"] = "fake (returns the truth)" if args.fake else "idcard_ocr.pipeline"
    result["nations_missing"] = missing
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")

    print(format_table(result))
    covered = f"nations in the set: {len(NATIONS) - len(missing)}/{len(NATIONS)}"
    print(covered + (f" (missing {len(missing)}, e.g. {''.join(missing[:5])})" if missing else ""))
    if result["illegible_share_of_photos"] is None:
        print("no legibility in this set's truth: photos not split into legible and illegible")
    timing = result["timing_ms"]
    spread = f"mean {timing['mean']} p50 {timing['p50']} p90 {timing['p90']}"
    print(f"time per photo ms: {spread}; wall {result['wall_s']} s (noisy on a shared machine)")
    misses = result["misses"]
    print(f"misses: {len(misses)}" + (f" (first {args.max_misses})" if len(misses) > args.max_misses else ""))
    for miss in misses[: args.max_misses]:
        print(
            f"  {miss['file']:<34} {miss['field']:<10} expected {miss['expected']!r:<34} got {miss['got']!r}"
        )
    silent = result["silent_misses"]
    print(f"silent errors (wrong but marked valid): {len(silent)}")
    for miss in silent[: args.max_misses]:
        print(
            f"  {miss['file']:<34} {miss['field']:<10} expected {miss['expected']!r:<34} got {miss['got']!r}"
        )
    print(f"wrote {args.out}")
    return 0


class _FakeForAll:
    """A TruthRecognizer over several set folders."""

    def __init__(self, sets: list[tuple[Path, list[dict[str, Any]]]]) -> None:
        self._parts = [TruthRecognizer(records, directory) for directory, records in sets]

    def recognize(self, image: bytes) -> Recognition:
        for part in self._parts:
            try:
                return part.recognize(image)
            except KeyError:
                continue
        raise KeyError("photo not in any set")


if __name__ == "__main__":
    sys.exit(main())
