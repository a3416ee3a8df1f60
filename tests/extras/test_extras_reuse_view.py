"""Extras measure the photo and card the recogniser already decoded and straightened.

The real recogniser on committed photos: what the extras answer from the view a recognition
carries is exactly what they answered when the photo was decoded and straightened again, for a
card lying upright, one lying upside down (its card cut again from the carried photo) and a back.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import numpy as np
import pytest

from idcard_ocr.api.extras import ExtraOptions, extras_for
from idcard_ocr.pipeline.assess import photo_view
from idcard_ocr.pipeline.geometry import CARD_HEIGHT, CARD_WIDTH, warp
from tests.extras.conftest import CARDS

pytestmark = pytest.mark.models
EVERYTHING = ExtraOptions(detail=True, crop_card=True, crop_portrait=True, quality=True, risk=True)
TODAY = date(2026, 12, 1)


@pytest.mark.parametrize("file", ["front_0001.jpg", "front_0003.jpg", "back_0007.jpg"])
def test_the_carried_view_answers_as_decoding_again_did(
    recognizer: Any, file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = (CARDS / file).read_bytes()
    recognition = recognizer.recognize(photo)
    view = recognition.view
    assert view is not None and view.quad is not None
    assert view.card is not None and view.card.shape == (CARD_HEIGHT, CARD_WIDTH, 3)
    assert np.array_equal(view.card, warp(view.image, view.quad))  # the very card a re-cut gives

    decoded_again = extras_for(EVERYTHING, photo, dataclasses.replace(recognition, view=None), today=TODAY)

    def no_second_decode(data: bytes) -> Any:
        raise AssertionError("the photo was decoded a second time")

    monkeypatch.setattr(photo_view, "decode_image", no_second_decode)
    carried = extras_for(EVERYTHING, photo, recognition, today=TODAY)
    assert carried == decoded_again
    assert set(carried) == {"detail", "cropCard", "cropPortrait", "quality", "risk"} - (
        {"cropPortrait"} if recognition.side == "back" else set()
    )


def test_a_photo_without_a_card_carries_a_view_without_one(recognizer: Any) -> None:
    recognition = recognizer.recognize((CARDS / "notcard_text.jpg").read_bytes())
    assert recognition.view is not None and recognition.view.quad is None and recognition.view.card is None
