"""One small interface over onnxruntime, and the three PP-OCR models behind it.

* ``OnnxModel`` — a CPU session created once per process (per model and thread count) and shared;
  ``run`` is safe to call from several threads (onnxruntime sessions are).
* ``TextRecognizer.read(crop)`` — one text line in, ``LineReading`` out: CTC greedy decoding on the
  model's own character list, with the top-k alternatives at every output position so that later
  stages can use domain knowledge (check characters, dates) to choose among them.
* ``TextDetector.detect(img, max_side)`` — DB text detection; used to tell "no text at all" from
  "text but no card" and as a fallback when no card is found.
* ``LineOrientationClassifier`` — 0 vs 180 degrees for a text line.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

from idcard_ocr.pipeline.memory import release_freed_memory
from idcard_ocr.pipeline.models import (
    LINE_ORIENTATION,
    TEXT_DETECTOR,
    TEXT_RECOGNIZER,
    ModelFile,
    model_path,
)

Quad = np.ndarray  # float32 array of shape (4, 2): TL, TR, BR, BL

REC_HEIGHT = 48
_sessions: dict[tuple[Path, int], OnnxModel] = {}
_sessions_lock = threading.Lock()


class OnnxModel:
    """An onnxruntime CPU session with one input and one output."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        # No growing arena: inputs vary in size (line widths, the second reader's page), and the
        # arena keeps the largest it ever served. Measured on 200 photos, one thread: peak RSS
        # 275 MB without it against 330 MB with it, at the same median time.
        options.enable_cpu_mem_arena = False
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name
        self.metadata: dict[str, str] = dict(self.session.get_modelmeta().custom_metadata_map)

    def run(self, batch: np.ndarray) -> np.ndarray:
        """Run the model on one float32 batch and return its first output."""
        return np.asarray(self.session.run(None, {self.input_name: batch})[0])


def shared_model(model: ModelFile, threads: int = 1) -> OnnxModel:
    """The process-wide session for ``model`` at ``threads`` intra-op threads (created on first use)."""
    path = model_path(model)
    key = (path, threads)
    with _sessions_lock:
        if key not in _sessions:
            _sessions[key] = OnnxModel(path, threads)
        return _sessions[key]


def normalize_bgr(img: np.ndarray) -> np.ndarray:
    """HWC uint8 BGR -> CHW float32 in [-1, 1], the PP-OCR input convention.

    One contiguous buffer, scaled in place: the arithmetic on a transposed view made two more
    copies, and onnxruntime a third (its input must be contiguous), 5 MB each for a detection.
    """
    chw = np.ascontiguousarray(img.transpose(2, 0, 1), dtype=np.float32)
    chw *= 2.0 / 255.0
    chw -= 1.0
    return chw


@dataclass(frozen=True)
class LineReading:
    """One text line as read.

    ``candidates[i]`` are the top-k (char, probability) at output position i, best first, so
    ``candidates[i][0][0] == text[i]``; ``positions[i]`` is that character's horizontal centre as
    a fraction (0..1) of the crop's width.
    """

    text: str
    confidence: float
    candidates: tuple[tuple[tuple[str, float], ...], ...] = ()
    positions: tuple[float, ...] = ()

    @property
    def char_confidences(self) -> tuple[float, ...]:
        """Probability of each character of ``text``."""
        return tuple(c[0][1] for c in self.candidates)


EMPTY_READING = LineReading("", 0.0)


class TextRecognizer:
    """PP-OCRv6 text-line recogniser with CTC greedy decoding."""

    def __init__(self, threads: int = 1, top_k: int = 5) -> None:
        self.model = shared_model(TEXT_RECOGNIZER, threads)
        # Index 0 is the CTC blank; a space is appended after the model's list.
        self.characters: list[str] = ["", *self.model.metadata["character"].split("\n"), " "]
        self.index_of = {c: i for i, c in enumerate(self.characters) if c}
        self.top_k = top_k
        self._charset_columns: dict[str, np.ndarray] = {}

    def probabilities(self, crop_bgr: np.ndarray, width_scale: float = 1.0) -> np.ndarray:
        """Per-frame class probabilities (frames x classes) for one line image.

        ``width_scale`` < 1 squeezes the line horizontally: the model's cost grows with the input
        width, and digits stay legible when narrowed a little.
        """
        h, w = crop_bgr.shape[:2]
        width = max(16, min(math.ceil(REC_HEIGHT * w * width_scale / max(h, 1)), 2048))
        resized = cv2.resize(crop_bgr, (width, REC_HEIGHT), interpolation=cv2.INTER_LINEAR)
        return self.model.run(normalize_bgr(resized)[np.newaxis])[0]

    def read(self, crop_bgr: np.ndarray, charset: str | None = None, width_scale: float = 1.0) -> LineReading:
        """Read one line. ``charset`` restricts the output to those characters (e.g. digits)."""
        if crop_bgr.size == 0 or min(crop_bgr.shape[:2]) < 2:
            return EMPTY_READING
        return self.decode(self.probabilities(crop_bgr, width_scale), charset)

    def _columns(self, charset: str) -> np.ndarray:
        cols = self._charset_columns.get(charset)
        if cols is None:
            cols = np.array([0, *sorted({self.index_of[c] for c in charset if c in self.index_of})])
            self._charset_columns[charset] = cols
        return cols

    def decode(self, probs: np.ndarray, charset: str | None = None) -> LineReading:
        """CTC greedy decoding with top-k candidates at each emitted position."""
        columns: np.ndarray | None = None
        if charset is not None:
            columns = self._columns(charset)
            probs = probs[:, columns]
            probs = probs / np.maximum(probs.sum(axis=1, keepdims=True), 1e-9)
        return self._emit(probs, probs.argmax(axis=1), columns)

    def _emit(self, probs: np.ndarray, best: np.ndarray, columns: np.ndarray | None) -> LineReading:
        """Collapse a frame-by-frame class path into text, with top-k candidates per character."""
        frames = len(best)
        text: list[str] = []
        candidates: list[tuple[tuple[str, float], ...]] = []
        positions: list[float] = []
        # Runs of one class: [starts[i], ends[i]) each.
        ends = np.append(np.flatnonzero(np.diff(best)) + 1, frames)
        starts = np.concatenate(([0], ends[:-1]))
        top_k = min(self.top_k, probs.shape[1])
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            if frames == 0 or best[start] == 0:
                continue
            peak = start + int(probs[start:end, best[start]].argmax())
            frame = probs[peak].copy()
            frame[0] = 0.0  # the blank is never a candidate character
            # The k best of thousands of classes: a partial selection, then only those sorted
            # (a full sort per character cost a fifth of the recogniser's time).
            top = np.argpartition(frame, -top_k)[-top_k:]
            order = top[np.argsort(-frame[top], kind="stable")]
            cands = tuple(
                (self.characters[int(columns[i]) if columns is not None else int(i)], float(frame[i]))
                for i in order
            )
            text.append(cands[0][0])
            candidates.append(cands)
            positions.append((peak + 0.5) / frames)
        confidence = float(np.mean([c[0][1] for c in candidates])) if candidates else 0.0
        return LineReading("".join(text), confidence, tuple(candidates), tuple(positions))

    def decode_length(self, probs: np.ndarray, length: int, charset: str | None = None) -> LineReading:
        """The most probable CTC path that emits exactly ``length`` characters (Viterbi).

        For a field of known length (the 18-character number) whose greedy reading came out one
        short or long: a doubled digit whose two runs touched, or a blur smear read as an extra
        digit. The result is only a proposal; the caller must check it (check character, date).
        Returns ``EMPTY_READING`` when no such path exists (too few frames).
        """
        columns: np.ndarray | None = None
        if charset is not None:
            columns = self._columns(charset)
            probs = probs[:, columns]
            probs = probs / np.maximum(probs.sum(axis=1, keepdims=True), 1e-9)
        frames, classes = probs.shape
        if length <= 0 or frames < length:
            return EMPTY_READING
        logp = np.log(np.maximum(probs, 1e-12))
        rows = np.arange(length + 1)
        # score[n, c]: best log-probability of a path up to frame t that has emitted n characters
        # and shows class c (0: blank) at frame t; came_from[t, n, c]: that path's class at t-1
        # (its count at t-1 follows: n, or n-1 when frame t starts a new character).
        score = np.full((length + 1, classes), -np.inf)
        score[0, 0] = logp[0, 0]
        score[1, 1:] = logp[0, 1:]
        came_from = np.zeros((frames, length + 1, classes), dtype=np.int32)
        started_char = np.zeros((frames, length + 1, classes), dtype=bool)
        for t in range(1, frames):
            order = np.argsort(score, axis=1)
            first, second = order[:, -1], order[:, -2]
            best = score[rows, first]
            new = np.empty_like(score)
            new[:, 0] = best + logp[t, 0]  # a blank: the count stays
            came_from[t, :, 0] = first
            # A new character c follows anything but c itself (two equal characters need a blank
            # between them); from count n-1.
            prev_best = np.full((length + 1, classes - 1), -np.inf)
            prev_class = np.zeros((length + 1, classes - 1), dtype=np.int64)
            own = first[:-1, np.newaxis] == np.arange(1, classes)[np.newaxis, :]
            prev_class[1:] = np.where(own, second[:-1, np.newaxis], first[:-1, np.newaxis])
            prev_best[1:] = np.take_along_axis(score[:-1], prev_class[1:], axis=1)
            stay = score[:, 1:]  # the same character's run goes on: the count stays
            starts = prev_best > stay
            new[:, 1:] = np.maximum(prev_best, stay) + logp[t, 1:]
            came_from[t, :, 1:] = np.where(starts, prev_class, np.arange(1, classes)[np.newaxis, :])
            started_char[t, :, 1:] = starts
            score = new
        if not np.isfinite(score[length]).any():
            return EMPTY_READING
        path = np.zeros(frames, dtype=np.int64)
        n, c = length, int(score[length].argmax())
        for t in range(frames - 1, 0, -1):
            path[t] = c
            n, c = n - int(started_char[t, n, c]), int(came_from[t, n, c])
        path[0] = c
        return self._emit(probs, path, columns)


# A detection on this many input pixels (a card at 640 px, a photo at 960) allocates some 50 MB
# for a moment; freed memory is handed back to the system before such a run and after the photo.
LARGE_INPUT_PIXELS = 200_000


class TextDetector:
    """PP-OCRv6 DB text detector with the usual box post-processing."""

    def __init__(self, threads: int = 1, thresh: float = 0.3, box_thresh: float = 0.5,
                 unclip_ratio: float = 1.6) -> None:
        self.model = shared_model(TEXT_DETECTOR, threads)
        self.thresh = thresh
        self.box_thresh = box_thresh
        self.unclip_ratio = unclip_ratio
        # How many detections so far had an input of LARGE_INPUT_PIXELS or more (each leaves
        # tens of MB freed but kept by the C allocator); read, not locked: only a hint.
        self.large_runs = 0

    def probability_map(self, img: np.ndarray, max_side: int = 640) -> np.ndarray:
        """The text probability map of ``img`` resized so its longer side is at most ``max_side``."""
        h, w = img.shape[:2]
        scale = min(1.0, max_side / max(h, w))
        rh = max(32, round(h * scale / 32) * 32)
        rw = max(32, round(w * scale / 32) * 32)
        resized = cv2.resize(img, (rw, rh), interpolation=cv2.INTER_AREA)
        if rh * rw >= LARGE_INPUT_PIXELS:
            self.large_runs += 1
            # The process's peak is this run's buffers on top of whatever the photo's earlier
            # stages freed but the C allocator kept (tens of MB): hand that back first.
            release_freed_memory()
        return self.model.run(normalize_bgr(resized)[np.newaxis])[0, 0]

    def detect(self, img: np.ndarray, max_side: int = 640) -> list[Quad]:
        """Text-line quadrilaterals (TL, TR, BR, BL) in ``img`` pixels, top to bottom."""
        prob = self.probability_map(img, max_side)
        return boxes_from_probability(prob, img.shape[1], img.shape[0], self.thresh,
                                      self.box_thresh, self.unclip_ratio)


def _ordered_box(points: np.ndarray) -> tuple[np.ndarray, float]:
    rect = cv2.minAreaRect(points.reshape(-1, 1, 2).astype(np.float32))
    box = cv2.boxPoints(rect)
    by_x = box[np.argsort(box[:, 0])]
    left = by_x[:2][np.argsort(by_x[:2, 1])]
    right = by_x[2:][np.argsort(by_x[2:, 1])]
    return np.array([left[0], right[0], right[1], left[1]], dtype=np.float32), float(min(rect[1]))


def boxes_from_probability(prob: np.ndarray, dest_w: int, dest_h: int, thresh: float = 0.3,
                           box_thresh: float = 0.5, unclip_ratio: float = 1.6) -> list[Quad]:
    """DB post-processing: threshold, contours, score, expand (unclip), scale to the image."""
    import pyclipper

    height, width = prob.shape
    mask = cv2.dilate((prob > thresh).astype(np.uint8), np.ones((2, 2), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    quads: list[Quad] = []
    for contour in contours[:1000]:
        box, short_side = _ordered_box(contour)
        if short_side < 3:
            continue
        x0, y0 = np.floor(box.min(axis=0)).astype(int)
        x1, y1 = np.ceil(box.max(axis=0)).astype(int)
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width - 1), min(y1, height - 1)
        if x1 <= x0 or y1 <= y0:
            continue
        region = np.zeros((y1 - y0 + 1, x1 - x0 + 1), np.uint8)
        cv2.fillPoly(region, [(box - [x0, y0]).astype(np.int32)], 1)
        if cv2.mean(prob[y0 : y1 + 1, x0 : x1 + 1], region)[0] < box_thresh:
            continue
        distance = cv2.contourArea(box) * unclip_ratio / max(cv2.arcLength(box, True), 1e-6)
        offset = pyclipper.PyclipperOffset()
        offset.AddPath(box.astype(np.int64).tolist(), pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
        expanded = offset.Execute(distance)
        if not expanded:
            continue
        box, short_side = _ordered_box(np.array(expanded[0], dtype=np.float32))
        if short_side < 5:
            continue
        box[:, 0] = np.clip(box[:, 0] / width * dest_w, 0, dest_w)
        box[:, 1] = np.clip(box[:, 1] / height * dest_h, 0, dest_h)
        quads.append(box)
    quads.sort(key=lambda q: (float(q[0, 1]), float(q[0, 0])))
    return quads


class LineOrientationClassifier:
    """Whether a text line is upside down (the PP-OCR 0/180 line classifier)."""

    def __init__(self, threads: int = 1) -> None:
        self.model = shared_model(LINE_ORIENTATION, threads)

    def upside_down_probability(self, line_bgr: np.ndarray) -> float:
        """Probability that ``line_bgr`` shows text rotated by 180 degrees."""
        h, w = line_bgr.shape[:2]
        width = max(8, min(192, math.ceil(48 * w / max(h, 1))))
        resized = cv2.resize(line_bgr, (width, 48))
        batch = np.zeros((1, 3, 48, 192), np.float32)
        batch[0, :, :, :width] = normalize_bgr(resized)
        return float(self.model.run(batch)[0, 1])
