"""Finding the value ink where the layout says and reading it, on cards drawn in code."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from idcard_ocr.domain.dates import split_birth
from idcard_ocr.pipeline.engine import EMPTY_READING, LineReading, TextRecognizer
from idcard_ocr.pipeline.fields import back_fields, front_fields
from idcard_ocr.pipeline.ink import ink_mask, text_columns, text_rows, text_sized
from idcard_ocr.pipeline.layout import (
    ADDRESS,
    ADDRESS_LINES,
    CARD_HEIGHT,
    CARD_WIDTH,
    labels_for,
    regions_for,
)
from idcard_ocr.pipeline.looks import faint_tail
from idcard_ocr.pipeline.read import (
    ReadLine,
    ink_lines,
    is_shaky,
    line_above,
    line_below,
    locate_lines,
    read_card,
    register_rows,
    run_on,
    sharpened,
)
from idcard_ocr.pipeline.register import find_labels
from idcard_ocr.synth.card import downscale, draw_card
from idcard_ocr.synth.identities import make_identities
from tests.fonts import CJK_SANS, needs_fonts, text_font

LABEL_BLUE = (60, 130, 190)  # RGB, the label colour of the card
TODAY_SEED = 20240601


def _strip(texts: list[tuple[str, tuple[int, int, int]]], size: int = 30) -> np.ndarray:
    """Texts side by side on a light background, each in its own RGB colour; returns BGR."""
    font = text_font(CJK_SANS, size)
    image = Image.new("RGB", (120 * len(texts) + 40, 70), (232, 236, 240))
    draw = ImageDraw.Draw(image)
    for i, (text, colour) in enumerate(texts):
        draw.text((20 + 120 * i, 18), text, font=font, fill=colour)
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)


@needs_fonts
def test_ink_is_the_black_value_not_the_coloured_label() -> None:
    strip = _strip([("姓名", LABEL_BLUE), ("赵宁", (20, 20, 20))])
    mask = ink_mask(strip)
    label_ink, value_ink = mask[:, :130].sum(), mask[:, 130:].sum()
    assert value_ink > 150
    assert label_ink < 0.05 * value_ink


@needs_fonts
def test_ink_survives_a_colour_cast() -> None:
    strip = _strip([("赵宁", (20, 20, 20))]).astype(np.float32)
    purple = (strip * np.array([1.15, 0.8, 1.1])).clip(0, 255).astype(np.uint8)
    assert ink_mask(purple).sum() > 0.7 * ink_mask(strip.astype(np.uint8)).sum()


@needs_fonts
def test_a_value_printed_light_all_along_is_still_ink_in_its_band() -> None:
    # Grey print about 40 levels under its paper: no stroke as dark as the text bar, but as
    # dark as the band's own darkest print, it is that value's ink.
    grey = _strip([("赵宁", (196, 198, 200)), ("然", (196, 198, 200))])
    assert ink_mask(grey).sum() == 0
    assert ink_mask(grey, band_relative=True).sum() > 150
    # A faint pattern (15 levels under the paper) is no print, however light the band's darkest.
    pattern = _strip([("赵宁", (217, 221, 225))])
    assert ink_mask(pattern, band_relative=True).sum() == 0


def test_text_rows_finds_each_line_and_nothing_in_an_empty_band() -> None:
    mask = np.zeros((160, 400), bool)
    mask[10:40, 20:300:3] = True
    mask[58:88, 20:200:3] = True
    assert [(top, bottom) for top, bottom in text_rows(mask, 30)] == [(10, 40), (58, 88)]
    assert text_rows(np.zeros((160, 400), bool), 30) == []


def test_text_columns_stop_at_a_far_away_mark_and_bridge_small_gaps() -> None:
    mask = np.zeros((30, 600), bool)
    mask[:, 10:40] = mask[:, 60:90] = True  # two characters, a narrow gap
    mask[:, 500:520] = True  # a mark far to the right
    assert text_columns(mask, 30, max_gap=2.5) == (10, 90)
    assert text_columns(mask, 30, max_gap=20) == (10, 520)


def test_blobs_taller_than_a_line_are_not_text() -> None:
    mask = np.zeros((120, 300), bool)
    mask[:, 280:300] = True  # the card's edge against a dark table
    mask[40:70, 20:50] = True  # a character
    kept = text_sized(mask, 30)
    assert kept[40:70, 20:50].all()
    assert not kept[:, 280:].any()


def test_characters_merged_by_blur_stay_text_but_a_rule_does_not() -> None:
    mask = np.zeros((60, 400), bool)
    mask[15:45, 20:260] = True  # eight characters run together into one solid blob
    mask[55:58, 0:400] = True  # a thin printed rule
    assert not text_sized(mask, 30)[15:45, 20:260].any()  # too long for one character
    kept = text_sized(mask, 30, merged_text=True)
    assert kept[15:45, 20:260].all()
    assert not kept[55:58].any()


@pytest.fixture(scope="module")
def recognizer() -> TextRecognizer:
    return TextRecognizer(threads=1)


@pytest.fixture(scope="module")
def drawn_cards(card_fonts: None) -> list[tuple[object, str, object]]:
    """Upright canonical cards (856 x 540) of a few identities, both sides, from a fixed seed."""
    rng = random.Random(TODAY_SEED)
    cards = []
    for identity in make_identities(4, seed=TODAY_SEED):
        for side in ("front", "back"):
            cards.append((identity, side, downscale(draw_card(identity, side, rng))))
    return cards


def test_located_boxes_hold_the_generators_text_boxes(drawn_cards: list) -> None:
    for _identity, side, card in drawn_cards:
        assert card.bgr.shape == (CARD_HEIGHT, CARD_WIDTH, 3)
        found: dict[str, list[tuple[int, int, int, int]]] = {}
        for region in regions_for(side):
            found[region.key] = locate_lines(card.bgr, region, ADDRESS_LINES if region is ADDRESS else 1)
        for key, quad in card.boxes.items():
            region_key = "address" if key.startswith("address") else key
            region_key = "birth" if key in ("year", "month", "day") else region_key
            x0, x1 = min(p[0] for p in quad) + 2, max(p[0] for p in quad) - 2
            y0, y1 = min(p[1] for p in quad) + 2, max(p[1] for p in quad) - 2
            inside = [b for b in found[region_key] if b[0] <= x0 and b[2] >= x1 and b[1] <= y0 and b[3] >= y1]
            assert inside, f"{side} {key}: text box {quad} not inside any of {found[region_key]}"
        if side == "front":
            assert len(found["address"]) == sum(k.startswith("address") for k in card.boxes)


@pytest.mark.models
def test_every_field_of_clean_cards_is_read_exactly(drawn_cards: list, recognizer: TextRecognizer) -> None:
    for identity, side, card in drawn_cards:
        reading = read_card(card.bgr, side, recognizer)
        if side == "front":
            info, _ = front_fields(reading, date.today())
            year, month, day = split_birth(identity.birth)
            assert info == {"name": identity.name, "number": identity.number, "sex": identity.sex,
                            "nation": identity.nation, "year": year, "month": month, "day": day,
                            "address": identity.address}
        else:
            info, _ = back_fields(reading)
            assert info == {"authority": identity.authority, "timelimit": identity.timelimit}


def _shrunk_towards_top(card: np.ndarray, scale: float, shift: int) -> np.ndarray:
    """The card's print moved as when the outline was found too large: y -> scale * y + shift."""
    matrix = np.float32([[scale, 0, 0], [0, scale, shift]])
    return cv2.warpAffine(card, matrix, (card.shape[1], card.shape[0]), borderMode=cv2.BORDER_REPLICATE)


def test_rows_are_registered_on_a_card_whose_print_sits_off_the_layout(drawn_cards: list) -> None:
    for _identity, side, card in drawn_cards[:2]:
        assert register_rows(card.bgr, side) == (1.0, 0.0)
        scale, shift = register_rows(_shrunk_towards_top(card.bgr, 0.9, 12), side)
        assert abs(scale - 0.9) <= 0.02 and abs(shift - 12) <= 8, (side, scale, shift)


@pytest.mark.models
def test_a_card_with_offset_print_is_still_read(drawn_cards: list, recognizer: TextRecognizer) -> None:
    identity, _side, front = drawn_cards[0]
    reading = read_card(_shrunk_towards_top(front.bgr, 0.9, 12), "front", recognizer)
    info, _ = front_fields(reading, date.today())
    assert info["name"] == identity.name
    assert info["number"] == identity.number
    assert info["address"] == identity.address


def test_only_unsure_readings_get_a_second_sharpened_look() -> None:
    sure = LineReading("赵宁", 0.99, ((("赵", 0.99),), (("宁", 0.99),)))
    one_weak = LineReading("赵宁", 0.95, ((("赵", 0.99),), (("宁", 0.5),)))
    assert not is_shaky(sure)
    assert is_shaky(one_weak)
    assert is_shaky(LineReading("", 0.0))
    # Sharpening stretches a washed-out crop to the full range and keeps its size.
    faint = np.full((40, 120, 3), 150, np.uint8)
    faint[15:25, 20:100] = 120
    crisp = sharpened(faint)
    assert crisp.shape == faint.shape and crisp.dtype == np.uint8
    assert int(crisp.max()) - int(crisp.min()) == 255


def _moved_left(card: np.ndarray, dx: int) -> np.ndarray:
    """The card's print moved ``dx`` px to the left, as when the outline was found too far right."""
    matrix = np.float32([[1, 0, -dx], [0, 1, 0]])
    return cv2.warpAffine(card, matrix, (card.shape[1], card.shape[0]), borderMode=cv2.BORDER_REPLICATE)


@pytest.mark.models
def test_a_name_running_out_of_its_band_is_flagged_cut(drawn_cards: list, recognizer: TextRecognizer) -> None:
    _identity, _side, front = drawn_cards[0]
    assert not any(line.cut_left for lines in read_card(front.bgr, "front", recognizer).lines.values()
                   for line in lines)
    # A grey copy (no coloured label to place the bands by) 60 px off: the first character of
    # each left-hand value straddles the band's edge.
    grey = cv2.cvtColor(cv2.cvtColor(front.bgr, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    shifted = read_card(_moved_left(grey, 60), "front", recognizer)
    name = shifted.first("name")
    assert name is not None and name.cut_left
    _info, sources = front_fields(shifted, date.today())
    assert sources["name"].cut


@pytest.mark.models
def test_bands_follow_the_labels_of_print_moved_off_the_layout(
    drawn_cards: list, recognizer: TextRecognizer
) -> None:
    identity, _side, front = drawn_cards[0]
    # 60 px left and 25 px up: the values' first characters lie left of the layout's bands and
    # every line a third of a line higher; the labels moved with them and place the bands.
    moved = cv2.warpAffine(front.bgr, np.float32([[1, 0, -60], [0, 1, -25]]), (CARD_WIDTH, CARD_HEIGHT),
                           borderMode=cv2.BORDER_REPLICATE)
    found = {item.label.field: item.box for item in find_labels(moved, "front")}
    assert set(found) == {"name", "sex", "nation", "birth", "address", "number"}
    assert all(abs(box[1] - label.box[1] + 25) <= 4 for label in labels_for("front")
               if (box := found[label.field]))
    reading = read_card(moved, "front", recognizer)
    info, sources = front_fields(reading, date.today())
    assert (info["name"], info["sex"], info["nation"]) == (identity.name, identity.sex, identity.nation)
    assert (info["year"], info["address"], info["number"]) == (
        str(identity.birth.year), identity.address, identity.number)
    assert not sources["name"].cut


def test_faint_print_after_a_line_is_noticed_and_nothing_else_is() -> None:
    card = np.full((540, 856, 3), 235, np.uint8)
    cv2.putText(card, "12", (160, 340), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (20, 20, 20), 3)
    line = ReadLine(EMPTY_READING, (150, 300, 215, 355))
    assert not faint_tail(card, line, ADDRESS)  # blank paper after the line
    stamped = card.copy()
    cv2.putText(stamped, "347", (240, 340), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (195, 195, 195), 3)
    # Light grey print, 40 levels under the line's own paper: printed faint (a grey stamp).
    assert not faint_tail(stamped, line, ADDRESS)
    card[290:365, 225:545] = 255  # a glare spot's paper
    cv2.putText(card, "347", (240, 340), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (215, 215, 215), 3)
    assert faint_tail(card, line, ADDRESS)  # washed out by it, 40 levels under that paper
    blue = np.full((540, 856, 3), 235, np.uint8)
    cv2.putText(blue, "347", (240, 340), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (200, 120, 60), 3)
    assert not faint_tail(blue, line, ADDRESS)  # a blue label's colour is not value print


def _card_with_line(text: str, x: int, bar_to: int | None = None) -> np.ndarray:
    """A blank card with ``text`` in black on the first address line from ``x`` (and a black bar
    of the line's height from the text's end to ``bar_to``)."""
    image = Image.new("RGB", (CARD_WIDTH, CARD_HEIGHT), (236, 238, 240))
    draw = ImageDraw.Draw(image)
    draw.text((x, 292), text, font=text_font(CJK_SANS, 32), fill=(20, 20, 20))
    if bar_to is not None:
        end = int(draw.textbbox((x, 292), text, font=text_font(CJK_SANS, 32))[2])
        draw.rectangle((end + 4, 298, bar_to, 326), fill=(20, 20, 20))
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)


@needs_fonts
def test_a_line_running_past_its_band_is_followed_to_its_last_character() -> None:
    band_end = ADDRESS.band[2]
    # The last character stands across the band's end, and in another line wholly past it.
    for x in (band_end - 32 * 11 + 12, band_end - 32 * 10 + 4):
        card = _card_with_line("福建省福州市长乐市长江", x)
        ink = ink_lines(card, ADDRESS, ADDRESS_LINES)[0]
        (_, _, right, _), ends = run_on(card, ADDRESS, ink)
        whole = np.flatnonzero(ink_mask(card[290:335]).any(axis=0)).max() + 1
        assert ends and abs(right - whole) <= 3 and right > band_end
    # A line ending well before the band's end is left alone.
    card = _card_with_line("福建省福州市", 180)
    ink = ink_lines(card, ADDRESS, ADDRESS_LINES)[0]
    assert run_on(card, ADDRESS, ink) == (ink, True)


@needs_fonts
def test_a_character_printed_wholly_past_its_band_after_a_wide_space_is_kept() -> None:
    # Print spaced wide, shifted right: the last character but one ends at the band's end and
    # the last stands past it after a blank as wide as the spacing (its loss read 巴音郭楞 as
    # 巴音楞 and 新塘乡 as 新乡).
    image = Image.new("RGB", (CARD_WIDTH, CARD_HEIGHT), (236, 238, 240))
    draw = ImageDraw.Draw(image)
    font = text_font(CJK_SANS, 24)
    band_end, pitch = ADDRESS.band[2], 36
    for i, char in enumerate("治区巴音郭"):
        draw.text((band_end - 24 - pitch * (3 - i), 298), char, font=font, fill=(20, 20, 20))
    card = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)
    ink = ink_lines(card, ADDRESS, ADDRESS_LINES)[0]
    (_, _, right, _), ends = run_on(card, ADDRESS, ink)
    whole = np.flatnonzero(ink_mask(card[290:335]).any(axis=0)).max() + 1
    assert ends and abs(right - whole) <= 3 and whole > band_end + pitch // 2


@needs_fonts
def test_a_line_whose_ink_runs_on_past_its_band_with_no_gap_is_flagged_cut() -> None:
    card = _card_with_line("福建省福州市长乐市", ADDRESS.band[2] - 32 * 9 - 10, bar_to=700)
    ink = ink_lines(card, ADDRESS, ADDRESS_LINES)[0]
    assert run_on(card, ADDRESS, ink) == (ink, False)


def _card_with_lines(lines: list[tuple[str, int, int]]) -> np.ndarray:
    """A blank card with each (text, x, y) in black."""
    image = Image.new("RGB", (CARD_WIDTH, CARD_HEIGHT), (236, 238, 240))
    draw = ImageDraw.Draw(image)
    for text, x, y in lines:
        draw.text((x, y), text, font=text_font(CJK_SANS, 32), fill=(20, 20, 20))
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)


@needs_fonts
def test_an_address_line_below_its_band_is_taken_only_where_the_address_goes_on() -> None:
    band = (125, 240, 545, 372)  # the band as a card printed lower than its labels puts it
    region = replace(ADDRESS, band=band)
    full = [("河北省石家庄市高邑县长", 180, 262), ("江街976号20幢3单元22", 180, 310)]
    card = _card_with_lines([*full, ("01室", 180, 358)])
    above = ink_lines(card, region, ADDRESS_LINES)
    assert len(above) == 2
    below = line_below(card, region, above)
    assert below is not None and abs(below[0] - above[0][0]) <= 3 and below[1] > band[3] - 20
    # Not flush with the lines above: something else printed there.
    card = _card_with_lines([*full, ("01室", 300, 358)])
    assert line_below(card, region, ink_lines(card, region, ADDRESS_LINES)) is None
    # The line above is not full: the address ended there.
    card = _card_with_lines([full[0], ("江街976号", 180, 310), ("01室", 180, 358)])
    assert line_below(card, region, ink_lines(card, region, ADDRESS_LINES)) is None


@needs_fonts
def test_an_address_line_above_its_band_is_taken_only_where_it_wraps_onto_the_lines_found() -> None:
    birth = ("1976 年 8 月 24 日", 180, 200)
    rest = [("江街976号20幢3单元22", 180, 318), ("01室", 180, 366)]
    first_line = ("河北省石家庄市高邑县长", 180, 270)
    card = _card_with_lines([birth, first_line, *rest])
    # Bands as cards printed higher than their labels put them: the first line wholly above
    # the band, and across its top.
    for band_top, cut in ((306, False), (290, True)):
        region = replace(ADDRESS, band=(125, band_top, 545, 450))
        found = ink_lines(card, region, ADDRESS_LINES)
        assert len(found) == 2 + cut and (found[0][1] <= band_top + 1) == cut
        first = line_above(card, region, found, [])
        assert first is not None and abs(first[0] - found[-2][0]) <= 3
        assert first[1] < band_top - 10 and abs(first[3] - (found[0][3] if cut else found[0][1] - 13)) <= 6
    region = replace(ADDRESS, band=(125, 290, 545, 450))
    # The row above does not run full to the band's end: a birth date, not the address's.
    card = _card_with_lines([birth, ("1976 年 8 月 24 日", 180, 270), *rest])
    assert line_above(card, region, ink_lines(card, region, ADDRESS_LINES), []) is None
    # Not flush with the lines found: something else printed there.
    card = _card_with_lines([birth, ("河北省石家庄市高邑", 260, 270), *rest])
    assert line_above(card, region, ink_lines(card, region, ADDRESS_LINES), []) is None
    # The ink of the row above, where it was found, is never reached into.
    card = _card_with_lines([first_line, *rest])
    assert line_above(card, region, ink_lines(card, region, ADDRESS_LINES), [(180, 262, 540, 304)]) is None
    # One line alone, cut by the band's top: no line it wraps onto, nothing to tell it by.
    card = _card_with_lines([birth, ("河北省石家庄市高邑县长", 180, 270)])
    assert line_above(card, region, ink_lines(card, region, ADDRESS_LINES), []) is None


@needs_fonts
def test_a_last_address_row_joined_to_print_under_it_is_cut_to_the_line_at_the_lines_pitch() -> None:
    lines = [("河北省石家庄市高邑县长", 180, 268), ("江街976号20幢3单元22", 180, 316), ("01室", 180, 364)]
    image = Image.new("RGB", (CARD_WIDTH, CARD_HEIGHT), (236, 238, 240))
    draw = ImageDraw.Draw(image)
    for text, x, y in lines:
        draw.text((x, y), text, font=text_font(CJK_SANS, 32), fill=(20, 20, 20))
    # Other print just under the last line, touching it (a stamp's words as a grey copy prints them).
    draw.text((190, 393), "仅限办理银行开户使用", font=text_font(CJK_SANS, 30), fill=(100, 100, 100))
    card = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)
    rows = ink_lines(card, ADDRESS, ADDRESS_LINES)
    assert len(rows) == 3
    (_, top1, _, _), (_, top2, _, bottom2), (_, top3, _, bottom3) = rows
    assert abs(top3 - (2 * top2 - top1)) <= 6  # where the pitch of the lines above puts it
    assert bottom3 - top3 <= bottom2 - top2 + 12  # and about as tall as they are
    assert bottom3 < 415  # not down into the print under it


@needs_fonts
def test_a_line_below_its_band_is_looked_for_at_the_pitch_the_card_prints_its_lines() -> None:
    # Larger print, wider leading: the lines above stand 60 px apart, not the layout's 48.
    region = replace(ADDRESS, band=(125, 230, 545, 362))
    full = [("河北省石家庄市高邑县长", 180, 250), ("江街976号20幢3单元22", 180, 310)]
    card = _card_with_lines([*full, ("01室", 180, 370)])
    above = ink_lines(card, region, ADDRESS_LINES)
    assert len(above) == 2
    below = line_below(card, region, above)
    assert below is not None and abs(below[1] - above[1][1] - 60) <= 3
    # A mark far across the band (the portrait's edge) is no address line to measure it from.
    card = _card_with_lines([full[0], ("1", 525, 343), ("01室", 180, 436)])
    marks = ink_lines(card, region, ADDRESS_LINES)
    assert len(marks) == 2 and line_below(card, region, marks) is None
