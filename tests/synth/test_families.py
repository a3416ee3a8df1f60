"""Card families: each really varies what it claims (print positions, fonts, art), the held-out
family shares no font with the tuned ones, and every card's answers stay consistent."""

from __future__ import annotations

import json
import random
from pathlib import Path

import cv2
import numpy as np
import pytest

from idcard_ocr.domain.id_number import parse_number
from idcard_ocr.domain.regions import address_province_matches
from idcard_ocr.synth.art_styles import STAMP_PURPOSES, STAMP_TEXTS
from idcard_ocr.synth.card import CardImage, draw_card
from idcard_ocr.synth.dataset import photo_case
from idcard_ocr.synth.families import CLASSIC, FAMILIES, HELDOUT_FAMILY, TUNED_FAMILIES, get_family
from idcard_ocr.synth.identities import make_identity
from tests.fonts import needs_fonts
from tests.synth.conftest import CARDS_DIR

pytestmark = needs_fonts
MM = 20  # drawing resolution, px per mm


def _fronts(family: str, count: int) -> list[CardImage]:
    person = make_identity(random.Random(5), address_lines=2)
    return [draw_card(person, "front", random.Random(f"f{i}"), get_family(family)) for i in range(count)]


@pytest.fixture(scope="module")
def heldout_fronts() -> list[CardImage]:
    return _fronts(HELDOUT_FAMILY, 8)


def test_classic_family_draws_the_committed_cards_byte_for_byte(tmp_path: Path) -> None:
    # The committed set was drawn before families existed; case 0 of tools/make_testset.py.
    truth = json.loads((CARDS_DIR / "truth.json").read_text(encoding="utf-8"))
    identity = make_identity(random.Random("20260601:identity:0"))
    record = photo_case(tmp_path, "front_0001.jpg", identity, "front", "clean", 0, "20260601:photo:0", 1280)
    assert (tmp_path / "front_0001.jpg").read_bytes() == (CARDS_DIR / "front_0001.jpg").read_bytes()
    assert record["info"] == truth[0]["info"] and "family" not in record


def test_held_out_print_moves_by_the_jitter(heldout_fronts: list[CardImage]) -> None:
    jitter = get_family(HELDOUT_FAMILY).jitter
    starts = [card.boxes["name"][0][0] / MM for card in heldout_fronts]
    # The name's left edge wanders over millimetres, never more than block + field + gap jitter.
    assert max(starts) - min(starts) > 2.0
    assert all(abs(x - 16) <= jitter.block_mm + jitter.field_mm + jitter.gap_mm + 0.6 for x in starts)
    for card in heldout_fronts:  # where the ink is matches the recorded offset (glyph bearing aside)
        assert card.boxes["name"][0][0] / MM == pytest.approx(16 + card.offsets_mm["name"][0], abs=0.6)
        moves = {
            round(card.offsets_mm[k][0] - card.offsets_mm["block"][0], 2) for k in ("name", "sex", "address")
        }
        assert len(moves) == 3  # each field moves on its own, not only the block
    blocks = [card.offsets_mm["block"] for card in heldout_fronts]
    assert max(abs(b[1]) for b in blocks) > 1.0 and all(abs(c) <= jitter.block_mm for b in blocks for c in b)


def test_classic_print_stays_at_the_layout() -> None:
    for card in _fronts("classic", 4):
        assert card.boxes["name"][0][0] / MM == pytest.approx(16, abs=0.6)
        assert card.boxes["number"][0][0] / MM == pytest.approx(27.5, abs=0.6)
        assert card.offsets_mm == {} and card.family == "classic"


def test_jittered_print_stays_on_the_card_and_left_of_the_portrait(heldout_fronts: list[CardImage]) -> None:
    for card in heldout_fronts:
        height, width = card.bgr.shape[:2]
        for key, ((x0, y0), _, (x1, y1), _) in card.boxes.items():
            # 2.6 mm inside every edge: a crop 2 mm inside the card never cuts a character.
            assert x0 >= 2.0 * MM and y0 >= 2.0 * MM and x1 <= width - 2.0 * MM and y1 <= height - 2.0 * MM, (
                key
            )
        portrait_left = (55 + card.offsets_mm["block"][0]) * MM
        assert card.boxes["name"][1][0] <= portrait_left + 1


def test_held_out_fonts_are_its_own() -> None:
    held = get_family(HELDOUT_FAMILY)
    held_fonts = {*(held.label_fonts or ()), *(held.value_fonts or ()), *held.number_fonts}
    for name in TUNED_FAMILIES:
        family = get_family(name)
        tuned_fonts = {*(family.label_fonts or ()), *(family.value_fonts or ()), *family.number_fonts}
        if family is CLASSIC:
            tuned_fonts |= {"wqy-zenhei", "wqy-microhei", "noto-sans", "noto-sans-bold", "noto-serif"}
            tuned_fonts |= {"noto-serif-bold", "ukai", "uming"}
        assert not held_fonts & tuned_fonts, name
    assert HELDOUT_FAMILY not in TUNED_FAMILIES and not held.tuned


def test_drawn_cards_use_their_family_fonts(heldout_fronts: list[CardImage]) -> None:
    held = get_family(HELDOUT_FAMILY)
    used = {card.fonts["value"] for card in heldout_fronts} | {card.fonts["label"] for card in heldout_fronts}
    assert used <= {*(held.label_fonts or ()), *(held.value_fonts or ())}
    assert len(used) >= 3  # the choice varies from card to card
    warm = _fronts("warm", 4)
    assert {c.fonts["value"] for c in warm} <= set(get_family("warm").value_fonts or ())
    # The number: the held-out family's own face on every card, a tuned family's faces on its.
    assert {card.fonts["number"] for card in heldout_fronts} == {"ocr-b-sharp"}
    assert {c.fonts["number"] for c in warm} <= set(get_family("warm").number_fonts)


def test_families_differ_in_art() -> None:
    person = make_identity(random.Random(3))
    means = {}
    for name in FAMILIES:
        card = draw_card(person, "back", random.Random(1), get_family(name))
        means[name] = card.bgr.reshape(-1, 3).mean(axis=0)
    names = list(means)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert np.abs(means[a] - means[b]).max() > 1.5, (a, b)


def test_grey_scan_family_is_grey_and_low_in_contrast() -> None:
    card = _fronts("greyscan", 1)[0]
    b, g, r = (card.bgr[..., i].astype(int) for i in range(3))
    assert (b == g).all() and (g == r).all()
    grey = card.bgr[..., 0]
    assert grey.min() >= 55 and np.percentile(grey, 99) <= 225  # ink lightened, paper darkened


def test_stamps_lie_over_the_text_and_say_what_stamps_say() -> None:
    person = make_identity(random.Random(4))
    stamped = [
        card
        for i in range(12)
        if (card := draw_card(person, "front", random.Random(f"s{i}"), get_family("warm"))).marks
    ]
    assert stamped, "a family with a 30% stamp chance stamps some of 12 cards"
    texts = {t.format(p) for t in STAMP_TEXTS for p in STAMP_PURPOSES}
    for card in stamped:
        assert set(card.marks) <= texts
        hsv = cv2.cvtColor(card.bgr, cv2.COLOR_BGR2HSV)
        # Reddish pixels (hue near 0 or 180, some saturation) where a red stamp was printed.
        red = ((hsv[..., 0] < 8) | (hsv[..., 0] > 170)) & (hsv[..., 1] > 40)
        assert red[: 45 * MM, : 55 * MM].sum() > 200


@pytest.mark.parametrize("family", list(FAMILIES))
def test_answers_stay_consistent_in_every_family(family: str) -> None:
    for i in range(3):
        person = make_identity(random.Random(f"{family}{i}"), address_lines=1 + i)
        card = draw_card(person, "front", random.Random(i), get_family(family))
        facts = parse_number(person.number)
        assert facts is not None and facts.sex == person.sex
        assert address_province_matches("".join(person.address_lines), person.number[:6])
        assert {f"address_{k}" for k in range(1, i + 2)} <= set(card.boxes)


def test_layout_jitter_spans_its_ranges_and_classic_draws_nothing() -> None:
    from idcard_ocr.synth.layout import FRONT_ROWS, FRONT_VALUES, PrintLayout

    jitter = get_family(HELDOUT_FAMILY).jitter
    layouts = [PrintLayout.draw(jitter, random.Random(i), FRONT_ROWS, FRONT_VALUES) for i in range(200)]
    scales = [lay.value_scale for lay in layouts]
    assert 0.9 <= min(scales) < 0.93 and 1.07 < max(scales) <= 1.1  # character size +-10%
    gaps = [lay.gap for lay in layouts]
    assert min(gaps) < -1.2 and max(gaps) > 1.2 and max(map(abs, gaps)) <= jitter.gap_mm
    letters = [lay.letter for lay in layouts]
    assert min(letters) >= 0 and max(letters) > 0.6 and max(letters) <= jitter.letter_mm
    label_dx = [lay.labels["number"][0] for lay in layouts]  # e.g. one label row further left
    assert min(label_dx) < -1.2 and max(label_dx) > 1.2
    rng = random.Random(7)
    state = rng.getstate()
    assert PrintLayout.draw(CLASSIC.jitter, rng, FRONT_ROWS, FRONT_VALUES).moves is False
    assert rng.getstate() == state  # the classic family's cards keep every draw they had


def test_ledger_family_draws_faces_no_other_family_uses_and_keeps_print_on_the_card() -> None:
    ledger = get_family("ledger")
    own = {*(ledger.label_fonts or ()), *(ledger.value_fonts or ())}
    for name, family in FAMILIES.items():
        if name != "ledger":
            assert not own & {*(family.label_fonts or ()), *(family.value_fonts or ())}, name
    assert "ledger" in TUNED_FAMILIES
    cards = _fronts("ledger", 6)
    assert {c.fonts["value"] for c in cards} <= own and len({c.fonts["value"] for c in cards}) >= 2
    for card in cards:  # the print stays on the card, 2 mm inside its edge, whatever the jitter
        height, width = card.bgr.shape[:2]
        for key, ((x0, y0), _, (x1, y1), _) in card.boxes.items():
            assert x0 >= 2.0 * MM and y0 >= 2.0 * MM and x1 <= width - 2.0 * MM and y1 <= height - 2.0 * MM, (
                key
            )
