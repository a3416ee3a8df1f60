"""Every card of a photo is found and read with the real models; a plain answer keeps one card."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from idcard_ocr.contract.card import data_of, result_of
from idcard_ocr.pipeline.multi import read_page, reading_order
from idcard_ocr.pipeline.types import Recognition
from tests.fonts import needs_fonts
from tests.multi.conftest import CARDS, PAGES, crowded_photo, page_files, truth_of

pytestmark = pytest.mark.models


@pytest.mark.parametrize("file", page_files())
def test_every_card_is_found_in_reading_order_with_exact_fields(recognizer: Any, file: str) -> None:
    expected = truth_of(file)["cards"]
    page = read_page(recognizer, (PAGES / file).read_bytes(), all_cards=True)
    assert [card.side for card in page.cards] == [card["side"] for card in expected]
    assert [card.rotate for card in page.cards] == [card["rotate"] for card in expected]
    for card, truth in zip(page.cards, expected, strict=True):
        assert data_of(card)["info"] == truth["info"], (file, card.side)
        assert result_of(card) == 0
        width = float(np.linalg.norm(np.subtract(truth["quad"][1], truth["quad"][0])))
        assert card.card_quad is not None
        corner_error = np.linalg.norm(np.subtract(card.card_quad, truth["quad"]), axis=1).max()
        assert corner_error < 0.03 * width, (file, card.side)
    assert not page.crowded


@pytest.mark.parametrize("file", page_files())
def test_a_plain_answer_is_the_front_and_side_chooses_the_back(recognizer: Any, file: str) -> None:
    photo = (PAGES / file).read_bytes()
    truths = {card["side"]: card for card in truth_of(file)["cards"]}
    plain = read_page(recognizer, photo)
    assert plain.chosen.side == "front" and data_of(plain.chosen)["info"] == truths["front"]["info"]
    assert plain.cards == [plain.chosen]  # one card, as the contract says
    back = read_page(recognizer, photo, prefer="back")
    assert back.chosen.side == "back" and data_of(back.chosen)["info"] == truths["back"]["info"]


# back_0008 lies among clutter (a bank card, receipt text): paper that is not a card is no card;
# back_0015 is stored sideways with an EXIF orientation tag.
SINGLE = ["back_0001.jpg", "back_0005.jpg", "back_0008.jpg", "back_0015.jpg", "front_0008.jpg"]


@pytest.mark.parametrize("file", SINGLE)
def test_single_card_photos_answer_as_the_recogniser_alone(recognizer: Any, file: str) -> None:
    photo = (CARDS / file).read_bytes()
    alone = recognizer.recognize(photo)
    page = read_page(recognizer, photo)
    assert data_of(page.chosen) == data_of(alone)
    every = read_page(recognizer, photo, all_cards=True)
    assert [data_of(card) for card in every.cards] == [data_of(alone)]


def test_a_photo_with_two_fronts_and_two_backs_is_crowded(recognizer: Any) -> None:
    page = read_page(recognizer, crowded_photo(), all_cards=True)
    assert sorted(card.side for card in page.cards) == ["back", "back", "front", "front"]
    assert page.crowded
    # Reading order: the upper photo's two cards (front left, back right), then the lower's.
    assert [card.side for card in page.cards] == ["front", "back", "front", "back"]
    desks = ("desk_0001.jpg", "desk_0002.jpg")
    expected = [card["info"] for file in desks for card in truth_of(file)["cards"]]
    assert [data_of(card)["info"] for card in page.cards] == expected


def _placed(x: float, y: float, side: str = "front") -> Recognition:
    quad = ((x, y), (x + 160, y), (x + 160, y + 100), (x, y + 100))
    return Recognition(True, side, card_quad=quad)  # type: ignore[arg-type]


def test_reading_order_is_rows_top_to_bottom_then_left_to_right() -> None:
    right_high, left_low = _placed(400, 10), _placed(20, 40)  # one row: their heights overlap
    below = _placed(200, 300, "back")
    assert reading_order([below, right_high, left_low]) == [left_low, right_high, below]


def test_the_sdk_gives_every_card_typed() -> None:
    from idcard_ocr.client._models import parse_result

    front = {"result": 0, "side": "front", "info": {"name": "谢怡红", "number": "513437198611022617"},
             "validity": {"number": True}}
    back = {"result": 0, "side": "back", "rotate": "cw180",
            "info": {"authority": "雷波县公安局", "timelimit": "20130722-20330722"}, "validity": {}}
    data = {**front, "cards": [back, front]}
    body = {"code": 200, "msg": "成功", "taskNo": "1", "charge": True, "data": data}
    answer = parse_result(body)
    assert [card.side for card in answer.cards] == ["back", "front"] and answer.cards[0].rotate == 180
    assert answer.card_back is not None and answer.card_back.valid_until is not None
    assert answer.card_back.valid_until.year == 2033
    assert answer.card_front is not None and answer.card_front.number == "513437198611022617"
    assert parse_result({**body, "data": front}).cards == ()


def test_scan_multi_prints_every_card_and_plain_scan_the_front(recognizer: Any) -> None:
    import json

    from click.testing import CliRunner

    from idcard_ocr.cli import main

    file = str(PAGES / "copy_0002.jpg")
    expected = truth_of("copy_0002.jpg")["cards"]
    multi = CliRunner().invoke(main, ["scan", "--json", "--multi", file])
    assert multi.exit_code == 0, multi.output
    data = json.loads(multi.output)["data"]
    assert [card["info"] for card in data["cards"]] == [card["info"] for card in expected]
    assert data["side"] == "front"
    plain = json.loads(CliRunner().invoke(main, ["scan", "--json", file]).output)["data"]
    assert plain["side"] == "front" and "cards" not in plain
    table = CliRunner().invoke(main, ["scan", "--multi", file]).output
    assert "2 cards" in table and "card 1  result 0  side back  rotate cw180" in table


def _counting_full_searches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the searches of a whole (blanked) photo that ``read_page`` makes."""
    import idcard_ocr.pipeline.blanked as blanked

    calls: list[int] = []
    search = blanked.straighten

    def counted(img: Any) -> Any:
        calls.append(1)
        return search(img)

    monkeypatch.setattr(blanked, "straighten", counted)
    return calls


@pytest.mark.parametrize("file", ["desk_0001.jpg", "desk_0002.jpg"])
def test_a_second_card_with_its_own_outline_costs_no_second_search(
    recognizer: Any, file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The photo's own search saw both outlines: the second card is taken from among them, and
    # once both are read the small glance shows no print left, so the photo is never searched again.
    calls = _counting_full_searches(monkeypatch)
    expected = truth_of(file)["cards"]
    page = read_page(recognizer, (PAGES / file).read_bytes(), all_cards=True)
    assert [data_of(card)["info"] for card in page.cards] == [card["info"] for card in expected]
    assert calls == []


def test_a_plain_answer_reads_no_card_of_the_side_it_does_not_want(
    recognizer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A lone back beside clutter (a bank card, receipt text) with room for another card: the
    # search for a front finds something card-like that reads as a back; the plain answer, which
    # wants a front, does not read it (nor would it answer with it).
    photo = (CARDS / "back_0010.jpg").read_bytes()
    alone = recognizer.recognize(photo)
    reads: list[str] = []
    read = recognizer.read_straightened

    def counted(decoded: Any, straight: Any, timings: Any, today: Any = None) -> Any:
        reads.append(straight.side)
        return read(decoded, straight, timings, today)

    monkeypatch.setattr(recognizer, "read_straightened", counted)
    page = read_page(recognizer, photo)
    assert reads == ["back"]  # the photo's own card, read once by the recogniser
    assert data_of(page.chosen) == data_of(alone) and page.chosen.side == "back"


def test_another_card_is_found_among_the_outlines_already_seen(recognizer: Any) -> None:
    from idcard_ocr.pipeline.decode import decode_image
    from idcard_ocr.pipeline.geometry import straighten, straighten_another
    from idcard_ocr.pipeline.multi import SAME_CARD_OVERLAP

    truths = {card["side"]: card for card in truth_of("desk_0001.jpg")["cards"]}
    decoded = decode_image((PAGES / "desk_0001.jpg").read_bytes())
    first = straighten(decoded.image)
    assert first is not None and first.located is not None
    found = [np.asarray(first.quad)]
    other = straighten_another(decoded.image, first.located, found, SAME_CARD_OVERLAP)
    assert other is not None and {first.side, other.side} == {"front", "back"}
    truth = np.asarray(truths[other.side]["quad"]) / decoded.scale
    width = float(np.linalg.norm(truth[1] - truth[0]))
    assert np.linalg.norm(np.asarray(other.quad) - truth, axis=1).max() < 0.03 * width
    found.append(np.asarray(other.quad))
    assert straighten_another(decoded.image, first.located, found, SAME_CARD_OVERLAP) is None


@pytest.mark.parametrize("file", ["copy_0001.jpg", "copy_0002.jpg"])
def test_the_glance_from_the_searchs_own_copy_sees_the_other_card_and_then_nothing(
    recognizer: Any, file: str
) -> None:
    # A copy page's cards come out a little narrower in the search's down-scaled copy than the
    # glance's own scale: its print must still count as print there, and a page whose cards are
    # both filled in must show none.
    from idcard_ocr.pipeline.blanked import Glance
    from idcard_ocr.pipeline.locate_print import MIN_TEXT_MARKS, text_marks

    first = recognizer.recognize((PAGES / file).read_bytes())
    view = first.view
    assert view is not None and view.located is not None and first.card_quad is not None
    found = np.asarray(first.card_quad) / view.scale
    glance = Glance.of(view.image, found, view.located)
    assert glance.image.shape == view.located.small.shape  # no second shrink of the photo
    glance.blank_out(found)
    assert text_marks(glance.image) >= 2 * MIN_TEXT_MARKS
    for card in truth_of(file)["cards"]:
        glance.blank_out(np.asarray(card["quad"]) / view.scale)
    assert not glance.has_print()


@needs_fonts
def test_the_glance_sees_a_side_copied_faint_beside_the_other() -> None:
    # A rough copy (tuned greyscan cards) whose upper side came out faint, just above the lower
    # one: once the lower card is filled in, the faint one's print stands less than a card's
    # print check wants above the paper, and must still count as print; with both filled in,
    # nothing is left.
    from idcard_ocr.pipeline.blanked import Glance
    from idcard_ocr.pipeline.decode import decode_image
    from idcard_ocr.pipeline.locate_print import MIN_TEXT_MARKS, text_marks
    from idcard_ocr.synth.identities import make_identities
    from idcard_ocr.synth.page import make_page

    photo = make_page(make_identities(1, seed=31)[0], "copy", "31:copy:0", family="greyscan", rough=True)
    decoded = decode_image(photo.jpeg)
    faint, lower = (np.asarray(card.quad) / decoded.scale for card in photo.cards)
    glance = Glance.of(decoded.image, lower)
    glance.blank_out(lower)
    assert text_marks(glance.image) < MIN_TEXT_MARKS  # a card's own print check sees none
    assert glance.has_print()
    glance.blank_out(faint)
    assert not glance.has_print()


def test_a_plain_answer_searches_the_whole_photo_once_beside_a_lone_back(
    recognizer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A lone back among a bank card and receipt text: the whole (blanked) photo is searched for a
    # front once; what that finds reads as a back (clutter), so it is not searched a second time.
    calls = _counting_full_searches(monkeypatch)
    photo = (CARDS / "back_0010.jpg").read_bytes()
    page = read_page(recognizer, photo)
    assert len(calls) == 1
    assert page.chosen.side == "back"


def _fronts_taken_for_backs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every further card that straightens as a front comes out as a back instead, upright as a
    back: the page's front misread by its layout, as a faint or stamped copy can be."""
    import idcard_ocr.pipeline.blanked as blanked
    import idcard_ocr.pipeline.multi as multi

    def as_back(find: Any) -> Any:
        def found(img: Any, *args: Any) -> Any:
            straight = find(img, *args)
            if straight is None or straight.side != "front":
                return straight
            return multi.straighten_as(img, np.asarray(straight.quad), "back")

        return found

    monkeypatch.setattr(blanked, "straighten", as_back(blanked.straighten))
    monkeypatch.setattr(multi, "straighten_another", as_back(multi.straighten_another))


@pytest.mark.parametrize("file", ["copy_0002.jpg", "desk_0001.jpg"])
def test_a_plain_answer_judges_a_page_read_as_two_backs_like_every_card(
    recognizer: Any, file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first card found is the back; the front, found next, is taken for a second back. Every
    # card's answer reads it again as a front (a page of two is one front and one back): the
    # plain answer, which wants the front, gets the same judgement instead of the back.
    _fronts_taken_for_backs(monkeypatch)
    photo = (PAGES / file).read_bytes()
    truths = {card["side"]: card for card in truth_of(file)["cards"]}
    every = read_page(recognizer, photo, all_cards=True)
    assert sorted(card.side for card in every.cards) == ["back", "front"]
    plain = read_page(recognizer, photo)
    assert plain.chosen.side == "front" and data_of(plain.chosen)["info"] == truths["front"]["info"]
    assert plain.cards == [plain.chosen]
    assert data_of(plain.chosen) == data_of(every.chosen)
