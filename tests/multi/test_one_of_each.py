"""Two cards of a page read as the same side: the one less sure of it is read as the other."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest

from idcard_ocr.pipeline.decode import DecodedImage
from idcard_ocr.pipeline.multi import _one_of_each, _two_of_one_side
from idcard_ocr.pipeline.types import Recognition

TODAY = date(2026, 1, 1)


def _card(x: float, side: str, valid: int) -> Recognition:
    quad = ((x, 50.0), (x + 317.0, 50.0), (x + 317.0, 250.0), (x, 250.0))
    validity = {f"field{i}": True for i in range(valid)}
    return Recognition(True, side, card_quad=quad, validity=validity)  # type: ignore[arg-type]


class _Reader:
    """Reads ``passes[side]`` fields that pass their checks, whichever card it is given."""

    def __init__(self, passes: dict[str, int]) -> None:
        self.passes = passes
        self.read: list[str] = []

    def recognize(self, image: bytes, today: date | None = None) -> Recognition:
        raise AssertionError("not called")

    def read_straightened(self, decoded: Any, straight: Any, timings: Any, today: Any = None) -> Recognition:
        self.read.append(straight.side)
        return _card(straight.quad[0][0], straight.side, self.passes[straight.side])


def _decoded() -> DecodedImage:
    return DecodedImage(np.full((300, 800, 3), 200, np.uint8), (800, 300), 1.0, "JPEG", 1, 0.0)


def test_the_card_that_reads_worse_is_read_again_as_the_other_side() -> None:
    cards = [_card(20, "back", 0), _card(420, "back", 2)]  # a front taken for a back, and a back
    assert _two_of_one_side(cards)
    reader = _Reader({"front": 5, "back": 0})
    page = _one_of_each(reader, _decoded(), cards, TODAY)
    assert reader.read == ["front"]
    assert [card.side for card in page] == ["front", "back"] and page[1] is cards[1]


def test_a_true_second_card_of_one_side_stays_as_it_was() -> None:
    cards = [_card(20, "front", 5), _card(420, "front", 4)]  # two people's fronts
    reader = _Reader({"front": 4, "back": 0})
    assert _one_of_each(reader, _decoded(), cards, TODAY) == cards
    assert reader.read == ["back", "back"]  # each read once as the other side, no more


class _ByCard(_Reader):
    """Reads ``passes[(x, side)]`` fields that pass: each card as it truly reads as each side."""

    def __init__(self, passes: dict[tuple[float, str], int]) -> None:
        self.by_card = passes
        self.read = []

    def read_straightened(self, decoded: Any, straight: Any, timings: Any, today: Any = None) -> Recognition:
        self.read.append(straight.side)
        x = min(corner[0] for corner in straight.quad)
        return _card(x, straight.side, self.by_card[(x, straight.side)])


def test_when_the_weaker_card_is_the_true_one_the_other_is_read_again() -> None:
    # A faint back (one field passes) beside a front taken for a back (a stray field passes): the
    # back, no surer of its side, is read as a front first and gives none; the other then reads
    # as the front it is.
    cards = [_card(20, "back", 1), _card(420, "back", 1)]
    reader = _ByCard({(20.0, "front"): 0, (420.0, "front"): 5})
    page = _one_of_each(reader, _decoded(), cards, TODAY)
    assert reader.read == ["front", "front"]
    assert [card.side for card in page] == ["back", "front"] and page[0] is cards[0]
    assert sum(page[1].validity.values()) == 5


def test_only_two_placed_cards_of_one_side_are_judged_again() -> None:
    assert not _two_of_one_side([_card(20, "front", 5), _card(420, "back", 4)])
    assert not _two_of_one_side([_card(20, "front", 5)])
    assert not _two_of_one_side([_card(20, "back", 0), _card(420, "back", 0), _card(20, "front", 3)])
    assert not _two_of_one_side([_card(20, "back", 0), Recognition(True, "back")])


def _found(x: float, side: str, scale: float = 1.0) -> Any:
    """A card found but not read (the plain answer skips a card of the side it does not want)."""
    from idcard_ocr.pipeline.geometry import Straightened

    right, bottom = x + 317.0 * scale, 50.0 + 200.0 * scale
    quad = ((x, 50.0), (right, 50.0), (right, bottom), (x, bottom))
    return Straightened(np.zeros((540, 856, 3), np.uint8), quad, 0, side, 0.1)  # type: ignore[arg-type]


def test_a_plain_answer_reads_the_skipped_card_of_one_size_and_judges_the_pair() -> None:
    from idcard_ocr.pipeline.multi import _judged_for_plain

    cards = [_card(20, "back", 2)]  # the first card, a back that reads
    reader = _Reader({"front": 5, "back": 0})
    page = _judged_for_plain(reader, _decoded(), cards, [_found(420, "back")], "front", TODAY)
    assert reader.read == ["back", "front"]  # read as found, then judged: the weaker again as a front
    assert [card.side for card in page] == ["back", "front"] and page[0] is cards[0]


def test_a_plain_answer_reads_no_clutter_of_another_size_beside_a_lone_card() -> None:
    from idcard_ocr.pipeline.multi import _judged_for_plain

    cards = [_card(20, "back", 2)]
    reader = _Reader({"front": 5, "back": 0})
    assert _judged_for_plain(reader, _decoded(), cards, [_found(420, "back", 0.4)], "front", TODAY) is cards
    assert reader.read == []


def test_a_plain_judgement_that_finds_no_front_leaves_the_answer_as_it_was() -> None:
    from idcard_ocr.pipeline.multi import _judged_for_plain

    cards = [_card(20, "back", 2)]
    reader = _Reader({"front": 0, "back": 1})  # the other card is a second back: no front anywhere
    assert _judged_for_plain(reader, _decoded(), cards, [_found(420, "back")], "front", TODAY) is cards


def _read(x: float, side: str, info: dict[str, str]) -> Recognition:
    """A card at ``x`` read as ``side`` with ``info``, its checks those of its side's rules."""
    from idcard_ocr.pipeline.validate import back_validity, front_validity

    card = _card(x, side, 0)
    card.info = dict(info)
    card.validity = (front_validity if side == "front" else back_validity)(card.info, TODAY)
    return card


class _FaintBack(_Reader):
    """The card at x 420 is a faint back: read as a back it gives nothing, and unless its side is
    held, the reader finding nothing goes back to the front that a stray name made of it."""

    def __init__(self) -> None:
        self.read = []

    def read_straightened(self, decoded: Any, straight: Any, timings: Any, today: Any = None) -> Recognition:
        from idcard_ocr.pipeline.multi import SIDE_HELD

        held = straight.side_score == SIDE_HELD
        self.read.append(f"{straight.side}{' held' if held else ''}")
        if straight.side == "back" and held:
            return _read(420, "back", {"authority": "", "timelimit": ""})
        return _read(420, "front", {"name": "中华"})


def _sure_front() -> dict[str, str]:
    from idcard_ocr.synth.identities import make_identities

    return make_identities(1, seed=31, today=TODAY)[0].front_info()


def test_a_card_read_as_a_side_for_a_stray_name_is_the_side_its_print_shows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from idcard_ocr.pipeline import multi

    by_place = lambda image, quad: ("front" if quad[0][0] < 400 else "back", 0.2)  # noqa: E731
    monkeypatch.setattr(multi, "print_side", by_place)
    cards = [_read(20, "front", _sure_front()), _read(420, "front", {"name": "中华"})]
    assert _two_of_one_side(cards) and sum(cards[1].validity.values()) == 1
    reader = _FaintBack()
    page = _one_of_each(reader, _decoded(), cards, TODAY)
    # Read as a back it gives nothing and falls back to the front; its print, beside a sure
    # front, is a back's: it is read again as a back, held there.
    assert reader.read == ["back", "back held"]
    assert [card.side for card in page] == ["front", "back"] and page[0] is cards[0]


def test_a_weak_card_whose_print_is_its_sides_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    from idcard_ocr.pipeline import multi

    monkeypatch.setattr(multi, "print_side", lambda image, quad: ("front", 0.2))
    cards = [_read(20, "front", _sure_front()), _read(420, "front", {"name": "中华"})]
    page = _one_of_each(_FaintBack(), _decoded(), cards, TODAY)
    assert page == cards  # a second front's print (two people's cards): no reading decides, nor print


def test_a_weak_pair_is_not_decided_by_print(monkeypatch: pytest.MonkeyPatch) -> None:
    from idcard_ocr.pipeline import multi

    monkeypatch.setattr(multi, "print_side", lambda image, quad: ("back", 0.2))
    cards = [_read(20, "front", {"name": "张三"}), _read(420, "front", {"name": "中华"})]
    assert _one_of_each(_FaintBack(), _decoded(), cards, TODAY) == cards  # neither reads surely
