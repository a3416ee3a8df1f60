"""Rough copy pages (tuned ``warm`` cards) with one side copied faint: found where its print is
left, and told by its print when its reading says nothing of its side. A faint side alone on a
page (tuned ``greyscan`` cards) is found around its print too; one washed out is read as nothing."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from idcard_ocr.contract.card import data_of
from idcard_ocr.pipeline.multi import read_page
from tests.fonts import needs_fonts

pytestmark = pytest.mark.models


def _rough_warm_page(index: int = 11) -> Any:
    """Rough copy page ``index`` of seed 31 (tuned ``warm`` cards). Page 11: the front copied
    faint and turned a quarter, just above a back copied as it is. Page 17: a front turned
    half-way above a back turned a quarter, copied faint enough that its authority and term read
    as nothing, its emblem and title still clear."""
    from idcard_ocr.synth.identities import make_identities
    from idcard_ocr.synth.page import make_page

    identity = make_identities(index + 1, seed=31)[index]
    return make_page(identity, "copy", f"31:copy:{index}", family="warm", rough=True)


def _near(card: Any, truth: Any) -> bool:
    """The card found lies where the truth's does (centres within a fifth of its width)."""
    quad = np.asarray(truth.quad)
    width = float(np.linalg.norm(quad[1] - quad[0]))
    return float(np.linalg.norm(np.mean(card.card_quad, axis=0) - quad.mean(axis=0))) < 0.2 * width


@needs_fonts
def test_a_faint_side_is_found_where_its_print_is_left(recognizer: Any) -> None:
    # The back is found first. On the whole page, with the back filled in, the faint front's pale
    # edges and print are shrunk below what the search sees; around the print left, at a card's
    # scale, it is found, and read: its number exact.
    photo = _rough_warm_page()
    truths = {card.side: card for card in photo.cards}
    page = read_page(recognizer, photo.jpeg, all_cards=True)
    by_side = {card.side: card for card in page.cards}
    assert sorted(by_side) == ["back", "front"] and len(page.cards) == 2
    assert all(_near(by_side[side], truths[side]) for side in truths)
    front = data_of(by_side["front"])["info"]
    assert front["number"] == truths["front"].info["number"]
    assert data_of(by_side["back"])["info"]["authority"] == truths["back"].info["authority"]


@needs_fonts
def test_the_whole_page_search_alone_misses_the_faint_side(recognizer: Any) -> None:
    # What the search near the print left adds: on the same page, blanked as ``read_page``
    # blanks it, a search of the whole page finds no card.
    from idcard_ocr.pipeline.blanked import BlankedPhoto, straighten_near_print
    from idcard_ocr.pipeline.multi import _decoded_again, _decoded_quad
    from idcard_ocr.pipeline.quad import side_lengths
    from idcard_ocr.pipeline.straighten import straighten

    photo = _rough_warm_page()
    first = recognizer.recognize(photo.jpeg)
    assert first.side == "back" and first.card_quad is not None and first.view is not None
    decoded = _decoded_again(photo.jpeg, first)
    found = _decoded_quad(decoded, first.card_quad)
    blanked = BlankedPhoto(decoded.image, first.view.located)
    assert blanked.search([found]) is not None
    assert blanked.work is not None and straighten(blanked.work) is None
    assert blanked.glance is not None
    card_long = float(side_lengths(found).max())
    near = straighten_near_print(blanked.work, np.median(blanked.glance.print_left(), axis=0), card_long)
    assert near is not None and near.side == "front"


@needs_fonts
def test_a_faint_back_read_as_a_front_is_told_by_its_print(recognizer: Any) -> None:
    # Alone, the back reads nothing as a back and a name-shaped '中华' from its title as a front,
    # so it was reported as a second front. Beside a front whose fields all pass, its print (the
    # emblem and the title) matches the back's layout better: it is the page's back.
    photo = _rough_warm_page(17)
    truths = {card.side: card for card in photo.cards}
    page = read_page(recognizer, photo.jpeg, all_cards=True)
    by_side = {card.side: card for card in page.cards}
    assert sorted(by_side) == ["back", "front"] and len(page.cards) == 2
    assert all(_near(by_side[side], truths[side]) for side in truths)
    assert by_side["back"].rotate == truths["back"].rotate
    assert data_of(by_side["front"])["info"]["number"] == truths["front"].info["number"]


def _lone_copy(family: str, seed: int, index: int, side: str, rough: bool = False) -> Any:
    """A copy page holding one side of identity ``index`` alone (as ``bench/multi.py`` draws it)."""
    from idcard_ocr.synth.identities import make_identities
    from idcard_ocr.synth.page import make_page

    identity = make_identities(index + 1, seed=seed)[index]
    return make_page(identity, "copy", f"{seed}:copy:{index}", sides=(side,), family=family, rough=rough)


@needs_fonts
def test_a_faint_lone_side_is_found_around_its_print(recognizer: Any) -> None:
    # A back copied faint, alone on an A4 page (tuned ``greyscan`` cards, seed 7302, page 11):
    # shrunk with the page for the locating pass its pale edges and print make no outline and no
    # print block, and there is no other card to take a scale from. Around its print, at the
    # print's own scale, it is a card again.
    from idcard_ocr.pipeline.decode import decode_image
    from idcard_ocr.pipeline.geometry import straighten

    photo = _lone_copy("greyscan", 7302, 11, "back")
    assert straighten(decode_image(photo.jpeg).image) is None  # what the whole-photo search sees
    answer = recognizer.recognize(photo.jpeg)
    data = data_of(answer)
    assert answer.side == "back" and answer.rotate == photo.cards[0].rotate
    assert data["info"] == photo.cards[0].info
    assert all(data["validity"].values())
    assert _near(answer, photo.cards[0])


@needs_fonts
def test_a_washed_out_lone_side_is_read_as_nothing(recognizer: Any) -> None:
    # Copied so pale that only the stamp across it and the card's rim are left (seed 31, page 4,
    # rough): no card is found around its print either, and nothing comes back vouched for.
    photo = _lone_copy("greyscan", 31, 4, "back", rough=True)
    data = data_of(recognizer.recognize(photo.jpeg))
    assert not any(data["validity"].values())
