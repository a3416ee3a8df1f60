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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import cv2
import numpy as np

from idcard_ocr.domain.id_number import parse_number
from idcard_ocr.pipeline.decode import decode_image
from idcard_ocr.pipeline.engine import TextDetector, TextRecognizer
from idcard_ocr.pipeline.geometry import straighten, unwarp_points
from idcard_ocr.pipeline.layout import AUTHORITY, BIRTH, NUMBER, TIMELIMIT, FieldRegion
from idcard_ocr.pipeline.locate_print import has_text_marks
from idcard_ocr.pipeline.parse import (
    LONG_TERM,
    OcrLine,
    clean_name,
    clean_number,
    normalize_timelimit,
    parse_ocr_lines,
)
from idcard_ocr.pipeline.places import PlaceText, check_address, check_authority
from idcard_ocr.pipeline.read import (
    Box,
    CardReading,
    ReadLine,
    read_card,
    reread_line,
    reread_with_length,
)
from idcard_ocr.pipeline.types import FieldReading, Point, Recognition, Side
from idcard_ocr.pipeline.validate import (
    back_validity,
    choose_birth,
    choose_nation,
    choose_sex,
    correct_number,
    correct_timelimit,
    front_validity,
    simplify,
)

# Fields read once more, unsqueezed, when they fail their checks: (validity key, layout region).
RETRIED_FIELDS: dict[Side, tuple[tuple[str, FieldRegion], ...]] = {
    "front": (("number", NUMBER), ("birthday", BIRTH)),
    "back": (("timelimit", TIMELIMIT), ("authority", AUTHORITY)),
}
FREE_TEXT_FIELDS = ("name", "address", "authority")
# Free text has no check character, so it is vouched for only when the recogniser was sure of
# it as a whole and of its weakest character: one character read at 0.6 is as often a wrong
# look-alike (华莹 for 华蓥, 宜威 for 宣威) as the right one. Names are held hardest (a wrong
# name is the worst KYC error) but a rare character (龑 at 0.84 beside 龔) must still pass;
# authorities use common characters the recogniser is sure of when they are legible. Correct
# names and addresses read at >= 0.8 as a whole on the synthetic photo sets.
MIN_LINE_CONFIDENCE = {"name": 0.9, "address": 0.75, "authority": 0.75}
MIN_CHAR_CONFIDENCE = {"name": 0.8, "address": 0.62, "authority": 0.55}
MIN_LONG_TERM_CHAR = 0.8
NUMBER_LENGTH = 18
FALLBACK_DETECT_SIDE = 960  # detector input for photos without a card outline
MAX_FALLBACK_LINES = 40
MIN_FALLBACK_CONFIDENCE = 0.5


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
            result, turned = self._read_card_photo(straight.card, straight.side, timings)
            quad = np.asarray(straight.quad, dtype=np.float64)
            result.rotate = straight.rotate
            if turned:  # the card lay the other way up from what its outline and print suggested
                result.rotate = (straight.rotate + 180) % 360
                quad = quad[[2, 3, 0, 1]]
            result.card_quad = _as_quad(decoded.to_original(quad))
            for key, source in list(result.fields.items()):
                if source.box is not None:
                    photo = decoded.to_original(unwarp_points(quad, np.asarray(source.box)))
                    result.fields[key] = FieldReading(source.text, source.confidence, _as_quad(photo))
        timings["total"] = (time.perf_counter() - started) * 1000
        result.timings_ms = timings
        return result

    def _read_card_photo(
        self, card: np.ndarray, side: Side, timings: dict[str, float]
    ) -> tuple[Recognition, bool]:
        """Read the straightened card; when nothing on it passes a check, also try it turned
        half-way round and as the other side, and keep whichever reading validates most."""
        result = self._from_card(card, side, timings)
        turned = False
        if not any(result.validity.values()):
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
        retried = False
        for validity_key, region in RETRIED_FIELDS[side]:
            line = reading.first(region.key)
            if not validity[validity_key] and line is not None:
                read_from = card if reading.card is None else reading.card
                reading.lines[region.key] = [reread_line(read_from, line, region, self.text)]
                retried = True
        if retried:
            info, validity, sources = fields_of(reading, side)
        number_line = reading.first(NUMBER.key)
        if side == "front" and not validity["number"] and number_line is not None \
                and len(clean_number(number_line.reading.text)) != NUMBER_LENGTH:
            # Read as exactly 18 digits; kept only when the number then passes its check
            # character AND the birth date printed on its own line agrees with it.
            read_from = card if reading.card is None else reading.card
            as_read = reading.lines[NUMBER.key]
            reading.lines[NUMBER.key] = [
                reread_with_length(read_from, number_line, NUMBER, self.text, NUMBER_LENGTH)
            ]
            fixed = fields_of(reading, side)
            if fixed[1]["number"] and fixed[1]["birthday"]:
                info, validity, sources = fixed
            else:
                reading.lines[NUMBER.key] = as_read
        timings["parse"] = timings.get("parse", 0.0) + (time.perf_counter() - mark) * 1000
        fields = {k: FieldReading(s.text, s.confidence, s.box) for k, s in sources.items()}
        return Recognition(True, side, 0, info, validity, fields)

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


@dataclass(frozen=True)
class FieldSource:
    """A field's final text with the confidence and canonical-card box of what it was read from."""

    text: str
    confidence: float
    box: tuple[Point, Point, Point, Point] | None
    weakest_char: float = 0.0  # the lowest probability of any character it was read from
    place_known: bool = True  # False: the place it names (address, authority) is not a real one
    cut: bool = False  # a line's start may have been cut off (its ink ran into the band's edge)


def _corners(boxes: list[Box]) -> tuple[Point, Point, Point, Point] | None:
    if not boxes:
        return None
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def _source(text: str, lines: list[ReadLine], place: PlaceText | None = None) -> FieldSource:
    confidence = min((line.reading.confidence for line in lines), default=0.0) if text else 0.0
    if place is not None:
        chars: Sequence[float] = place.confidences
    else:
        chars = [p for line in lines for p in line.reading.char_confidences]
    weakest = min(chars, default=0.0) if text else 0.0
    known = place.known if place is not None else True
    cut = any(line.cut_left for line in lines)
    return FieldSource(text, confidence, _corners([line.box for line in lines]), weakest, known, cut)


def front_fields(reading: CardReading, today: date) -> tuple[dict[str, str], dict[str, FieldSource]]:
    """The front ``info`` (contract key order) and where each value came from."""
    number_line = reading.first("number")
    number = correct_number(number_line.reading, today) if number_line else ""
    facts = parse_number(number, today)
    name_line, sex_line = reading.first("name"), reading.first("sex")
    nation_line, birth_line = reading.first("nation"), reading.first("birth")
    name = clean_name(simplify(name_line.reading)) if name_line else ""
    sex = choose_sex(sex_line.reading if sex_line else None, facts)
    nation = choose_nation(nation_line.reading if nation_line else None)
    birth = choose_birth(birth_line.reading if birth_line else None, facts) or ("", "", "")
    address_lines = reading.lines.get("address", [])
    address_place = check_address([line.reading for line in address_lines])
    address = address_place.text
    info = {"name": name, "number": number, "sex": sex, "nation": nation,
            "year": birth[0], "month": birth[1], "day": birth[2], "address": address}
    line_of = {"name": name_line, "number": number_line, "sex": sex_line, "nation": nation_line}
    sources = {k: _source(info[k], [line] if line else []) for k, line in line_of.items()}
    birth_lines = [birth_line] if birth_line else []
    sources.update({k: _source(info[k], birth_lines) for k in ("year", "month", "day")})
    sources["address"] = _source(address, address_lines, address_place)
    return info, sources


def back_fields(reading: CardReading) -> tuple[dict[str, str], dict[str, FieldSource]]:
    """The back ``info`` (contract key order) and where each value came from."""
    authority_line, term_line = reading.first("authority"), reading.first("timelimit")
    authority_place = check_authority(authority_line.reading) if authority_line else None
    authority = authority_place.text if authority_place else ""
    term = ""
    if term_line is not None:
        term = correct_timelimit(term_line.reading, normalize_timelimit(term_line.reading.text))
    info = {"authority": authority, "timelimit": term}
    sources = {
        "authority": _source(authority, [authority_line] if authority_line else [], authority_place),
        "timelimit": _source(term, [term_line] if term_line else []),
    }
    return info, sources


def fields_of(
    reading: CardReading, side: Side
) -> tuple[dict[str, str], dict[str, bool], dict[str, FieldSource]]:
    """``info``, ``validity`` and sources of one card reading: the domain rules, then how sure
    the recogniser was of free text (no check character there to catch a misread)."""
    today = date.today()
    if side == "front":
        info, sources = front_fields(reading, today)
        validity = front_validity(info, today)
    else:
        info, sources = back_fields(reading)
        validity = back_validity(info, today)
    # Free text has no check character: a shape-valid name read with low confidence is more
    # often a guess at an unreadable crop than the right answer.
    for key in FREE_TEXT_FIELDS:
        if key not in validity:
            continue
        source = sources[key]
        if source.confidence < MIN_LINE_CONFIDENCE[key] or source.weakest_char < MIN_CHAR_CONFIDENCE[key]:
            validity[key] = False
        if not source.place_known:  # not a real place: a misread, or a place the table lacks
            validity[key] = False
        if source.cut:  # free text has no check that would notice a lost first character
            validity[key] = False
    # A long-term card's start date has no end date to agree with: only its own reading vouches.
    term = sources.get("timelimit")
    if term is not None and term.text.endswith(LONG_TERM) and term.weakest_char < MIN_LONG_TERM_CHAR:
        validity["timelimit"] = False
    return info, validity, sources


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
