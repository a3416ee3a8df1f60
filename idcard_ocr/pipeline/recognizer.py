"""The whole recogniser: image bytes in, ``Recognition`` out.

decode -> straighten (find the card, perspective to 856 x 540, orientation, side) -> read each
field where the layout puts it -> parse -> validate and correct with domain knowledge.
When no card outline is found, a generic detect-and-read pass tells a photo with no text at all
(``text_found`` False, the API's 301) from one with text that is not a card (result 1), and a
keyword parser still gets what it can from a card whose edges are not visible.
"""

from __future__ import annotations

import threading
import time

import cv2
import numpy as np

from idcard_ocr.domain.id_number import parse_number
from idcard_ocr.domain.nations import is_nation
from idcard_ocr.pipeline.assess.photo_view import place_card
from idcard_ocr.pipeline.decode import decode_image
from idcard_ocr.pipeline.engine import TextDetector, TextRecognizer
from idcard_ocr.pipeline.fields import fields_of
from idcard_ocr.pipeline.geometry import straighten, unwarp_points
from idcard_ocr.pipeline.layout import (
    ADDRESS,
    AUTHORITY,
    BIRTH,
    NATION,
    NUMBER,
    SEX,
    SEX_CHARSET,
    TIMELIMIT,
    FieldRegion,
)
from idcard_ocr.pipeline.locate_print import has_text_marks
from idcard_ocr.pipeline.parse import OcrLine, clean_nation, clean_number, parse_ocr_lines
from idcard_ocr.pipeline.read import (
    CardReading,
    ReadLine,
    faint_tail,
    read_card,
    reread_line,
    reread_variants,
    reread_with_length,
)
from idcard_ocr.pipeline.types import FieldReading, Point, Recognition, Side
from idcard_ocr.pipeline.validate import back_validity, front_validity, simplify

# Fields read once more, unsqueezed, when they fail their checks: (validity key, layout region).
RETRIED_FIELDS: dict[Side, tuple[tuple[str, FieldRegion], ...]] = {
    "front": (("number", NUMBER), ("birthday", BIRTH)),
    "back": (("timelimit", TIMELIMIT), ("authority", AUTHORITY)),
}
NUMBER_LENGTH = 18
FALLBACK_DETECT_SIDE = 960  # detector input for photos without a card outline
MAX_FALLBACK_LINES = 40
MIN_FALLBACK_CONFIDENCE = 0.5
# A nation read again from a variant crop is taken only when the variant reads a whole nation
# name this surely: the nation has no validity flag to carry doubt to the client.
SURE_NATION_VARIANT = 0.7
SURE_TAIL_CHAR = 0.6  # each character a longer reading adds to an address must be this sure
SURE_SEX_VARIANT = 0.9  # a 男-or-女 reading of the sex crop must be at least this sure


# Below this layout-match score the side and half-turn from straightening are open to question.
UNSURE_SIDE_SCORE = 0.3


class CardRecognizer:
    """Loaded models plus the pipeline; one instance per process, safe to share between threads."""

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self.text = TextRecognizer(threads)
        self.detector = TextDetector(threads)

    def warm_up(self) -> None:
        """Run each model once so the first real request does not pay for graph initialisation."""
        blank = np.full((540, 856, 3), 235, np.uint8)
        cv2.putText(blank, "1989", (200, 300), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (20, 20, 20), 4)
        self.detector.detect(blank, 320)
        self.text.read(blank[240:320, 180:400])

    def recognize(self, image: bytes) -> Recognition:
        """Recognise one photo. Raises ``ImageDecodeError`` on bytes that are not a usable image."""
        timings: dict[str, float] = {}
        started = time.perf_counter()
        decoded = decode_image(image)
        timings["decode"] = decoded.elapsed_ms
        mark = time.perf_counter()
        straight = straighten(decoded.image)
        timings["straighten"] = (time.perf_counter() - mark) * 1000
        if straight is None:
            result = self._without_card(decoded.image, timings)
        else:
            result, turned = self._read_card_photo(straight.card, straight.side, straight.side_score, timings)
            quad = np.asarray(straight.quad, dtype=np.float64)
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
                    result.fields[key] = FieldReading(source.text, source.confidence, _as_quad(photo))
        if result.view is None:
            result.view = place_card(decoded.image, decoded.scale, None)
        timings["total"] = (time.perf_counter() - started) * 1000
        result.timings_ms = timings
        return result

    def _read_card_photo(
        self, card: np.ndarray, side: Side, side_score: float, timings: dict[str, float]
    ) -> tuple[Recognition, bool]:
        """Read the straightened card; when nothing on it passes a check and the layout match was
        itself unsure, also try it turned half-way round and as the other side, and keep whichever
        reading validates most. A confidently placed card is not second-guessed: on a blurred one
        a wrong reading can validate a stray field (a title line taken for a name)."""
        result = self._from_card(card, side, timings)
        turned = False
        if not any(result.validity.values()) and side_score < UNSURE_SIDE_SCORE:
            mark = time.perf_counter()
            other: Side = "back" if side == "front" else "front"
            upside_down = cv2.rotate(card, cv2.ROTATE_180)
            for try_side, try_turned in ((side, True), (other, False), (other, True)):
                attempt = self._from_card(upside_down if try_turned else card, try_side, {})
                if sum(attempt.validity.values()) > sum(result.validity.values()):
                    result, turned = attempt, try_turned
            timings["second_opinion"] = (time.perf_counter() - mark) * 1000
        if not any(r for r in result.fields.values() if r.text):
            # Nothing read where a card's fields are: is there any text at all (301 or result 1)?
            result.text_found = bool(self.detector.detect(card, 480))
        return result, turned

    def _from_card(self, card: np.ndarray, side: Side, timings: dict[str, float]) -> Recognition:
        reading = read_card(card, side, self.text)
        timings["read"] = timings.get("read", 0.0) + reading.elapsed_ms
        mark = time.perf_counter()
        info, validity, sources = fields_of(reading, side)
        # Second looks read from the card the boxes refer to (levelled when it was askew).
        read_from = card if reading.card is None else reading.card
        for validity_key, region in RETRIED_FIELDS[side]:
            line = reading.first(region.key)
            if not validity[validity_key] and line is not None:
                # Kept only when it passes: a reading that failed only for being unsure (its
                # digits put right from the candidates) must not give way to a worse one.
                as_read = reading.lines[region.key]
                reading.lines[region.key] = [reread_line(read_from, line, region, self.text)]
                again = fields_of(reading, side)
                if again[1][validity_key]:
                    info, validity, sources = again
                else:
                    reading.lines[region.key] = as_read
        number_line = reading.first(NUMBER.key)
        if side == "front" and not validity["number"] and number_line is not None \
                and len(clean_number(number_line.reading.text)) != NUMBER_LENGTH:
            # Digits short: read on to the band's end (nothing is printed after the number, and
            # glare may have left its last digits too faint to count as ink), then as exactly
            # 18 digits. Each is kept only when the number then passes its check character AND
            # the birth date printed on its own line agrees with it.
            as_read = reading.lines[NUMBER.key]
            for attempt in (
                lambda: reread_line(read_from, number_line, NUMBER, self.text, to_band_end=True),
                lambda: reread_with_length(read_from, number_line, NUMBER, self.text, NUMBER_LENGTH),
            ):
                reading.lines[NUMBER.key] = [attempt()]
                fixed = fields_of(reading, side)
                if fixed[1]["number"] and fixed[1]["birthday"]:
                    info, validity, sources = fixed
                    break
                reading.lines[NUMBER.key] = as_read
        nation_line = reading.first(NATION.key)
        if side == "front" and not info["nation"] and nation_line is not None:
            for variant in reread_variants(read_from, nation_line, NATION, self.text):
                if variant.reading.confidence >= SURE_NATION_VARIANT \
                        and is_nation(clean_nation(simplify(variant.reading))):
                    reading.lines[NATION.key] = [variant]
                    info, validity, sources = fields_of(reading, side)
                    break
        if side == "front" and self._address_tail(reading, read_from):
            info, validity, sources = fields_of(reading, side)
        sex_line = reading.first(SEX.key)
        if side == "front" and not info["sex"] and sex_line is not None and validity["number"]:
            # Blur turned the character into something else (男 read as 第): asked only whether
            # it is 男 or 女, the recogniser may still tell them apart. Taken only when it is
            # sure and agrees with the sex the (valid) number encodes.
            x0, y0, x1, y1 = sex_line.box
            closed = self.text.read(read_from[y0:y1, x0:x1], SEX_CHARSET)
            facts = parse_number(info["number"])
            if closed.confidence >= SURE_SEX_VARIANT and facts is not None and closed.text == facts.sex:
                reading.lines[SEX.key] = [ReadLine(closed, sex_line.box, sex_line.cut_left)]
                info, validity, sources = fields_of(reading, side)
        timings["parse"] = timings.get("parse", 0.0) + (time.perf_counter() - mark) * 1000
        fields = {k: FieldReading(s.text, s.confidence, s.box) for k, s in sources.items()}
        return Recognition(True, side, 0, info, validity, fields)

    def _address_tail(self, reading: CardReading, card: np.ndarray) -> bool:
        """Read the address's last line on to its band's end when fainter print follows it
        (characters washed light grey by glare next to dark ones); keep the longer reading only
        when it extends the first and each added character is sure. True when it was kept."""
        lines = reading.lines.get(ADDRESS.key) or []
        if not lines or not faint_tail(card, lines[-1], ADDRESS):
            return False
        last = lines[-1]
        longer = reread_line(card, last, ADDRESS, self.text, ADDRESS.width_scale, to_band_end=True)
        added = longer.reading.char_confidences[len(last.reading.text) :]
        if not (longer.reading.text.startswith(last.reading.text) and added and min(added) >= SURE_TAIL_CHAR):
            return False
        reading.lines[ADDRESS.key] = [*lines[:-1], longer]
        return True

    def _without_card(self, img: np.ndarray, timings: dict[str, float]) -> Recognition:
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
        validity = front_validity(info) if side == "front" else back_validity(info)
        return Recognition(True, side, 0, info, validity)


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
