"""How a field is looked at a second time: the crops and recogniser settings a second look uses.

Each function reads one line of the card again in another way (wider, on to its band's end, as a
fixed number of characters, from slightly different crops, from a closed set of characters) and
returns the new ``ReadLine``; none of them decides whether the new reading is better. When each
look is tried and which answer is kept is declared in ``policy.py``.
"""

from __future__ import annotations

import numpy as np

from idcard_ocr.pipeline.engine import TextRecognizer
from idcard_ocr.pipeline.ink import tail_print, value_print
from idcard_ocr.pipeline.layout import FieldRegion
from idcard_ocr.pipeline.read import ReadLine

RETRY_WIDTH_SCALE = 1.15
NARROWER, WIDER = 0.85, 1.2  # width scales of the variant crops that reread_variants tries
WINDOW_HEIGHT = 1.4  # a window over one line of print, in the region's text heights
WINDOW_STEPS = 5  # windows from the top of a tall box to its bottom


def reread_line(card: np.ndarray, line: ReadLine, region: FieldRegion, recognizer: TextRecognizer,
                width_scale: float = RETRY_WIDTH_SCALE, to_band_end: bool = False) -> ReadLine:
    """Read ``line``'s box again, wider: a second chance for a value that failed its checks.

    Squeezed lines are cheaper to read but a repeated digit ("00") or a small dot can merge away;
    with more frames per character they come back. With ``to_band_end`` the crop runs on to the
    band's right end, for a value nothing is printed after (its faint last characters).
    """
    box = line.box
    if to_band_end:
        box = (box[0], box[1], max(box[2], region.band[2]), box[3])
    crop = value_print(card[box[1] : box[3], box[0] : box[2]])
    reading = recognizer.read(crop, region.charset, width_scale)
    return ReadLine(reading, box, line.cut_left, line.cut_right)


def faint_tail(card: np.ndarray, line: ReadLine, region: FieldRegion) -> bool:
    """True when print goes on, washed out, between ``line``'s crop and the end of its band.

    Ink is judged against the darkest print nearby, so characters a glare spot left light grey
    next to fully dark ones do not count and the crop ends before them. Looked for on their own
    (the crop already ends a margin past the last dark character), they show; faint print on
    paper no brighter than the line's (a grey stamp across the card) is not the value's.
    """
    return tail_print(card, line.box, region.band[2], region.text_height) == "washed"


def reread_with_length(card: np.ndarray, line: ReadLine, region: FieldRegion,
                       recognizer: TextRecognizer, length: int) -> ReadLine:
    """Read ``line``'s box again, wider, as exactly ``length`` characters (the 18-digit number).

    Recovers a digit lost where two equal digits' runs touched or a smear read as an extra one;
    the caller must check the result before trusting it.
    """
    box = line.box
    probs = recognizer.probabilities(value_print(card[box[1] : box[3], box[0] : box[2]]), RETRY_WIDTH_SCALE)
    return ReadLine(recognizer.decode_length(probs, length, region.charset), box, line.cut_left,
                    line.cut_right)


def variant_boxes(line: ReadLine) -> tuple[tuple[tuple[int, int, int, int], float], ...]:
    """``line``'s box in three slightly different shapes, each with its width scale: narrower,
    tighter (an eighth of its height off top and bottom), wider."""
    x0, y0, x1, y1 = line.box
    trim = (y1 - y0) // 8
    return (((x0, y0, x1, y1), NARROWER), ((x0, y0 + trim, x1, y1 - trim), 1.0), ((x0, y0, x1, y1), WIDER))


def reread_variant(card: np.ndarray, line: ReadLine, region: FieldRegion, recognizer: TextRecognizer,
                   variant: int) -> ReadLine:
    """``line`` read again from the ``variant``-th of ``variant_boxes`` (0 narrower, 1 tighter,
    2 wider).

    For a short value that matched nothing it must be (a nation): blur can split a left-right
    character into two (朝 as 0 and 月) or add a ghost one, and a small change of the crop's
    proportions often reads it whole. Each reading still has to pass the field's own check.
    """
    box, scale = variant_boxes(line)[variant]
    return reread_box(card, line, region, recognizer, box, scale)


def reread_box(card: np.ndarray, line: ReadLine, region: FieldRegion, recognizer: TextRecognizer,
               box: tuple[int, int, int, int], scale: float = 1.0) -> ReadLine:
    """``line`` read again from ``box`` (one of its ``variant_boxes`` or ``text_windows``), at
    ``scale`` times the region's width scale."""
    x0, y0, x1, y1 = box
    reading = recognizer.read(value_print(card[y0:y1, x0:x1]), region.charset, region.width_scale * scale)
    return ReadLine(reading, box, line.cut_left, line.cut_right)


def text_windows(line: ReadLine, region: FieldRegion) -> tuple[tuple[int, int, int, int], ...]:
    """Boxes one line of print tall (``WINDOW_HEIGHT`` of the region's text height) down
    ``line``'s box, top to bottom; none when the box is no taller than that.

    A stamp across the card just above or below a value is ink too: the line's box grows to take
    it in, and read whole, the stamp's larger, bolder characters are read instead of the value
    (``仅供贷款审核使用`` under a nation's 汉). A window one line tall over the value's own row
    reads it alone.
    """
    x0, y0, x1, y1 = line.box
    height = round(WINDOW_HEIGHT * region.text_height)
    if y1 - y0 <= height:
        return ()
    tops = (y0 + k * (y1 - y0 - height) // (WINDOW_STEPS - 1) for k in range(WINDOW_STEPS))
    return tuple((x0, top, x1, top + height) for top in tops)


def read_closed(card: np.ndarray, line: ReadLine, recognizer: TextRecognizer, charset: str) -> ReadLine:
    """``line``'s box read again allowing only the characters of ``charset`` (男 or 女)."""
    x0, y0, x1, y1 = line.box
    return ReadLine(recognizer.read(value_print(card[y0:y1, x0:x1]), charset), line.box, line.cut_left,
                    line.cut_right)
