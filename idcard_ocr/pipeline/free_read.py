"""The second reader: the straightened card read without its layout, each value found by its label.

The first reader reads each field where the layout puts it; when the print sits elsewhere (a card
cut at its edge, text printed a few millimetres off) a band can miss its value. This one finds
the text lines with the detector, reads each, joins the pieces of one printed row, and assigns
rows to fields by the labels printed on every card (姓名 性别 民族 出生 住址 公民身份号码,
签发机关 有效期限). A field whose neighbours the first reading placed (a failing address between a
birth date and a number that pass their checks) is read from the band between them alone: a
fraction of the card's detection, and only that band's rows. The result has the same shape as
the first reading (``ReadLine``s with their candidates, boxes on the same card), so the same
domain rules judge both; which answer is kept is decided in ``policy.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import cv2
import numpy as np

from idcard_ocr.pipeline.engine import LineReading, TextDetector, TextRecognizer
from idcard_ocr.pipeline.layout import ADDRESS_LINES
from idcard_ocr.pipeline.parse import ADDRESS_LABEL, clean_number
from idcard_ocr.pipeline.quad import CARD_HEIGHT, CARD_WIDTH, warp, widened
from idcard_ocr.pipeline.read import Box, ReadLine
from idcard_ocr.pipeline.types import Side

DETECT_SIDE = 640  # the card's long side for the detector: its 856 px are more than it needs
MIN_LINE_CONFIDENCE = 0.5  # a lone dot or a guess at the guilloche is not text
MIN_NUMBER_DIGITS = 15  # a row with this many digits is the number's
ROW_OVERLAP = 0.5  # pieces whose vertical extents overlap this much (of the shorter) are one row
# A detection this many times taller than the card's typical line spans several rows (a slanted
# watermark across the print): read, it mixes them all.
MAX_LINE_HEIGHT = 1.8
MAX_ROW_GAP = 3.0  # in line heights: a piece further right than this is not the same printed line
MAX_INDENT = 1.5  # in line heights: an address line starts where the line above it started
# How far past a card's outline (a share of its width and height, each side) the view read
# beyond the outline reaches: an outline on a ruled line across the card loses up to a sixth.
BEYOND = 0.15


def _join(pieces: list[ReadLine]) -> ReadLine:
    """Pieces of one printed row, left to right, as one line (box: their union)."""
    if len(pieces) == 1:
        return pieces[0]
    ordered = sorted(pieces, key=lambda p: p.box[0])
    candidates = tuple(c for p in ordered for c in p.reading.candidates)
    text = "".join(p.reading.text for p in ordered)
    confidence = sum(c[0][1] for c in candidates) / len(candidates) if candidates else 0.0
    box = (min(p.box[0] for p in ordered), min(p.box[1] for p in ordered),
           max(p.box[2] for p in ordered), max(p.box[3] for p in ordered))
    # Each character's centre as a fraction of the joined box, as a single reading gives it.
    width = max(box[2] - box[0], 1)
    positions = tuple((p.box[0] + f * (p.box[2] - p.box[0]) - box[0]) / width
                      for p in ordered for f in p.reading.positions)
    return ReadLine(LineReading(text, confidence, candidates, positions), box)


def _same_row(a: ReadLine, b: ReadLine) -> bool:
    overlap = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
    shorter = min(a.box[3] - a.box[1], b.box[3] - b.box[1])
    return shorter > 0 and overlap >= ROW_OVERLAP * shorter


def read_rows(card: np.ndarray, detector: TextDetector, text: TextRecognizer,
              detect_side: int = DETECT_SIDE) -> list[ReadLine]:
    """Every printed row of ``card``, top to bottom, each read in full (no charset)."""
    return group_rows(_read_pieces(card, _pieces(card, detector, detect_side), text))


def read_rows_between(card: np.ndarray, top: float, bottom: float, detector: TextDetector,
                      text: TextRecognizer) -> list[ReadLine]:
    """The printed rows of ``card`` whose middle lies between the heights ``top`` and ``bottom``,
    as ``read_rows`` reads them, at the same scale; only the band between them is detected (two
    fifths of the card, for an address) and only its rows are read."""
    y0, y1 = max(int(top), 0), min(int(np.ceil(bottom)), card.shape[0])
    if y1 - y0 < 2:
        return []
    band = card[y0:y1]
    side_px = round(DETECT_SIDE * max(band.shape[:2]) / max(card.shape[:2]))
    boxes = [(x0, b0 + y0, x1, b1 + y0) for x0, b0, x1, b1 in _pieces(band, detector, side_px)]
    return group_rows(_read_pieces(card, [box for box in boxes if _middle_within(box, top, bottom)], text))


def _middle_within(box: Box, top: float, bottom: float) -> bool:
    """Whether ``box``'s middle lies between the heights ``top`` and ``bottom``."""
    return top < (box[1] + box[3]) / 2 < bottom


def _pieces(card: np.ndarray, detector: TextDetector, detect_side: int) -> list[Box]:
    """The boxes of the text pieces the detector finds on ``card``."""
    boxes = []
    for quad in detector.detect(card, detect_side):
        x0, y0 = np.floor(quad.min(axis=0)).astype(int)
        x1, y1 = np.ceil(quad.max(axis=0)).astype(int)
        boxes.append((max(int(x0), 0), max(int(y0), 0),
                      min(int(x1), card.shape[1]), min(int(y1), card.shape[0])))
    return boxes


def _read_pieces(card: np.ndarray, boxes: list[Box], text: TextRecognizer) -> list[ReadLine]:
    """Each piece read, those that are text kept."""
    pieces: list[ReadLine] = []
    for x0, y0, x1, y1 in boxes:
        reading = without_spaces(text.read(card[y0:y1, x0:x1]))
        if reading.confidence >= MIN_LINE_CONFIDENCE and any(c.isalnum() for c in reading.text):
            pieces.append(ReadLine(reading, (x0, y0, x1, y1)))
    return pieces


def without_spaces(reading: LineReading) -> LineReading:
    """``reading`` with its spaces dropped: wide letter spacing reads as spaces (``姓 名``), and
    neither a label nor any value on the card holds one."""
    keep = [i for i, c in enumerate(reading.text) if not c.isspace()]
    if len(keep) == len(reading.text):
        return reading
    candidates = tuple(reading.candidates[i] for i in keep)
    confidence = sum(c[0][1] for c in candidates) / len(candidates) if candidates else 0.0
    whole = len(reading.positions) == len(reading.text)
    positions = tuple(reading.positions[i] for i in keep) if whole else ()
    return LineReading("".join(reading.text[i] for i in keep), confidence, candidates, positions)


def group_rows(pieces: list[ReadLine]) -> list[ReadLine]:
    """Read text pieces as printed rows, top to bottom: pieces side by side on one line joined,
    detections that span several rows (a slanted watermark) left out."""
    if not pieces:
        return []
    typical = float(np.median([p.box[3] - p.box[1] for p in pieces]))
    pieces = [p for p in pieces if p.box[3] - p.box[1] <= MAX_LINE_HEIGHT * typical]
    rows: list[list[ReadLine]] = []
    for piece in sorted(pieces, key=lambda p: (p.box[1] + p.box[3]) / 2):
        # Any row so far, not only the last: a value printed a little higher than its label (the
        # nation beside 性别 ... 民族) has its centre above the label row's and starts a row
        # first; a piece between two such rows joins them.
        joins = [r for r in rows if any(_same_row(p, piece) for p in r) and _near(r, piece, typical)]
        rows = [r for r in rows if not any(r is j for j in joins)]
        rows.append([p for r in joins for p in r] + [piece])
    return sorted((_join(row) for row in rows), key=lambda r: (r.box[1] + r.box[3]) / 2)


def _near(row: list[ReadLine], piece: ReadLine, height: float) -> bool:
    """True when ``piece`` continues ``row`` across a gap no wider than a label's from its value."""
    gap = max(piece.box[0] - max(p.box[2] for p in row), min(p.box[0] for p in row) - piece.box[2])
    return gap <= MAX_ROW_GAP * height


def part(line: ReadLine, start: int, end: int | None = None) -> ReadLine:
    """The characters ``start:end`` of ``line``'s reading (its confidence recomputed)."""
    reading = line.reading
    candidates = reading.candidates[start:end]
    confidence = sum(c[0][1] for c in candidates) / len(candidates) if candidates else 0.0
    sliced = replace(reading, text=reading.text[start:end], confidence=confidence, candidates=candidates,
                     positions=reading.positions[start:end])
    box = line.box
    if start and len(reading.positions) == len(reading.text) and start < len(reading.text):
        # The box starts half a character before the first character kept (the label's are not).
        x0, y0, x1, y1 = box
        centre = x0 + reading.positions[start] * (x1 - x0)
        box = (max(x0, round(centre - (y1 - y0) / 2)), y0, x1, y1)
    return replace(line, reading=sliced, box=box)


def _after(line: ReadLine, label: str) -> ReadLine | None:
    """What follows the label's last character (``名`` of ``姓名``), or None without it."""
    text = line.reading.text
    if label in text:
        return part(line, text.index(label) + len(label))
    return None


def _first(rows: list[ReadLine], test: Callable[[str], bool], start: int = 0,
           end: int | None = None) -> int | None:
    """Index of the first row in ``start:end`` whose text passes ``test``."""
    stop = len(rows) if end is None else end
    return next((i for i in range(start, stop) if test(rows[i].reading.text)), None)


def _value(row: ReadLine, label: str) -> ReadLine:
    """What follows ``label`` in ``row``; the whole row when the label was cut off or not read."""
    return _after(row, label) or row


def _front(rows: list[ReadLine]) -> dict[str, list[ReadLine]]:
    # Rows are found by their labels and, where a label was cut off with the card's edge, by the
    # order every front prints them in: name, sex and nation, birth, address, number.
    found: dict[str, list[ReadLine]] = {}
    number_i = _first(rows, lambda t: len(clean_number(t)) >= MIN_NUMBER_DIGITS)
    if number_i is not None:
        text = rows[number_i].reading.text
        found["number"] = [part(rows[number_i], next(i for i, c in enumerate(text) if c.isdigit()))]
    body = rows[:number_i]
    birth_i = _first(body, _is_birth_label)
    sex_i = _first(body, _is_sex_label, 0, birth_i)
    if sex_i is None and birth_i and any(c in body[birth_i - 1].reading.text for c in "男女族"):
        sex_i = birth_i - 1
    name_i = _first(body, _is_name_label, 0, sex_i)
    if name_i is None and sex_i:
        name_i = sex_i - 1
    address_i = _first(body, _is_address_label, (birth_i or 0))
    if address_i is None and birth_i is not None and birth_i + 1 < len(body):
        address_i = birth_i + 1
    if name_i is not None:
        found["name"] = [_value(body[name_i], "名")]
    if sex_i is not None:
        found.update(_sex_and_nation(body[sex_i]))
    if birth_i is not None:
        found["birth"] = [_value(body[birth_i], "出生")]
    if address_i is not None:
        found["address"] = _address_from(body, address_i)
    return {key: lines for key, lines in found.items() if lines[0].reading.text}


def _is_name_label(text: str) -> bool:
    return "姓名" in text or text.startswith("名")


def _is_sex_label(text: str) -> bool:
    return "性别" in text or "民族" in text


def _sex_and_nation(row: ReadLine) -> dict[str, list[ReadLine]]:
    """The sex and, where its label was read, the nation printed on ``row``."""
    sex = _after(row, "性别") or _after(row, "别") or row
    end = sex.reading.text.find("民")
    found = {"sex": [part(sex, 0, end if end >= 0 else None)]}
    nation = _after(row, "民族") or _after(row, "族")
    if nation is not None:
        found["nation"] = [nation]
    return found


def _is_birth_label(text: str) -> bool:
    return "出生" in text or ("年" in text and "月" in text)


def _is_address_label(text: str) -> bool:
    return ADDRESS_LABEL in text or "址" in text[:2]


def _address_from(rows: list[ReadLine], start: int) -> list[ReadLine]:
    """The address's lines from row ``start`` on: that row (its label cut off), and the rows
    flush with it after it, up to the address's three lines."""
    first = _value(rows[start], "址")
    address = [first]
    for row in rows[start + 1 : start + ADDRESS_LINES]:
        height = row.box[3] - row.box[1]
        if abs(row.box[0] - first.box[0]) > MAX_INDENT * height:
            break  # not flush with the address: other print (a stamp, a watermark)
        address.append(row)
    return address


def field_in_band(key: str, rows: list[ReadLine]) -> list[ReadLine]:
    """The lines of ``key`` (name, sex, nation, birth or address) among ``rows``, the rows
    printed between the field's neighbours: the name's above the sex's row, the sex's and the
    nation's between the name and the birth date, the birth date's below the sex's row, the
    address's below the birth date's (or below the sex's row, the birth date's row among them). A
    field is found by its label's row; without one, by where it is printed in the band: the name
    last, above the sex's row; the address after the birth date's row; the others first."""
    if not rows:
        return []
    if key == "name":
        at = _first(rows, _is_name_label)
        found = [_value(rows[len(rows) - 1 if at is None else at], "名")]
    elif key in ("sex", "nation"):
        found = _sex_and_nation(rows[_first(rows, _is_sex_label) or 0]).get(key, [])
    elif key == "birth":
        found = [_value(rows[_first(rows, _is_birth_label) or 0], "出生")]
    else:
        at = _first(rows, _is_address_label)
        if at is None:
            birth = _first(rows, _is_birth_label)
            at = 0 if birth is None else birth + 1
        found = _address_from(rows, at) if at < len(rows) else []
    return found if found and found[0].reading.text else []


def _back(rows: list[ReadLine]) -> dict[str, list[ReadLine]]:
    found: dict[str, list[ReadLine]] = {}
    for row in rows:
        authority = _after(row, "机关")
        if authority is not None and authority.reading.text:
            found.setdefault("authority", [authority])
        term = _after(row, "期限")
        if term is not None and term.reading.text:
            found.setdefault("timelimit", [term])
    return found


def fields_by_label(rows: list[ReadLine], side: Side) -> dict[str, list[ReadLine]]:
    """The lines of each field (the layout's keys: name, sex, nation, birth, address, number;
    authority, timelimit) found by the labels in ``rows``, labels cut off."""
    return _front(rows) if side == "front" else _back(rows)


def read_by_labels(card: np.ndarray, side: Side, detector: TextDetector,
                   text: TextRecognizer) -> dict[str, list[ReadLine]]:
    """``card`` read the layout-free way: its rows detected and read, assigned by their labels."""
    return fields_by_label(read_rows(card, detector, text), side)


class LabelReader:
    """The second reader on one straightened card, read only as far as it is asked: the whole
    card (every field by its label), or one field from the rows between two heights (between
    the fields printed above and below it, which the first reading placed). Rows already read are
    not read again."""

    def __init__(self, card: np.ndarray, side: Side, detector: TextDetector, text: TextRecognizer) -> None:
        self.card, self.side, self.detector, self.text = card, side, detector, text
        self._fields: dict[str, list[ReadLine]] | None = None
        self._bands: list[tuple[float, float, list[ReadLine]]] = []  # (top, bottom, rows) read

    def fields(self) -> dict[str, list[ReadLine]]:
        """Every field found by its label on the whole card (read on the first call)."""
        if self._fields is None:
            rows = read_rows(self.card, self.detector, self.text)
            self._bands.append((0.0, float(self.card.shape[0]), rows))
            self._fields = fields_by_label(rows, self.side)
        return self._fields

    def between(self, key: str, top: float, bottom: float) -> list[ReadLine]:
        """``key``'s lines (name, sex, nation, birth or address; ``field_in_band``) from the card's
        rows whose middle lies between the heights ``top`` and ``bottom``."""
        return field_in_band(key, self._rows_between(top, bottom))

    def _rows_between(self, top: float, bottom: float) -> list[ReadLine]:
        for band_top, band_bottom, rows in self._bands:
            if band_top <= top and bottom <= band_bottom:
                return [row for row in rows if _middle_within(row.box, top, bottom)]
        rows = read_rows_between(self.card, top, bottom, self.detector, self.text)
        self._bands.append((top, bottom, rows))
        return rows


def read_beyond_outline(photo: np.ndarray, quad: np.ndarray, side: Side, detector: TextDetector,
                        text: TextRecognizer) -> dict[str, list[ReadLine]]:
    """The card read by its labels from a view of ``photo`` that reaches ``BEYOND`` of its size
    past the outline ``quad`` (TL,TR,BR,BL of the upright card) on every side; boxes on the
    card the outline gives (so those of print outside it lie off its edges).

    An outline found inside the card (a ruled line or a crease taken for its edge) cuts off the
    rows beyond it; the straightened card then has no trace of them, while the photo does.
    """
    (width, height), side_px = _beyond_view()
    mx, my = (width - CARD_WIDTH) // 2, (height - CARD_HEIGHT) // 2
    wide = warp(photo, widened(quad, mx, my), width, height, border=cv2.BORDER_CONSTANT)
    found = fields_by_label(read_rows(wide, detector, text, side_px), side)
    return {key: [_moved(line, -mx, -my) for line in lines] for key, lines in found.items()}


def _beyond_view() -> tuple[tuple[int, int], int]:
    """The (width, height) of the view read beyond the outline, and the detector's long side for
    it: the card's own print at the scale the card-sized view is read at."""
    mx, my = round(BEYOND * CARD_WIDTH), round(BEYOND * CARD_HEIGHT)
    width = CARD_WIDTH + 2 * mx
    return (width, CARD_HEIGHT + 2 * my), round(DETECT_SIDE * width / CARD_WIDTH)


def warm_up_detections(detector: TextDetector) -> None:
    """Run the detector once on a blank of each size this reader detects on (the card, the view
    beyond its outline). onnxruntime plans a run's memory from the second run of an input size
    on; the first takes some 50 MB more, and would be the process's peak if a photo's memory
    were in use around it."""
    for (width, height), side_px in (((CARD_WIDTH, CARD_HEIGHT), DETECT_SIDE), _beyond_view()):
        detector.probability_map(np.full((height, width, 3), 235, np.uint8), side_px)


def _moved(line: ReadLine, dx: int, dy: int) -> ReadLine:
    x0, y0, x1, y1 = line.box
    return replace(line, box=(x0 + dx, y0 + dy, x1 + dx, y1 + dy))
