"""Speed and memory of the recogniser against the stock rapidocr pipeline, on the same photos.

    python bench/speed.py               # 60 synthetic photos (cached in bench/out/speed/)
    python bench/speed.py --count 200   # more photos; --stock-default adds stock with all threads

Each variant runs in its own subprocess, so its peak RSS (``ru_maxrss``) is its own:

* ``ours-1t``      — ``load_recognizer(threads=1)``: bytes -> fields, onnxruntime on one thread;
* ``ours-default`` — the same with onnxruntime's default thread count;
* ``stock-1t``     — ``rapidocr.RapidOCR`` (defaults, one thread) + our keyword parser;
* ``stock-default``— the same with rapidocr's default threads (only with ``--stock-default``).

Every variant warms up on one photo first, then times each photo from bytes to fields. Prints a
table (median, p90, peak RSS, exact-field rate, stock/ours ratio) and writes
``bench/out/speed.json``. Timings are wall-clock on a possibly shared machine: compare runs made
back to back, not across days.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))


def photo_set(count: int, seed: int) -> Path:
    """The cached synthetic photo set (half fronts, half backs), generated on first use."""
    directory = OUT / "speed" / f"photos-{count}-s{seed}"
    if not (directory / "truth.json").is_file():
        from idcard_ocr.synth.dataset import generate_set

        print(f"generating {count} photos in {directory} ...", flush=True)
        generate_set(directory, count - count // 2, count // 2, seed=seed, progress=True)
    return directory


def peak_rss_kb() -> int:
    """This process's peak resident memory in KiB.

    ``VmHWM`` belongs to the process image, whereas Linux carries ``ru_maxrss`` across
    ``execve``: a child started by a parent that once grew large would report the parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _stock_recognize(engine: Any, image: bytes) -> dict[str, str]:
    from idcard_ocr.pipeline.parse import OcrLine, parse_ocr_lines

    output = engine(image)
    lines = []
    for text, box in zip(output.txts or (), output.boxes if output.boxes is not None else (), strict=False):
        lines.append(OcrLine(str(text), float(box[0][0]), float(box[0][1])))
    return parse_ocr_lines(lines)[1]


def run_variant(variant: str, directory: Path) -> dict[str, Any]:
    """Time one variant over every card photo in ``directory`` (runs in the child process)."""
    truth = [r for r in json.loads((directory / "truth.json").read_text(encoding="utf-8")) if r.get("quad")]
    # Each photo is read from disk just before its timing starts, as a service receives one
    # upload at a time: 200 photos held at once would add their 20 MB to the peak measured.
    photos = [directory / r["file"] for r in truth]
    if variant.startswith("ours"):
        from idcard_ocr.contract.card import data_of
        from idcard_ocr.pipeline import load_recognizer

        recognizer = load_recognizer(threads=1 if variant == "ours-1t" else 0)

        def recognize(image: bytes) -> dict[str, str]:
            return dict(data_of(recognizer.recognize(image))["info"])  # type: ignore[call-overload]
    else:
        from rapidocr import RapidOCR

        params = {"EngineConfig.onnxruntime.intra_op_num_threads": 1} if variant == "stock-1t" else None
        engine = RapidOCR(params=params)

        def recognize(image: bytes) -> dict[str, str]:
            return _stock_recognize(engine, image)

    recognize(photos[0].read_bytes())  # warm-up: graph initialisation is a start-up cost, not a per-photo one
    times, fields_right, fields_total = [], 0, 0
    for record, path in zip(truth, photos, strict=True):
        image = path.read_bytes()
        started = time.perf_counter()
        info = recognize(image)
        times.append((time.perf_counter() - started) * 1000)
        for key, value in record["info"].items():
            fields_total += 1
            fields_right += info.get(key) == value
    times.sort()
    return {
        "variant": variant,
        "photos": len(times),
        "median_ms": round(statistics.median(times), 1),
        "p90_ms": round(times[int(0.9 * (len(times) - 1))], 1),
        "peak_rss_mb": round(peak_rss_kb() / 1024, 1),
        "field_exact": round(fields_right / max(fields_total, 1), 4),
    }


def main() -> int:
    """Run every variant in a subprocess and report."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--count", type=int, default=60, help="photos in the set (at least 50 for a fair median)"
    )
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--stock-default", action="store_true", help="also time stock rapidocr on all threads"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_variant(args.child, Path(args.dir))))
        return 0

    directory = photo_set(args.count, args.seed)
    variants = ["ours-1t", "ours-default", "stock-1t"] + (["stock-default"] if args.stock_default else [])
    results = []
    for variant in variants:
        print(f"running {variant} ...", flush=True)
        child = subprocess.run(
            [sys.executable, __file__, "--child", variant, "--dir", str(directory)],
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
    ours = next(r for r in results if r["variant"] == "ours-1t")
    stock = next(r for r in results if r["variant"] == "stock-1t")
    ratio = round(stock["median_ms"] / ours["median_ms"], 2)
    print(f"\n{len(results)} variants on {ours['photos']} photos from {directory.relative_to(ROOT)}")
    print(f"{'variant':<14}{'median ms':>11}{'p90 ms':>9}{'peak RSS MB':>13}{'fields exact':>14}")
    for r in results:
        print(
            f"{r['variant']:<14}{r['median_ms']:>11}{r['p90_ms']:>9}{r['peak_rss_mb']:>13}{r['field_exact']:>14.2%}"
        )
    print(f"stock-1t / ours-1t median: {ratio}x")
    OUT.mkdir(parents=True, exist_ok=True)
    report = {"photos_dir": str(directory.relative_to(ROOT)), "variants": results, "stock_over_ours": ratio}
    (OUT / "speed.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
