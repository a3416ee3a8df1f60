"""Each quality flag fires on a photo made to raise it and stays quiet on clean cards.

Judged with the card's true corners (from the drawing), so these test the measures themselves;
``test_extras_end_to_end.py`` runs the same photos through the real recogniser.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from idcard_ocr.pipeline.assess import QualityReport, assess_quality, view_image
from idcard_ocr.pipeline.types import FRONT_FIELDS, FieldReading
from tests.extras import photos
from tests.extras.photos import CardPhoto

CLEAN_SEEDS = (("quality-a", "front"), ("quality-b", "back"), ("quality-c", "front"))


def _judge(photo: CardPhoto, fields: dict[str, FieldReading] | None = None) -> QualityReport:
    return assess_quality(view_image(photo.image, photo.quad), photo.side, fields or {}, ())


@pytest.fixture(scope="module")
def clean_cards(card_fonts: None) -> list[CardPhoto]:
    return [photos.clean_photo(seed, side) for seed, side in CLEAN_SEEDS]  # type: ignore[arg-type]


def test_clean_cards_raise_nothing_and_score_100(clean_cards: list[CardPhoto]) -> None:
    for card in clean_cards:
        report = _judge(card)
        assert report.flags == dict.fromkeys(report.flags, False), (card.side, report.metrics)
        assert report.score == 100
        assert report.metrics["cardFound"] == 1.0


DAMAGE: list[tuple[str, Callable[[CardPhoto], CardPhoto]]] = [
    ("blur", photos.blurred),
    ("glare", photos.with_glare),
    ("occluded", photos.with_thumb),
    ("cutOff", photos.cut_off),
    ("tooSmall", photos.shrunk),
]


@pytest.mark.parametrize(("flag", "damage"), DAMAGE, ids=[flag for flag, _ in DAMAGE])
def test_each_damage_raises_its_flag_and_lowers_the_score(
    clean_cards: list[CardPhoto], flag: str, damage: Callable[[CardPhoto], CardPhoto]
) -> None:
    for card in clean_cards:
        report = _judge(damage(card))
        assert report.flags[flag], (card.side, report.metrics)
        assert report.score < 100
        # None of these changes the card's exposure.
        assert not report.flags["overexposed"] and not report.flags["underexposed"]


def test_a_dark_photo_is_underexposed_and_a_washed_out_one_overexposed(clean_cards: list[CardPhoto]) -> None:
    card = clean_cards[0]
    dark = _judge(card.with_image((card.image * 0.2).astype("uint8")))
    bright = _judge(card.with_image((card.image.astype("float32") * 1.8).clip(0, 255).astype("uint8")))
    assert dark.flags["underexposed"] and not dark.flags["overexposed"]
    assert bright.flags["overexposed"] and not bright.flags["underexposed"]
    assert not bright.flags["glare"]  # a washed-out card is exposure, not a spot of glare


def test_unread_fields_on_a_sharp_card_count_as_covered(clean_cards: list[CardPhoto]) -> None:
    card = clean_cards[0]
    read = {key: FieldReading("x", 0.95) for key in FRONT_FIELDS}
    two_missing = {**read, "address": FieldReading("", 0.0), "number": FieldReading("1", 0.2)}
    view = view_image(card.image, card.quad)
    assert not assess_quality(view, "front", read, FRONT_FIELDS).flags["occluded"]
    covered = assess_quality(view, "front", two_missing, FRONT_FIELDS)
    assert covered.flags["occluded"] and covered.metrics["unreadFields"] == 2


def test_no_card_scores_zero_with_no_flag_raised(clean_cards: list[CardPhoto]) -> None:
    report = assess_quality(view_image(clean_cards[0].image, None), "front", {}, FRONT_FIELDS)
    assert report.score == 0 and not any(report.flags.values())
    assert report.metrics == {"cardFound": 0.0}


def test_a_degenerate_outline_counts_as_no_card(clean_cards: list[CardPhoto]) -> None:
    from idcard_ocr.pipeline.assess import view_photo
    from idcard_ocr.pipeline.types import Recognition

    flat = ((10.0, 10.0), (200.0, 10.0), (400.0, 10.0), (600.0, 10.0))  # four points on a line
    view = view_photo(clean_cards[0].jpeg(), Recognition(True, card_quad=flat))
    assert view.quad is None and view.card is None
