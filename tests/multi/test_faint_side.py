"""A side copied faint beside the other on a copy page is found where its print is left."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from idcard_ocr.contract.card import data_of
from idcard_ocr.pipeline.multi import read_page
from tests.fonts import needs_fonts

pytestmark = pytest.mark.models


def _rough_warm_page() -> Any:
    """A rough copy page (tuned ``warm`` cards): the front copied faint and turned a quarter,
    just above a back copied as it is."""
    from idcard_ocr.synth.identities import make_identities
    from idcard_ocr.synth.page import make_page

    identity = make_identities(12, seed=31)[11]
    return make_page(identity, "copy", "31:copy:11", family="warm", rough=True)


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
    near = straighten_near_print(blanked.work, np.median(blanked.glance.print_left(), axis=0), found)
    assert near is not None and near.side == "front"
