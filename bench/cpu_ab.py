"""CPU time per photo of two versions of the recogniser, interleaved photo by photo.

    python bench/cpu_ab.py BEFORE_ROOT AFTER_ROOT               # the speed set's 200 photos
    python bench/cpu_ab.py BEFORE_ROOT AFTER_ROOT --pages 4     # also tuned copy pages (all cards)

Each root is a checkout of the project (its ``idcard_ocr`` is imported from there). Both run at
once in their own process, on one onnxruntime thread; each photo is read by one and then by the
other, the order swapped every photo, so that the machine's drift (another job starting, a
slower hour) falls on both alike. Reports the process CPU time (``process_time``), which a
shared machine disturbs less than wall-clock time: totals, medians, and the median of the
per-photo ratios, for single photos by side and for pages.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = """
import sys, time
from datetime import date
from idcard_ocr.pipeline import load_recognizer
from idcard_ocr.pipeline.multi import read_page
recognizer = load_recognizer(threads=1)
today = date(2026, 12, 7)
print("ready", flush=True)
for line in sys.stdin:
    kind, path = line.rstrip("\\n").split("\\t")
    image = open(path, "rb").read()
    started = time.process_time()
    if kind == "page":
        read_page(recognizer, image, all_cards=True, today=today)
    else:
        recognizer.recognize(image, today)
    print(f"{(time.process_time() - started) * 1000:.3f}", flush=True)
"""


def _child(root: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    process = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True, env=env, cwd=str(root))
    assert process.stdout is not None
    if process.stdout.readline().strip() != "ready":
        raise RuntimeError(f"the recogniser under {root} did not start")
    return process


def _ask(process: subprocess.Popen[str], kind: str, path: Path) -> float:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(f"{kind}\t{path}\n")
    process.stdin.flush()
    return float(process.stdout.readline())


def _photos(pages: int, scratch: Path) -> list[tuple[str, str, Path]]:
    """(group, kind, path): the speed set by side, then tuned copy pages written to ``scratch``."""
    sys.path.insert(0, str(ROOT / "bench"))
    from answers_hash import PAGE_FAMILIES, _page_jpeg
    from speed import photo_set

    directory = photo_set(200, 2024)
    photos = [(record["side"], "card", directory / record["file"])
              for record in json.loads((directory / "truth.json").read_text(encoding="utf-8"))]
    for family in PAGE_FAMILIES:
        for i in range(pages):
            path = scratch / f"{family}-{i}.jpg"
            path.write_bytes(_page_jpeg((family, 31, i, pages)))
            photos.append(("page", "page", path))
    return photos


def _summary(name: str, before: list[float], after: list[float]) -> str:
    ratios = [a / b for a, b in zip(after, before, strict=True) if b > 0]
    return (f"{name:<6}{len(before):>5}  total {sum(before) / 1000:7.1f} -> {sum(after) / 1000:7.1f} s"
            f" ({sum(after) / sum(before) - 1:+.1%})  median {statistics.median(before):6.1f} ->"
            f" {statistics.median(after):6.1f} ms  median ratio {statistics.median(ratios):.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--pages", type=int, default=0, help="tuned copy pages per family (seed 31)")
    parser.add_argument("--count", type=int, default=200, help="photos of the speed set to use")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        photos = _photos(args.pages, Path(scratch))
        cards = [p for p in photos if p[1] == "card"][: args.count]
        photos = cards + [p for p in photos if p[1] == "page"]
        children = [_child(args.before.resolve()), _child(args.after.resolve())]
        times: dict[str, tuple[list[float], list[float]]] = {}
        for index, (group, kind, path) in enumerate(photos):
            order = (0, 1) if index % 2 == 0 else (1, 0)
            got = [0.0, 0.0]
            for which in order:
                got[which] = _ask(children[which], kind, path)
            for key in (group, "all" if kind == "card" else "pages"):
                times.setdefault(key, ([], []))
                times[key][0].append(got[0])
                times[key][1].append(got[1])
        for child in children:
            assert child.stdin is not None
            child.stdin.close()
            child.wait()
    for name, (before, after) in times.items():
        print(_summary(name, before, after))
    return 0


if __name__ == "__main__":
    sys.exit(main())
