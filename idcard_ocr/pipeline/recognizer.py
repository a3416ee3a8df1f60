"""The whole recogniser: image bytes in, ``Recognition`` out.

decode -> straighten (find the card, perspective to 856 x 540, orientation, side) -> read each
field where the layout puts it -> parse -> validate and correct with domain knowledge -> the
second looks of ``policy.py`` for fields that failed.
When no card outline is found, a generic detect-and-read pass tells a photo with no text at all
(``text_found`` False, the API's 301) from one with text that is not a card (result 1), and a
keyword parser still gets what it can from a card whose edges are not visible.
"""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import replace
from datetime import date

import cv2
import numpy as np

from idcard_ocr.pipeline.assess.photo_view import place_card
from idcard_ocr.pipeline.blanked import straighten_around_print
from idcard_ocr.pipeline.decode import DecodedImage, decode_image
from idcard_ocr.pipeline.engine import TextDetector, TextRecognizer
from idcard_ocr.pipeline.fields import FREE_TEXT_FIELDS
from idcard_ocr.pipeline.free_read import LabelReader, read_beyond_outline, warm_up_detections
from idcard_ocr.pipeline.geometry import Straightened, straighten, straighten_frame, unwarp_points
from idcard_ocr.pipeline.legible import print_sharpness, too_soft
from idcard_ocr.pipeline.locate_print import has_text_marks
from idcard_ocr.pipeline.memory import release_freed_memory, resident_bytes
from idcard_ocr.pipeline.parse import OcrLine, parse_ocr_lines
from idcard_ocr.pipeline.policy import Looking, read_again
from idcard_ocr.pipeline.read import read_card
from idcard_ocr.pipeline.types import FieldReading, Point, Recognition, Side
from idcard_ocr.pipeline.validate import back_validity, front_validity

FALLBACK_DETECT_SIDE = 960  # detector input for photos without a card outline
MAX_FALLBACK_LINES = 40
MIN_FALLBACK_CONFIDENCE = 0.5
# Grown this much past its size after the last trim, the process hands its freed memory back:
# without it the C allocator's heap creeps up by some 100 MB over a few dozen photos. Measured
# on 200 photos: 64 MB, peak 280 MB for 3% more CPU; 32 MB, the same peak for 7%; none, 291 MB.
RETAINED_LIMIT_BYTES = 64 << 20


# Below this layout-match score the side and half-turn from straightening are open to question.
UNSURE_SIDE_SCORE = 0.3


class CardRecognizer:
    """Loaded models plus the pipeline; one instance per process, safe to share between threads."""

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self.detector = TextDetector(threads)
        # Before the recogniser's weights are loaded: these first runs are the largest the
        # process makes, and they add to whatever is in memory at the time.
        warm_up_detections(self.detector)
        release_freed_memory()
        self.text = TextRecognizer(threads)
        self.trimmed_size = 0  # resident bytes after the last trim; read and written unlocked: a hint

    def warm_up(self) -> None:
        """Run each model once so the first real request does not pay for graph initialisation."""
        blank = np.full((540, 856, 3), 235, np.uint8)
        cv2.putText(blank, "1989", (200, 300), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (20, 20, 20), 4)
        self.detector.detect(blank, 320)
        self.text.read(blank[240:320, 180:400])
        # Loading and the first runs leave some 20 MB freed but kept by the C allocator.
        self.release_memory()

    def release_memory(self) -> None:
        """Hand the memory freed so far back to the system, and note the size that leaves."""
        release_freed_memory()
        self.trimmed_size = resident_bytes()

    def recognize(self, image: bytes, today: date | None = None) -> Recognition:
        """Recognise one photo, checking dates (birth, term) as of ``today`` (the caller's date;
        the machine's when none is given). Raises ``ImageDecodeError`` on bytes that are not a
        usable image."""
        today = today or date.today()
        timings: dict[str, float] = {}
        started = time.perf_counter()
        large_runs = self.detector.large_runs
        decoded = decode_image(image)
        timings["decode"] = decoded.elapsed_ms
        mark = time.perf_counter()
        straight = straighten(decoded.image)
        timings["straighten"] = (time.perf_counter() - mark) * 1000
        result = None if straight is None else self.read_straightened(decoded, straight, timings, today)
        if result is None or not any(result.validity.values()):
            # Nothing found, or nothing on what was found passes a check: on a photo of the
            # card's shape the frame itself may be the card (cut to it, an inner outline won).
            framed = self._from_frame(decoded, straight, timings, today)
            if framed is not None and (result is None or _passes_more(framed, result)):
                result, straight = framed, None
        if result is None:
            # No outline, no print block, no frame: a faint copy of a lone card on a whole page
            # is found around its print, at the print's own scale.
            mark = time.perf_counter()
            straight = straighten_around_print(decoded.image)
            timings["around_print"] = (time.perf_counter() - mark) * 1000
            if straight is not None:
                result = self.read_straightened(decoded, straight, timings, today)
                if not any(result.validity.values()):
                    result, straight = None, None
        if result is None:
            result = self._without_card(decoded.image, timings, today)
        elif straight is not None and result.view is not None:
            result.view.located = straight.located
        if result.view is None:
            result.view = place_card(decoded.image, decoded.scale, None)
        grown = resident_bytes() - self.trimmed_size
        if self.detector.large_runs != large_runs or grown > RETAINED_LIMIT_BYTES:
            # A large detection's buffers were freed but the C allocator keeps them, or the
            # heap has crept up over several photos: hand the memory back, or the next large
            # detection starts that much higher. Not after every photo: that costs several
            # per cent of the time for a few MB.
            self.release_memory()
        timings["total"] = (time.perf_counter() - started) * 1000
        result.timings_ms = timings
        return result

    def _from_frame(self, decoded: DecodedImage, straight: Straightened | None, timings: dict[str, float],
                    today: date) -> Recognition | None:
        """The photo's frame read as the card, when the photo has the card's shape and the frame
        is not the card already found; None unless some field of it passes its check."""
        mark = time.perf_counter()
        framed = straighten_frame(decoded.image)
        if framed is None or (straight is not None and _same_quad(framed.quad, straight.quad)):
            return None
        result = self.read_straightened(decoded, framed, {}, today)
        timings["frame"] = (time.perf_counter() - mark) * 1000
        return result if any(result.validity.values()) else None

    def read_straightened(
        self,
        decoded: DecodedImage,
        straight: Straightened,
        timings: dict[str, float],
        today: date | None = None,
    ) -> Recognition:
        """Read one card already found and straightened on ``decoded``, dates checked as of
        ``today``; its quad and field boxes in the uploaded photo's pixels. (A page with several
        cards reads each one this way.)"""
        quad = np.asarray(straight.quad, dtype=np.float64)
        result, turned = self._read_card_photo(
            straight.card, straight.side, straight.side_score, timings, today or date.today(),
            (decoded.image, quad),
        )
        result.rotate = straight.rotate
        if turned:  # the card lay the other way up from what its outline and print suggested
            result.rotate = (straight.rotate + 180) % 360
            quad = quad[[2, 3, 0, 1]]
        result.card_quad = _as_quad(decoded.to_original(quad))
        # The card the fields were read from is the exact warp along ``quad`` unless one
        # half-turn (while orienting, or on the second opinion) came after the warp.
        exact_card = straight.card if not (straight.turned or turned) else None
        result.view = place_card(decoded.image, decoded.scale, result.card_quad, exact_card, quad)
        for key, source in list(result.fields.items()):
            if source.box is not None:
                photo = decoded.to_original(unwarp_points(quad, np.asarray(source.box)))
                result.fields[key] = replace(source, box=_as_quad(photo))
        return result

    def _read_card_photo(
        self, card: np.ndarray, side: Side, side_score: float, timings: dict[str, float], today: date,
        photo: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> tuple[Recognition, bool]:
        """Read the straightened card; when nothing on it passes a check and the layout match was
        itself unsure, also try it turned half-way round and as the other side, and keep whichever
        reading validates most. A confidently placed card is not second-guessed: on a blurred one
        a wrong reading can validate a stray field (a title line taken for a name). ``photo``: the
        photo and the card's quad on it, for reading past the outline."""
        result = self._from_card(card, side, timings, today, photo=photo)
        turned = False
        if not any(result.validity.values()) and side_score < UNSURE_SIDE_SCORE:
            mark = time.perf_counter()
            other: Side = "back" if side == "front" else "front"
            upside_down = cv2.rotate(card, cv2.ROTATE_180)
            for try_side, try_turned in ((side, True), (other, False), (other, True)):
                # Without the second reader: these are guesses at how the card lies, and it would
                # read each one again in full.
                attempt = self._from_card(upside_down if try_turned else card, try_side, {}, today, False)
                if sum(attempt.validity.values()) > sum(result.validity.values()):
                    result, turned = attempt, try_turned
            timings["second_opinion"] = (time.perf_counter() - mark) * 1000
        if not any(r for r in result.fields.values() if r.text):
            # Nothing read where a card's fields are: is there any text at all (301 or result 1)?
            result.text_found = bool(self.detector.detect(card, 480))
        return result, turned

    def _from_card(self, card: np.ndarray, side: Side, timings: dict[str, float], today: date,
                   second_reader: bool = True,
                   photo: tuple[np.ndarray, np.ndarray] | None = None) -> Recognition:
        reading = read_card(card, side, self.text)
        timings["read"] = timings.get("read", 0.0) + reading.elapsed_ms
        mark = time.perf_counter()
        # Second looks read from the card the boxes refer to (levelled when it was askew).
        read_from = card if reading.card is None else reading.card
        looking = Looking(read_from, self.text, today)
        if second_reader:
            labels = LabelReader(read_from, side, self.detector, self.text)
            looking = replace(looking, by_labels=labels.fields, between=labels.between)
        if second_reader and photo is not None:
            image, quad = photo
            beyond = functools.cache(lambda: read_beyond_outline(image, quad, side, self.detector, self.text))
            looking = replace(looking, beyond_outline=beyond)
        judged = read_again(reading, looking)
        timings["parse"] = timings.get("parse", 0.0) + (time.perf_counter() - mark) * 1000
        fields = {k: FieldReading(s.text, s.confidence, s.box, "number" if s.derived else "print")
                  for k, s in judged.sources.items()}
        # On print this soft (a small card enlarged, heavy blur) the recogniser's confidence is
        # no evidence for free text, which has no check character: a name or an address read from
        # it is returned but not vouched for. Values with checks keep them.
        boxes = [line.box for lines in reading.lines.values() for line in lines]
        sharpness = print_sharpness(read_from, boxes)
        validity = dict(judged.validity)
        if too_soft(sharpness):
            validity.update({key: False for key in FREE_TEXT_FIELDS if key in validity})
        return Recognition(True, side, 0, judged.info, validity, fields, print_sharpness=sharpness)

    def _without_card(self, img: np.ndarray, timings: dict[str, float], today: date) -> Recognition:
        if not has_text_marks(img):  # a bare table or wall: nothing that looks like print at all
            return Recognition(text_found=False)
        mark = time.perf_counter()
        quads = self.detector.detect(img, FALLBACK_DETECT_SIDE)
        timings["detect"] = (time.perf_counter() - mark) * 1000
        if not quads:
            return Recognition(text_found=False)
        mark = time.perf_counter()
        lines = []
        for quad in quads[:MAX_FALLBACK_LINES]:
            x0, y0 = np.floor(quad.min(axis=0)).astype(int)
            x1, y1 = np.ceil(quad.max(axis=0)).astype(int)
            reading = self.text.read(img[max(y0, 0) : y1, max(x0, 0) : x1])
            # A lone dot or a guess at a texture is not text: the detector fires on both.
            if reading.confidence >= MIN_FALLBACK_CONFIDENCE and any(c.isalnum() for c in reading.text):
                lines.append(OcrLine(reading.text, float(x0), float(y0)))
        timings["read"] = (time.perf_counter() - mark) * 1000
        if not lines:
            return Recognition(text_found=False)
        side, info = parse_ocr_lines(lines)
        validity = front_validity(info, today) if side == "front" else back_validity(info, today)
        return Recognition(True, side, 0, info, validity)


def _passes_more(one: Recognition, other: Recognition) -> bool:
    """Whether more of ``one``'s fields pass their checks than ``other``'s."""
    return sum(one.validity.values()) > sum(other.validity.values())


def _same_quad(a: tuple[Point, ...], b: tuple[Point, ...], tolerance: float = 8.0) -> bool:
    """Whether two quads have the same corners as sets, to ``tolerance`` px."""
    pa, pb = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return all(float(np.min(np.linalg.norm(pb - p, axis=1))) <= tolerance for p in pa)


def _as_quad(points: np.ndarray) -> tuple[Point, Point, Point, Point]:
    p = [(float(x), float(y)) for x, y in np.asarray(points).reshape(-1, 2)[:4]]
    return (p[0], p[1], p[2], p[3])


_shared: dict[int, CardRecognizer] = {}
_shared_lock = threading.Lock()


def load_recognizer(threads: int = 1) -> CardRecognizer:
    """The process-wide recogniser for ``threads`` onnxruntime intra-op threads (0: onnxruntime's
    own choice): models loaded (sha256 checked) and warmed up on first call, then shared.

    Raises ``ModelFileError`` when a shipped model file is missing or not the tested one.
    """
    with _shared_lock:
        if threads not in _shared:
            recognizer = CardRecognizer(threads)
            recognizer.warm_up()
            _shared[threads] = recognizer
        return _shared[threads]
