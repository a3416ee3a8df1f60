"""Generated photos with several cards: seeded, grey where photocopied, truth where the cards lie."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from idcard_ocr.synth.identities import make_identity
from idcard_ocr.synth.page import make_page
from tests.fonts import needs_fonts

pytestmark = needs_fonts


def _decoded(jpeg: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return image


@pytest.mark.parametrize("kind", ["copy", "desk"])
def test_a_page_holds_both_sides_of_one_identity_where_its_truth_says(kind: str) -> None:
    identity = make_identity(random.Random(3))
    page = make_page(identity, kind, "seed-1")
    assert page == make_page(identity, kind, "seed-1")  # same seed, same bytes and truth
    assert sorted(card.side for card in page.cards) == ["back", "front"]
    image = _decoded(page.jpeg)
    assert image.shape[:2] == (page.height, page.width)
    front = next(card for card in page.cards if card.side == "front")
    assert front.info == identity.front_info()
    for card in page.cards:
        quad = np.asarray(card.quad)
        assert (quad >= 0).all() and (quad[:, 0] <= page.width).all() and (quad[:, 1] <= page.height).all()
        width = float(np.linalg.norm(quad[1] - quad[0]))
        assert abs(width / float(np.linalg.norm(quad[3] - quad[0])) - 85.6 / 54) < 0.05
    # Reading order: the first card is above (copy page) or left of (desk) the second.
    first, second = (np.asarray(card.quad).mean(axis=0) for card in page.cards)
    assert first[1] < second[1] if kind == "copy" else first[0] < second[0]


def test_a_copy_page_is_grey_and_a_desk_photo_is_not() -> None:
    identity = make_identity(random.Random(4))
    copy = _decoded(make_page(identity, "copy", "s").jpeg).astype(int)
    desk = _decoded(make_page(identity, "desk", "s").jpeg).astype(int)
    assert np.abs(copy[..., 0] - copy[..., 2]).mean() < 3
    assert np.abs(desk[..., 0] - desk[..., 2]).mean() > 3


def test_one_side_alone_gives_the_single_card_photo_of_the_same_conditions() -> None:
    identity = make_identity(random.Random(5))
    alone = make_page(identity, "copy", "s", sides=("back",))
    assert [card.side for card in alone.cards] == ["back"] and alone.cards[0].info == identity.back_info()


def test_a_page_of_the_held_out_family_is_drawn_differently_with_the_same_truth() -> None:
    identity = make_identity(random.Random(6))
    classic = make_page(identity, "desk", "s")
    heldout = make_page(identity, "desk", "s", family="heldout")
    assert heldout == make_page(identity, "desk", "s", family="heldout")  # seeded in each family
    assert heldout.jpeg != classic.jpeg
    assert [(c.side, c.info) for c in heldout.cards] == [(c.side, c.info) for c in classic.cards]
    with pytest.raises(ValueError, match="unknown card family"):
        make_page(identity, "desk", "s", family="no-such-family")


def test_a_rough_copy_lays_its_cards_close_and_leaves_plain_copies_as_they_were() -> None:
    identity = make_identity(random.Random(7))
    plain = make_page(identity, "copy", "s")
    assert make_page(identity, "copy", "s", rough=False) == plain  # no draw more unless asked
    gaps = []
    for seed in ("s", "t", "u"):
        rough = make_page(identity, "copy", seed, rough=True)
        assert sorted(card.side for card in rough.cards) == ["back", "front"]
        upper, lower = (np.asarray(card.quad) for card in rough.cards)
        width = float(np.linalg.norm(upper[1] - upper[0]))
        gaps.append((lower[:, 1].min() - upper[:, 1].max()) / width)
    # Each card lies just below the other: at most a few per cent of a card apart, or overlapping.
    assert all(-0.05 <= gap <= 0.07 for gap in gaps)
    upper, lower = (np.asarray(card.quad) for card in plain.cards)
    assert lower[:, 1].min() - upper[:, 1].max() > 0.2 * float(np.linalg.norm(upper[1] - upper[0]))
