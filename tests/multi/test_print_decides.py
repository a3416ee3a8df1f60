"""A back whose authority and term are all but gone, read as a front for a stray name, is told
by its print when the page's other card reads surely as the front."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from idcard_ocr.contract.card import data_of
from idcard_ocr.pipeline.multi import read_page
from tests.fonts import needs_fonts

pytestmark = pytest.mark.models


def _rough_warm_page() -> Any:
    """A rough copy page (tuned ``warm`` cards): a front turned half-way above a back turned a
    quarter, copied faint enough that its authority and term read as nothing, its emblem and
    title still clear."""
    from idcard_ocr.synth.identities import make_identities
    from idcard_ocr.synth.page import make_page

    identity = make_identities(18, seed=31)[17]
    return make_page(identity, "copy", "31:copy:17", family="warm", rough=True)


def _near(card: Any, truth: Any) -> bool:
    quad = np.asarray(truth.quad)
    width = float(np.linalg.norm(quad[1] - quad[0]))
    return float(np.linalg.norm(np.mean(card.card_quad, axis=0) - quad.mean(axis=0))) < 0.2 * width


@needs_fonts
def test_a_faint_back_read_as_a_front_is_told_by_its_print(recognizer: Any) -> None:
    # Alone, the back reads nothing as a back and a name-shaped '中华' from its title as a front,
    # so it was reported as a second front. Beside a front whose fields all pass, its print (the
    # emblem and the title) matches the back's layout better: it is the page's back.
    photo = _rough_warm_page()
    truths = {card.side: card for card in photo.cards}
    page = read_page(recognizer, photo.jpeg, all_cards=True)
    by_side = {card.side: card for card in page.cards}
    assert sorted(by_side) == ["back", "front"] and len(page.cards) == 2
    assert all(_near(by_side[side], truths[side]) for side in truths)
    assert by_side["back"].rotate == truths["back"].rotate
    assert data_of(by_side["front"])["info"]["number"] == truths["front"].info["number"]
