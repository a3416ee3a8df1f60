"""Read the text where the card's layout says each field is.

For every field band (``layout.py``) on the canonical 856 x 540 card: level lines that slope,
move the bands to where this card's labels are printed (``register.py``; by the row profile
when no labels are seen), find the dark value ink (``ink.py``), tighten the
crop to it (so the text fills the 48-px recogniser input rather than a band that is mostly
background), then run the recogniser. The address band yields up to three lines; empty lines
are skipped without running the model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from idcard_ocr.pipeline.engine import LineReading, TextRecognizer
from idcard_ocr.pipeline.ink import (
    ink_mask,
    tail_print,
    text_columns,
    text_rows,
    text_sized,
    value_print,
    without_bold_strokes,
)
from idcard_ocr.pipeline.layout import (
    ADDRESS,
    ADDRESS_LINE_PITCH,
    ADDRESS_LINES,
    BIRTH,
    FieldRegion,
    regions_for,
    row_template,
)
from idcard_ocr.pipeline.register import MIN_LABELS_FOR_BLOCK, find_labels, label_registered
from idcard_ocr.pipeline.types import Side

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 on the canonical card

# Blank margin around the ink, in text heights. The vertical one leaves the text ~60% of the
# recogniser's 48-px input, near its training crops; more would shrink it, less would widen the
# input (and the cost, which grows with the width) for no gain in accuracy.
MARGIN_Y = 0.4
MARGIN_X = 0.4
MIN_LINE_HEIGHT = 0.8  # of the expected text height: a shorter ink run is a partly lost line
MAX_REGISTER_SHIFT = 50  # px a card's print may sit above or below where the layout puts it
REGISTER_SCALES = tuple(round(0.85 + 0.01 * i, 2) for i in range(31))
CARD_EDGE_PX = 16  # rows this close to the top or bottom edge are left out of the row profile
MIN_REGISTER_GAIN = 0.05  # a fit must beat the plain layout clearly to be used
SHEAR_SLOPES = tuple(round(-0.06 + 0.005 * i, 3) for i in range(25))  # about +-3.4 degrees
MIN_SHEAR_PIXELS = 300
MIN_SHEAR = 0.01  # slopes below this (0.6 degrees) are left alone
MIN_OFFSET_LINES = 2
# An address line after the first whose ink starts this far across the band (as a fraction of
# its width) is something else (the portrait's edge, a thumb): address lines start flush left,
# and even when blur has merged their first characters into blobs too wide to count, the rest
# starts well before this.
MAX_INDENT = 0.6
CUT_MARGIN = 8  # px: ink this close to the band's left edge may continue beyond it
# A line whose ink runs into the band's right end (a card printed a little to the right) goes on
# to where its characters end, looked for this far past the end (in text heights: one character
# and its spacing; further, the portrait's shoulder comes in reach after a line's last character
# with no blank before it). Ink that runs on further without a gap (the portrait, a thumb) leaves
# the line ending at the band, marked as possibly cut.
RUN_ON = 1.3
RUN_ON_GAP = 0.2  # in text heights: blank columns between two characters (wider than inside one)
RUN_ON_JOIN = 0.8  # in text heights: the most blank columns before a line's next character
# An address line below its band (the value printed lower than its label row says) is taken only
# where the address must go on: the line above it is full (FULL_LINE_ROOM), it lies one line
# pitch below that line (to this share of a text height) and starts where the lines above start
# (to this share).
BELOW_PITCH = 0.3
BELOW_ALIGN = 0.5
# A line ending short of the longest line above (or of the band) by less than this many text
# heights is full: the next character (with the widest letter spacing) did not fit on it.
FULL_LINE_ROOM = 1.5
# A line read with less mean confidence than this, or with a character below SHAKY_CHAR, is read
# a second time from a sharpened crop and the more confident of the two readings kept: blur,
# low resolution and photocopies soften strokes until similar characters merge.
SURE_LINE = 0.93
SHAKY_CHAR = 0.6
SHARPEN_SIGMA = 1.5
SHARPEN_AMOUNT = 1.0


@dataclass(frozen=True)
class ReadLine:
    """One line of a field: what the recogniser read and the canonical-card box it read from."""

    reading: LineReading
    box: Box
    # The ink ran into the band's left edge: the card was found offset and the line's start may
    # lie outside the band, cut off.
    cut_left: bool = False
    # The ink ran on past the band's right end with no blank gap in reach: its end may be cut off.
    cut_right: bool = False


@dataclass
class CardReading:
    """Every field read from one straightened card: key -> its lines (the address has 1-3)."""

    side: Side
    lines: dict[str, list[ReadLine]] = field(default_factory=dict)
    elapsed_ms: float = 0.0
    card: np.ndarray | None = None  # the card the boxes refer to (levelled when it was askew)

    def first(self, key: str) -> ReadLine | None:
        """The field's first line, if any ink was found for it."""
        found = self.lines.get(key)
        return found[0] if found else None


def _row_mask(card: np.ndarray, side: Side) -> tuple[np.ndarray, int]:
    """Character-sized value ink of the side's value columns at half resolution, and its x0."""
    x0, x1 = row_template(side).columns
    # Half resolution is plenty for row profiles and four times cheaper.
    small = cv2.resize(card[:, x0:x1], None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    # The back's title characters are twice the height of the values and belong to the profile.
    return text_sized(ink_mask(small), 17 if side == "front" else 34), x0


def estimate_shear(card: np.ndarray, side: Side) -> float:
    """How far the text lines slope (dy/dx) on ``card``: 0 when they run level.

    An outline found a degree or two askew tilts every line, and a tilted line smears the row
    profiles. The slope is the one whose sheared row profile is sharpest.
    """
    mask, _ = _row_mask(card, side)
    ys, xs = np.nonzero(mask)
    if ys.size < MIN_SHEAR_PIXELS:
        return 0.0
    xs = xs - mask.shape[1] / 2.0
    best, best_sharpness = 0.0, -1.0
    for slope in SHEAR_SLOPES:
        rows = np.round(ys - xs * slope).astype(int) + mask.shape[0]
        sharpness = float(np.square(np.bincount(rows).astype(np.float64)).sum())
        if sharpness > best_sharpness:
            best, best_sharpness = slope, sharpness
    return best


def level_lines(card: np.ndarray, slope: float) -> np.ndarray:
    """``card`` sheared so that lines sloping by ``slope`` run level (about its centre)."""
    centre = card.shape[1] / 2.0
    matrix = np.array([[1, 0, 0], [-slope, 1, slope * centre]], dtype=np.float32)
    return cv2.warpAffine(card, matrix, (card.shape[1], card.shape[0]), borderMode=cv2.BORDER_REPLICATE)


def register_rows(card: np.ndarray, side: Side) -> tuple[float, float]:
    """``(scale, shift)`` such that a layout row at ``y`` lies at ``scale * y + shift`` on ``card``.

    A card outline found a little too large or too small moves every line; matching the ink's
    row profile against where the side's always-printed lines (and the blanks between them)
    should be recovers that, so the field bands follow the print. (1, 0) when no better fit.
    """
    template = row_template(side)
    mask, _ = _row_mask(card, side)
    profile = np.repeat(mask.sum(axis=1).astype(np.float64), 2)
    # The card's own edge (a shadow, the table beside it) is no line of print.
    profile[:CARD_EDGE_PX] = 0
    profile[-CARD_EDGE_PX:] = 0
    if profile.max() <= 0:
        return 1.0, 0.0
    cumulative = np.concatenate([[0.0], np.cumsum(profile / profile.max())])
    height = card.shape[0]
    shifts = np.arange(-MAX_REGISTER_SHIFT, MAX_REGISTER_SHIFT + 1, dtype=np.float64)

    rows = np.array(template.rows, dtype=np.float64).reshape(-1, 2)
    gaps = np.array(template.gaps, dtype=np.float64).reshape(-1, 2)

    def density(spans: np.ndarray, scale: float) -> np.ndarray:
        """Each span's ink density at every shift: (spans, shifts)."""
        top = np.clip(np.round(spans[:, :1] * scale + shifts), 0, height).astype(int)
        bottom = np.clip(np.round(spans[:, 1:] * scale + shifts), 0, height).astype(int)
        return (cumulative[bottom] - cumulative[top]) / np.maximum(bottom - top, 1)

    def total(densities: np.ndarray) -> np.ndarray:
        # Added span by span, in the template's order, as one span at a time did.
        return sum(densities, np.zeros_like(shifts))

    best_score, best = -np.inf, (1.0, 0.0)
    identity_score = 0.0
    for scale in REGISTER_SCALES:
        score = total(density(rows, scale))
        score -= total(density(gaps, scale))
        if scale == 1.0:
            identity_score = float(score[MAX_REGISTER_SHIFT])
        i = int(np.argmax(score))
        if score[i] > best_score:
            best_score, best = float(score[i]), (float(scale), float(shifts[i]))
    return best if best_score > identity_score + MIN_REGISTER_GAIN else (1.0, 0.0)


def registered(region: FieldRegion, scale: float, shift: float) -> FieldRegion:
    """``region`` with its band moved to where this card's print puts it."""
    if (scale, shift) == (1.0, 0.0):
        return region
    x0, y0, x1, y1 = region.band
    return replace(region, band=(x0, round(y0 * scale + shift), x1, round(y1 * scale + shift)))


# A value line's ink is about 0.8 text heights tall; a line found much taller than a text height
# has something else's ink in it.
TALL_LINE = 1.05


def ink_lines(card: np.ndarray, region: FieldRegion, max_lines: int = 1) -> list[Box]:
    """The ink extent (x0, y0, x1, y1 on the card) of each value line found in ``region``'s band."""
    x0, y0, x1, y1 = region.band
    y0, y1 = max(0, y0), min(card.shape[0], y1)
    if y1 - y0 < region.text_height // 2:  # a registered band that falls off the card
        return []
    ink = ink_mask(card[y0:y1, x0:x1], band_relative=True)
    mask = text_sized(ink, region.text_height, merged_text=True)
    rows = text_rows(mask, region.text_height)
    if any(bottom - top > TALL_LINE * region.text_height for top, bottom in rows):
        # Taller than a line of value print: a grey stamp's bold characters may join it to the
        # next row. Found again without their strokes; bold value print (a heavy font) that
        # comes out with no line at all is kept as it was.
        thin = text_sized(without_bold_strokes(ink, region.text_height), region.text_height, merged_text=True)
        if thin_rows := text_rows(thin, region.text_height):
            mask, rows = thin, thin_rows
    if max_lines == 1 and rows:
        # The line with the most ink: a neighbouring field's descenders leave only thin runs.
        rows = [max(rows, key=lambda r: int(mask[r[0] : r[1]].sum()))]
    rows = rows[:max_lines]
    if len(rows) >= 2 and rows[-1][1] - rows[-1][0] > TALL_LINE * region.text_height:
        # A last row taller than a line still (a stamp's words printed just under it, joined to
        # a short last line): the line is where the lines above put it, at their pitch, as tall
        # as the line before it.
        (prev_top, prev_bottom), (top, bottom) = rows[-2], rows[-1]
        pitch = prev_top - rows[-3][0] if len(rows) >= 3 else ADDRESS_LINE_PITCH
        start = max(top, prev_top + pitch - round(BELOW_PITCH * region.text_height))
        end = min(bottom, start + prev_bottom - prev_top + round(BELOW_PITCH * region.text_height))
        if end - start >= region.text_height // 2:
            rows[-1] = (start, end)
    inks: list[Box] = []
    for top, bottom in rows:
        cols = text_columns(mask[top:bottom], region.text_height, region.single_char, region.max_gap)
        if cols is not None:
            inks.append((x0 + cols[0], y0 + top, x0 + cols[1], y0 + bottom))
    return inks


def value_lines(region: FieldRegion, inks: list[Box]) -> list[Box]:
    """The ink lines found in ``region``'s band that are its value's: the first, and those after
    it that start before the band's right part (ink starting far across it is other print)."""
    right_part = region.band[0] + MAX_INDENT * (region.band[2] - region.band[0])
    return [ink for index, ink in enumerate(inks) if not index or ink[0] < right_part]


def run_on(card: np.ndarray, region: FieldRegion, ink: Box) -> tuple[Box, bool]:
    """``ink`` (one line's) carried on past its band's right end to where its last character
    ends, and whether it surely ends there: False when ink that reaches the band's end runs on
    with no blank gap in reach (the portrait, a finger); that line is left ending at the band.

    The band ends at the portrait's edge, but a card printed (or found) a millimetre or two to
    the right puts the last character of a full line across that end, or just past it: read
    clipped, it is lost and the rest still reads surely. Past the band the characters still
    stand apart by blank columns, and nothing else of text size is printed there. Print spaced
    wide may put a whole character past the end after a blank gap: the line goes on through
    gaps no wider than its spacing, to where nothing follows. Only when ink runs on to the end of
    the reach (the portrait, a finger) does it stop at the first gap after the band's end.
    """
    x0, top, x1, bottom = ink
    end = region.band[2]
    th = region.text_height
    join = round(RUN_ON_JOIN * th)
    if x1 < end - join:
        return ink, True
    reach = min(card.shape[1], end + round(RUN_ON * th))
    touching = x1 >= end - 1
    # Taller than the line, so that the portrait's outline is not cut into character-sized bits.
    y0, y1 = max(0, top - th), min(card.shape[0], bottom + th)
    mask = text_sized(ink_mask(card[y0:y1, x1 - th : reach]), th, merged_text=True)
    filled = mask[top - y0 : bottom - y0, th:].sum(axis=0) > 0  # columns from x1 on
    gap = max(1, round(RUN_ON_GAP * th))
    last = -1  # the line's last inked column, relative to x1
    found = touching  # a character runs past the band's end (or may, from the band's last column)
    first_end: int | None = None  # where the first character past the band's end ends
    ended = False  # a blank wider than the line's spacing follows ``last``: nothing more printed
    for x in range(filled.size):
        if filled[x]:
            if x - last > join:  # too far from the line to be its next character
                ended = True
                break
            last, found = x, True
        elif x - last > join:  # nothing more printed after the line
            ended = True
            break
        elif x - last >= gap and found and first_end is None:
            first_end = last
    if not found:
        return ink, True
    if ended or filled.size - 1 - last >= gap:  # the last character ends inside the reach
        return (x0, top, x1 + last + 1, bottom), True
    if first_end is not None:  # then ink runs on to the reach's end: not the line's
        return (x0, top, x1 + first_end + 1, bottom), True
    return ink, not touching


def line_below(card: np.ndarray, region: FieldRegion, lines: list[Box]) -> Box | None:
    """The ink of the next line of a wrapping address that lies below its band, or None.

    A value printed a few millimetres lower than its label row puts its last line past the
    band's bottom; read without it, the address is cut short and still looks whole. Nothing else
    is printed one line pitch below a full address line and flush with its start (the number's
    digits start further right, its label further left).
    """
    th = region.text_height
    lines = value_lines(region, lines)
    if not lines or len(lines) >= ADDRESS_LINES:
        return None
    _, top, x1, bottom = lines[-1]
    full_to = max(b[2] for b in lines[:-1]) if len(lines) > 1 else region.band[2]
    # The pitch this card prints its lines at, where two lines show it: larger print (or wider
    # leading) puts the next line further down than the layout's pitch.
    pitch = top - lines[-2][1] if len(lines) > 1 else ADDRESS_LINE_PITCH
    expected = top + pitch
    if x1 < full_to - FULL_LINE_ROOM * th or expected + (bottom - top) <= region.band[3]:
        return None
    y0, y1 = bottom + 1, min(card.shape[0], expected + 2 * th)
    if y1 - y0 < th:
        return None
    mask = text_sized(ink_mask(card[y0:y1, region.band[0] : region.band[2]]), th, merged_text=True)
    height = bottom - top
    for row_top, row_bottom in text_rows(mask, th):
        # Its top or its bottom where the next line's would be: the last line's lowest strokes
        # (a descender, blur) can join the row's top and move it up.
        misplaced = min(abs(y0 + row_top - expected), abs(y0 + row_bottom - expected - height))
        if misplaced > BELOW_PITCH * th:
            continue
        cols = text_columns(mask[row_top:row_bottom], th, region.single_char, region.max_gap)
        start = min(b[0] for b in lines)
        if cols is not None and abs(region.band[0] + cols[0] - start) <= BELOW_ALIGN * th:
            return (region.band[0] + cols[0], y0 + row_top, region.band[0] + cols[1], y0 + row_bottom)
    return None


def line_above(card: np.ndarray, region: FieldRegion, lines: list[Box], above: list[Box]) -> Box | None:
    """The whole ink of a wrapping address's first line where it lies above its band, or None.

    A value printed a few millimetres higher than its label row says puts its first line across
    the band's top: the band's rows then begin with that line's lower part, cut by the band's
    edge, or with its second line, and the address is read without its start. Taken only as
    ``line_below`` takes a last line: where the cut row is (its bottom, to ``BELOW_PITCH``) or one
    line pitch above the first line found, starting where the lines found start
    (``BELOW_ALIGN``), and full to the band's end (``FULL_LINE_ROOM``), as a line the address
    wraps from is. The row printed above the address (the birth date; ``above``: its ink where
    found) ends well short and is never reached into.
    """
    th = region.text_height
    lines = value_lines(region, lines)
    if not lines:
        return None
    _, top, _, bottom = lines[0]
    cut = top <= region.band[1] + 1  # the first row found is the lower part of a line
    if cut and len(lines) < 2:
        return None  # one row cut by the band's top: no line it wraps onto
    if cut:
        lines = lines[1:]
        expected_bottom = bottom
        y0, y1 = max(0, region.band[1] - 2 * th), bottom + 1
    else:
        if len(lines) >= ADDRESS_LINES:
            return None
        pitch = lines[1][1] - top if len(lines) > 1 else ADDRESS_LINE_PITCH
        if top - pitch >= region.band[1]:  # it would lie inside the band, where rows were looked for
            return None
        expected_bottom = top - pitch + bottom - top
        y0, y1 = max(0, top - pitch - th), top
    y0 = max([y0, *(box[3] + 1 for box in above)])
    if y1 - y0 < th:
        return None
    mask = text_sized(ink_mask(card[y0:y1, region.band[0] : region.band[2]]), th, merged_text=True)
    start = min(b[0] for b in lines)
    for row_top, row_bottom in text_rows(mask, th):
        if abs(y0 + row_bottom - expected_bottom) > BELOW_PITCH * th or y0 + row_top >= region.band[1]:
            continue
        cols = text_columns(mask[row_top:row_bottom], th, region.single_char, region.max_gap)
        if cols is None or abs(region.band[0] + cols[0] - start) > BELOW_ALIGN * th:
            continue
        if region.band[0] + cols[1] >= region.band[2] - FULL_LINE_ROOM * th:
            return (region.band[0] + cols[0], y0 + row_top, region.band[0] + cols[1], y0 + row_bottom)
    return None


def reading_box(ink: Box, region: FieldRegion, card_shape: tuple[int, ...], x_offset: float = 0.0) -> Box:
    """The crop to read for one line: its ink plus margins, never past the band's right edge
    (unless the ink itself runs past it: then only a blank gap's width of margin).

    The crop reaches back to where the value is printed to start (the layout's ``value_x`` moved
    by this card's ``x_offset``): a glare spot that washes out the first character must not cut
    it off. A line shorter than a character (its top washed out) keeps a whole line's height.
    """
    left, top, right, bottom = ink
    short = round(MIN_LINE_HEIGHT * region.text_height) - (bottom - top)
    if short > 0:
        top, bottom = top - short // 2, bottom + short - short // 2
    h = bottom - top
    my, mx = max(3, round(MARGIN_Y * h)), max(4, round(MARGIN_X * h))
    if region.value_x is not None:
        left = min(left, round(region.value_x + x_offset))
    # Never past the band (the portrait), but for a last character that run_on found past it.
    end = region.band[2] if right <= region.band[2] else right + round(RUN_ON_GAP * region.text_height)
    return (
        max(0, left - mx),
        max(0, top - my),
        min(card_shape[1], end, right + mx),
        min(card_shape[0], bottom + my),
    )


def value_offset(inks: dict[str, list[Box]], regions: tuple[FieldRegion, ...]) -> float:
    """How far right of the layout this card's values start (median over lines that show it).

    An outline found too wide moves every value sideways; without this, reaching back to the
    layout's start could take in the label instead.
    """
    offsets = [found[0][0] - region.value_x for region in regions
               if region.value_x is not None and (found := inks.get(region.key))]
    return float(np.median(offsets)) if len(offsets) >= MIN_OFFSET_LINES else 0.0


def locate_lines(card: np.ndarray, region: FieldRegion, max_lines: int = 1) -> list[Box]:
    """Reading boxes around the value text found in ``region``'s band (no offset correction)."""
    return [reading_box(ink, region, card.shape) for ink in ink_lines(card, region, max_lines)]


def sharpened(crop: np.ndarray) -> np.ndarray:
    """``crop`` with its strokes crisped (unsharp mask) and its contrast stretched."""
    soft = cv2.GaussianBlur(crop, (0, 0), SHARPEN_SIGMA)
    crisp = cv2.addWeighted(crop, 1.0 + SHARPEN_AMOUNT, soft, -SHARPEN_AMOUNT, 0)
    low, high = float(crisp.min()), float(crisp.max())
    gain = 255.0 / max(high - low, 1.0)
    return cv2.convertScaleAbs(crisp, alpha=gain, beta=-low * gain)


def is_shaky(reading: LineReading) -> bool:
    """True when a reading is unsure enough to be worth a second look."""
    chars = reading.char_confidences
    return not chars or reading.confidence < SURE_LINE or min(chars) < SHAKY_CHAR


def read_line(crop: np.ndarray, region: FieldRegion, recognizer: TextRecognizer) -> LineReading:
    """Read one line crop; a shaky reading is tried again sharpened and the surer one kept."""
    reading = recognizer.read(crop, region.charset, region.width_scale)
    if not is_shaky(reading):
        return reading
    second = recognizer.read(sharpened(crop), region.charset, region.width_scale)
    return second if second.confidence > reading.confidence else reading


def read_card(card: np.ndarray, side: Side, recognizer: TextRecognizer) -> CardReading:
    """Read every field of ``side`` from the canonical upright card (BGR, 856 x 540)."""
    started = time.perf_counter()
    slope = estimate_shear(card, side)
    if abs(slope) >= MIN_SHEAR:
        card = level_lines(card, slope)
    result = CardReading(side, card=card)
    # The bands go where this card's labels are; the row profile places them only when too few
    # labels are seen (a grey photocopy prints them as black as the values).
    labels = find_labels(card, side)
    by_rows = None
    if len(labels) < MIN_LABELS_FOR_BLOCK:
        scale, shift = register_rows(card, side)
        by_rows = tuple(registered(r, scale, shift) for r in regions_for(side))
    regions = label_registered(regions_for(side), labels, by_rows)
    inks = {r.key: ink_lines(card, r, ADDRESS_LINES if r.key == ADDRESS.key else 1) for r in regions}
    for region in regions:
        if region.key != ADDRESS.key:
            continue
        if below := line_below(card, region, inks[region.key]):
            inks[region.key] = [*inks[region.key], below]
        if first := line_above(card, region, inks[region.key], inks.get(BIRTH.key, [])):
            # In place of the lower part of it that the band's rows began with, if they did.
            inks[region.key] = [first, *(ink for ink in inks[region.key] if ink[1] >= first[3])]
    x_offset = value_offset(inks, regions)
    for region in regions:
        lines: list[ReadLine] = []
        found = value_lines(region, inks[region.key])
        for index, ink in enumerate(found):
            ink, ends = run_on(card, region, ink)
            box = reading_box(ink, region, card.shape, x_offset)
            wraps = index < len(found) - 1
            if wraps and tail_print(card, box, region.band[2], region.text_height) != "faint":
                # A line the address wraps from is full: glare that washes out its last
                # characters must not cut them off the crop. (Print fainter than the values on
                # the same paper is not theirs: a stamp across the card.)
                end = max(region.band[2], ink[2])
                box = reading_box((ink[0], ink[1], end, ink[3]), region, card.shape, x_offset)
            crop = value_print(card[box[1] : box[3], box[0] : box[2]])
            reading = read_line(crop, region, recognizer)
            if reading.text:
                lines.append(ReadLine(reading, box, ink[0] <= region.band[0] + CUT_MARGIN, not ends))
        result.lines[region.key] = lines
    result.elapsed_ms = (time.perf_counter() - started) * 1000
    return result
