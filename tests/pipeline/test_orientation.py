"""Orientation: the API's ``rotate`` for cards turned every way, and the upright card it yields."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np
import pytest

from idcard_ocr.pipeline.decode import decode_image
from idcard_ocr.pipeline.geometry import straighten, straighten_frame
from idcard_ocr.pipeline.orientation import orient_card
from idcard_ocr.pipeline.quad import CARD_HEIGHT, CARD_WIDTH
from idcard_ocr.pipeline.side import layout_scores

TURNS = {0: None, 90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


@pytest.fixture(scope="module")
def drawn_cards(card_fonts: None) -> dict[str, np.ndarray]:
    """One upright canonical card per side, drawn by the synthetic card generator."""
    synth_card = pytest.importorskip("idcard_ocr.synth.card")
    identities = pytest.importorskip("idcard_ocr.synth.identities")
    rng = random.Random(11)
    identity = identities.make_identity(rng)
    cards = {}
    for side in ("front", "back"):
        drawn = synth_card.downscale(synth_card.draw_card(identity, side, rng))
        cards[side] = cv2.resize(drawn.bgr, (CARD_WIDTH, CARD_HEIGHT), interpolation=cv2.INTER_AREA)
    return cards


def _on_table(card: np.ndarray, turn: int) -> tuple[np.ndarray, np.ndarray]:
    """The card turned ``turn`` degrees clockwise, centred on a dark table; and its TL corner."""
    code = TURNS[turn]
    turned = card if code is None else cv2.rotate(card, code)
    table = np.full((1000, 1300, 3), (52, 70, 88), np.uint8)
    y, x = (1000 - turned.shape[0]) // 2, (1300 - turned.shape[1]) // 2
    table[y : y + turned.shape[0], x : x + turned.shape[1]] = turned
    h, w = turned.shape[:2]
    # Where the card's own top-left corner lands after a clockwise turn.
    top_left = {0: (x, y), 90: (x + w, y), 180: (x + w, y + h), 270: (x, y + h)}[turn]
    return table, np.array(top_left, dtype=np.float64)


@pytest.mark.parametrize("side", ["front", "back"])
@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_rotate_and_side_of_a_turned_card(drawn_cards: dict[str, np.ndarray], side: str, turn: int) -> None:
    photo, top_left = _on_table(drawn_cards[side], turn)
    result = straighten(photo)
    assert result is not None
    assert result.rotate == turn
    assert result.side == side
    assert np.linalg.norm(np.array(result.quad[0]) - top_left) < 3.0
    # Upright again: the straightened card matches the original drawing closely.
    diff = np.abs(result.card.astype(int) - drawn_cards[side].astype(int)).mean()
    assert diff < 12.0


def test_orient_card_turns_an_upside_down_quad(drawn_cards: dict[str, np.ndarray]) -> None:
    photo, _ = _on_table(drawn_cards["front"], 0)
    y, x = (1000 - CARD_HEIGHT) // 2, (1300 - CARD_WIDTH) // 2
    upside_down = np.array(
        [[x + CARD_WIDTH, y + CARD_HEIGHT], [x, y + CARD_HEIGHT], [x, y], [x + CARD_WIDTH, y]]
    )
    oriented = orient_card(photo, upside_down.astype(np.float64))
    assert oriented.rotate == 0
    assert oriented.side == "front"
    assert np.allclose(oriented.quad[0], [x, y])
    assert layout_scores(oriented.card).front > 0.4


def test_every_committed_photo_gets_its_rotate_and_side(
    card_photos: list[dict[str, Any]], photo_bytes: Callable[[str], bytes]
) -> None:
    wrong = []
    for record in card_photos:
        result = straighten(decode_image(photo_bytes(record["file"])).image)
        got = None if result is None else (result.side, result.rotate)
        if got != (record["side"], record["rotate"]):
            wrong.append(
                f"{record['file']} ({record['condition']}): {got} != {(record['side'], record['rotate'])}"
            )
    assert not wrong, wrong


@pytest.mark.parametrize("side", ["front", "back"])
def test_card_without_a_visible_edge_is_placed_from_its_print(
    drawn_cards: dict[str, np.ndarray], side: str
) -> None:
    """A card on paper of its own colour shows no outline; its print still gives side, turn, place."""
    card = drawn_cards[side]
    edge_colour = np.median(
        np.concatenate([card[5:15, 40:-40].reshape(-1, 3), card[-15:-5, 40:-40].reshape(-1, 3)]), axis=0
    )
    paper = np.empty((1000, 1300, 3), np.uint8)
    paper[:] = edge_colour.astype(np.uint8)
    paper[230 : 230 + CARD_HEIGHT, 222 : 222 + CARD_WIDTH] = card
    photo = cv2.rotate(paper, cv2.ROTATE_90_CLOCKWISE)
    result = straighten(photo)
    assert result is not None
    assert (result.side, result.rotate) == (side, 90)
    # Turned 90 clockwise, the card's top-left corner sits at the photo's (1000 - 230, 222).
    assert np.linalg.norm(np.array(result.quad[0]) - np.array([770.0, 222.0])) < 0.08 * CARD_WIDTH


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_a_photo_of_the_cards_shape_is_read_as_the_card_turned_its_way(
    drawn_cards: dict[str, np.ndarray], turn: int
) -> None:
    for side, card in drawn_cards.items():
        photo = card if TURNS[turn] is None else cv2.rotate(card, TURNS[turn])
        framed = straighten_frame(photo)
        assert framed is not None
        assert (framed.side, framed.rotate) == (side, turn)
        assert np.abs(framed.card.astype(int) - card.astype(int)).mean() < 8


def test_a_photo_of_another_shape_has_no_frame_card(drawn_cards: dict[str, np.ndarray]) -> None:
    square = cv2.resize(drawn_cards["front"], (540, 540))
    assert straighten_frame(square) is None
