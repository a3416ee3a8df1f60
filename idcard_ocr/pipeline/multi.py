"""Several cards in one photo: both sides of a card photocopied onto one page, two cards on a desk.

A thin layer around the single-card recogniser. The recogniser reads the most card-like card
in the photo; then, while the photo has room for another card, the next one is looked for:
first among the card outlines the recogniser's own search of the photo already found (a few
layout previews, no second search), else on the photo with the cards found filled in with the
page's own background (a faint copy of a card has no outline to find; a small glance at the
blanked photo first says whether any print is left to search, and where: a whole page that
shows no card is searched again around that print, at a card's scale). Each further card is
straightened and read on its own (its own outline, rotation and side). A card found cannot be
found, and so not read, twice; at most ``MAX_CARDS`` are looked for. Two cards read as the same
side are judged again: a page of two holds one front and one back of one identity.

    page = read_page(recognizer, jpeg_bytes, all_cards=True)
    page.cards        # every card found, in reading order (top to bottom, left to right)
    page.chosen       # the one card a plain answer gives (the front, unless asked otherwise)

Without ``all_cards`` a photo whose first card is already the preferred side is answered by the
recogniser alone, exactly as before: the search for another card runs only when the first card
found is the other side and a whole card of its size fits beside it in the photo, and a card
found there that is not the preferred side is not read, unless the photo then holds just two
cards of one size, both of the other side: that pair is judged as every card's is.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol, runtime_checkable

import numpy as np
from PIL import Image

from idcard_ocr.pipeline.blanked import BlankedPhoto
from idcard_ocr.pipeline.decode import DecodedImage, decode_image
from idcard_ocr.pipeline.geometry import (
    Straightened,
    print_side,
    side_margin,
    straighten_another,
    straighten_as,
)
from idcard_ocr.pipeline.quad import area, overlaps
from idcard_ocr.pipeline.types import Point, Recognition, Recognizer, Side
from idcard_ocr.pipeline.validate import back_validity, front_validity

# Four is more than a page of one identity ever holds (one front, one back) and enough to say
# that a page holds more; each card costs about one single-card recognition.
MAX_CARDS = 4
# A card covering more than this share of the photo leaves no room for another one beside it.
ROOM_FRACTION = 0.45
# Two cards that overlap by more than this share of the smaller are one card found twice.
SAME_CARD_OVERLAP = 0.3
# Two cards whose areas differ by more than this factor are not one card's two sides on one page.
SAME_SIZE_RATIO = 1.8
# A reading in which fewer than this share of its side's fields have their shape says nothing of
# the card's side: most print yields a stray value of a name's or a sex's shape.
UNSURE_READING = 0.5
# The margin a card read as a side known from the page is given: the most a layout margin can be,
# so that no reader second-guesses it.
SIDE_HELD = 2.0
EXIF_ORIENTATION = 0x0112


@runtime_checkable
class SingleCardReader(Protocol):
    """What this layer needs from the single-card recogniser (``CardRecognizer``)."""

    def recognize(self, image: bytes, today: date | None = None) -> Recognition: ...

    def read_straightened(
        self,
        decoded: DecodedImage,
        straight: Straightened,
        timings: dict[str, float],
        today: date | None = None,
    ) -> Recognition: ...


@dataclass
class PageRecognition:
    """Every card read from one photo, and the one card a plain answer gives."""

    cards: list[Recognition]  # reading order; the plain answer's card alone unless all were asked
    chosen: Recognition
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def crowded(self) -> bool:
        """More than one front and one back (or two of one side): not one identity's page."""
        sides = [card.side for card in self.cards if card.card_quad is not None]
        return len(sides) > 2 or len(sides) != len(set(sides))


def recognize_page(
    recognizer: Recognizer,
    image: bytes,
    prefer: Side | None = None,
    all_cards: bool = False,
    today: date | None = None,
) -> PageRecognition:
    """``recognizer``'s own ``read_page`` when it has one (a timing wrapper), else ``read_page``;
    dates checked as of ``today`` (the caller's date; the machine's when none is given)."""
    own = getattr(recognizer, "read_page", None)
    if own is not None:
        page: PageRecognition = own(image, prefer, all_cards, today)
        return page
    return read_page(recognizer, image, prefer, all_cards, today=today)


def read_page(
    recognizer: Recognizer,
    image: bytes,
    prefer: Side | None = None,
    all_cards: bool = False,
    limit: int = MAX_CARDS,
    today: date | None = None,
) -> PageRecognition:
    """Read the cards in ``image``: every one (``all_cards``), or just enough to give the plain
    answer's card, ``prefer`` (default ``front``: a KYC check needs its fields) when the photo
    holds it. Raises ``ImageDecodeError`` like the recogniser. A recogniser that cannot read a
    card found elsewhere (no ``read_straightened``) gives its one card."""
    started = time.perf_counter()
    today = today or date.today()  # one date for every card of the photo
    first = recognizer.recognize(image, today)
    timings = {"first": (time.perf_counter() - started) * 1000}
    wanted: Side = prefer or "front"
    cards = [first]
    found = first.card_quad
    if (
        isinstance(recognizer, SingleCardReader)
        and found is not None
        and (all_cards or first.side != wanted)
        # The photo's size from its header: a card filling the photo costs no second decode.
        and _room_for_another(_photo_size(image), np.asarray(found, np.float64), generous=all_cards)
    ):
        decoded = _decoded_again(image, first)
        located = first.view.located if first.view is not None else None
        photo_area = float(decoded.width * decoded.height)
        quads = [_decoded_quad(decoded, found)]
        blanked = BlankedPhoto(decoded.image, located)
        search_whole = True
        unread: list[Straightened] = []  # cards found, not read: not the side a plain answer wants
        while len(quads) < limit and _has_room(photo_area, quads):
            mark = time.perf_counter()
            # First among the outlines the photo's own search saw: a card with a clear outline
            # costs a few layout previews, not a search of the whole photo again. One without
            # (a faint copy of a card) is looked for on the photo with the cards found filled in.
            straight = None if located is None else straighten_another(
                decoded.image, located, quads, SAME_CARD_OVERLAP
            )
            if straight is None and search_whole:
                straight = blanked.search(quads)
                # For a plain answer, a whole search that finds a card of the side not wanted
                # has found clutter beside a lone card, or the page's other card read as its
                # side: one more whole search (as long as reading a card) would find no front.
                search_whole = all_cards or straight is None or straight.side == wanted
            timings[f"search{len(quads) + 1}"] = (time.perf_counter() - mark) * 1000
            if straight is None or _seen_before(np.asarray(straight.quad), quads):
                break
            quads.append(np.asarray(straight.quad, np.float64))
            if not all_cards and straight.side != wanted:
                # Not the side the plain answer looks for (on a lone card's photo, most often
                # clutter that passed for a card): not worth reading.
                unread.append(straight)
                continue
            mark = time.perf_counter()
            card = recognizer.read_straightened(decoded, straight, {}, today)
            timings[f"card{len(quads)}"] = (time.perf_counter() - mark) * 1000
            cards.append(card)
            if not all_cards and card.side == wanted:
                break  # the plain answer needs no more
        if all_cards and _two_of_one_side(cards):
            cards = _one_of_each(recognizer, decoded, cards, today)
        elif not all_cards:
            cards = _judged_for_plain(recognizer, decoded, cards, unread, wanted, today)
    chosen = _choose(cards, wanted)
    ordered = reading_order(cards) if all_cards else [chosen]
    timings["total"] = (time.perf_counter() - started) * 1000
    return PageRecognition(ordered, chosen, timings)


def _two_of_one_side(cards: list[Recognition]) -> bool:
    """Exactly two cards found, both placed, both read as the same side."""
    return len(cards) == 2 and cards[0].side == cards[1].side and all(c.card_quad for c in cards)


def _one_of_each(
    recognizer: SingleCardReader, decoded: DecodedImage, cards: list[Recognition], today: date
) -> list[Recognition]:
    """Two cards read as one side: a page of two cards is, nearly always, the front and the back
    of one identity, so the one less sure of its side (fewer fields that pass their checks, then
    the smaller layout margin between the sides) is read again as the other side, and that
    reading is kept when it fits that side better (``_reads_as_its_side``); when it does not, the
    other card is read again so. A faint or busy copy of one side can match the other's layout a
    little better, and a stray field read on it can pass, so the card less sure of its side is
    not always the one misread: a faint back beside a front taken for a back can be the weaker.
    A card whose reading says nothing of its side either way, beside one that reads surely, is
    the side its print shows (``_print_decides``). A true second card of the side (two people's
    fronts) read as the other side gives no value of that side's shape, has that side's print,
    and both stay as they were."""
    quads = [_decoded_quad(decoded, _quad_of(card)) for card in cards]
    weakest_first = sorted(
        range(len(cards)),
        key=lambda i: (sum(cards[i].validity.values()), side_margin(decoded.image, quads[i])),
    )
    other: Side = "back" if cards[0].side == "front" else "front"
    for i in weakest_first:
        straight = straighten_as(decoded.image, quads[i], other)
        again = recognizer.read_straightened(decoded, straight, {}, today)
        if _reads_as_its_side(again, today) > _reads_as_its_side(cards[i], today):
            return [again if j == i else card for j, card in enumerate(cards)]
        if _print_decides(decoded, quads[i], cards[i], cards[1 - i], today):
            if again.side != other:  # its reading, finding nothing, went back to the side it was
                again = recognizer.read_straightened(decoded, _side_held(straight), {}, today)
            return [again if j == i else card for j, card in enumerate(cards)]
    return cards


def _side_held(straight: Straightened) -> Straightened:
    """``straight`` as sure of its side as a card can be: a reader that finds nothing on it does
    not try it as the other side (the page, not the reading, says which side it is)."""
    return replace(straight, side_score=SIDE_HELD)


def _print_decides(
    decoded: DecodedImage, quad: np.ndarray, card: Recognition, partner: Recognition, today: date
) -> bool:
    """Whether a card of a page's pair is the other side than it was read as, by its print alone:
    its reading says nothing of its side (fewer than ``UNSURE_READING`` of that side's fields
    have their shape), the page's other card reads surely as that side, and the card's print
    matches the other side's layout better than its own. A faint back whose authority and term
    are all but gone, read as a front for a stray name of a name's shape (its reading as a back
    then gives nothing either), is told by its emblem and title; a second true card of the side
    (two people's fronts) has that side's print and stays."""
    if _reads_as_its_side(card, today)[0] >= UNSURE_READING:
        return False
    if _reads_as_its_side(partner, today)[0] < UNSURE_READING:
        return False
    return print_side(decoded.image, quad)[0] != card.side


def _judged_for_plain(
    recognizer: SingleCardReader,
    decoded: DecodedImage,
    cards: list[Recognition],
    unread: list[Straightened],
    wanted: Side,
    today: date,
) -> list[Recognition]:
    """A plain answer's cards judged as a page of two, like every card's (``_one_of_each``):
    when no card of the ``wanted`` side was read and the photo holds exactly one card besides
    the first, of the first's side, its front may have been read as a back. The card found but
    not read is read first (as its side, as ``all_cards`` would). Only a card of the first's
    size is taken for the page's other card (``_same_card_size``): clutter beside a lone card
    (a receipt, a bank card seen smaller) costs nothing more. The judgement stands only when it
    gives a card of the ``wanted`` side; else the answer is the one it was."""
    if any(card.side == wanted for card in cards) or len(cards) + len(unread) != 2:
        return cards
    placed = [_decoded_quad(decoded, card.card_quad) for card in cards if card.card_quad]
    quads = placed + [np.asarray(straight.quad, np.float64) for straight in unread]
    if len(quads) != 2 or not _same_card_size(*quads):
        return cards
    pair = cards + [recognizer.read_straightened(decoded, straight, {}, today) for straight in unread]
    if not _two_of_one_side(pair):
        return pair if any(card.side == wanted for card in pair) else cards
    judged = _one_of_each(recognizer, decoded, pair, today)
    return judged if any(card.side == wanted for card in judged) else cards


def _same_card_size(quad: np.ndarray, other: np.ndarray) -> bool:
    """Whether two cards could be one card's two sides, as a page of one identity shows them:
    within ``SAME_SIZE_RATIO`` of each other's area (copied at one scale, or photographed side
    by side from about one distance)."""
    ratio = area(quad) / max(area(other), 1.0)
    return 1.0 / SAME_SIZE_RATIO <= ratio <= SAME_SIZE_RATIO


def _reads_as_its_side(card: Recognition, today: date) -> tuple[float, int]:
    """How well a reading fits the side it was read as: the share of that side's fields whose
    values have their shape (a real authority and term, a number with its check digit, read
    surely or not: a faint copy's values may pass no sure check), then how many pass."""
    shapes = (front_validity if card.side == "front" else back_validity)(card.info, today)
    return sum(shapes.values()) / max(1, len(shapes)), sum(card.validity.values())


def _choose(cards: list[Recognition], wanted: Side) -> Recognition:
    """The first card of the wanted side that reads (``result`` 0), else the first card that
    reads, else the first found: a front whose fields all fail is no better an answer than a
    back that reads (and the photo is billed when any card reads)."""
    reads = [card for card in cards if any(card.validity.values())]  # the contract's result 0
    wanted_reads = [card for card in reads if card.side == wanted]
    return (wanted_reads or reads or cards)[0]


def reading_order(cards: list[Recognition]) -> list[Recognition]:
    """Top to bottom, and left to right within a row: cards whose vertical extents overlap by
    more than half the smaller one's height share a row."""
    placed = [c for c in cards if c.card_quad is not None]
    unplaced = [c for c in cards if c.card_quad is None]

    def span(card: Recognition) -> tuple[float, float]:
        ys = [y for _, y in _quad_of(card)]
        return min(ys), max(ys)

    rows: list[list[Recognition]] = []
    for card in sorted(placed, key=lambda c: span(c)[0]):
        top, bottom = span(card)
        if rows:
            row_top = min(span(c)[0] for c in rows[-1])
            row_bottom = max(span(c)[1] for c in rows[-1])
            shared = min(bottom, row_bottom) - max(top, row_top)
            if shared > 0.5 * min(bottom - top, row_bottom - row_top):
                rows[-1].append(card)
                continue
        rows.append([card])
    ordered = [c for row in rows for c in sorted(row, key=lambda c: min(x for x, _ in _quad_of(c)))]
    return ordered + unplaced


def _quad_of(card: Recognition) -> tuple[Point, Point, Point, Point]:
    assert card.card_quad is not None
    return card.card_quad


def _decoded_again(image: bytes, first: Recognition) -> DecodedImage:
    """The photo as the recogniser decoded it for ``first``: kept in its view (no second
    decode), else decoded anew."""
    view = first.view
    if view is None:
        return decode_image(image)
    size = (round(view.width * view.scale), round(view.height * view.scale))
    return DecodedImage(view.image, size, view.scale, "", 1, 0.0)


def _decoded_quad(decoded: DecodedImage, quad: tuple[Point, ...]) -> np.ndarray:
    """A quad in the uploaded photo's pixels, in the decoded image's pixels."""
    return np.asarray(quad, np.float64) / decoded.scale


def _photo_size(image: bytes) -> tuple[float, float]:
    """Width and height of an image the recogniser has decoded, as displayed (after its EXIF
    orientation, like the card's corners), read from its header alone."""
    with Image.open(io.BytesIO(image)) as photo:
        width, height = float(photo.width), float(photo.height)
        turned = photo.getexif().get(EXIF_ORIENTATION) in (5, 6, 7, 8)
    return (height, width) if turned else (width, height)


def _room_for_another(size: tuple[float, float], quad: np.ndarray, generous: bool) -> bool:
    """Whether a photo of ``size`` has room for another card than the one at ``quad``.

    Generous (every card was asked for): the area outside the card could hold one more. Else
    clearly: a whole card of the same size fits beside it (left, right, above or below its
    bounding box, either way round), so that most single-card photos are not searched again.
    """
    width, height = size
    if generous:
        return _has_room(width * height, [quad])
    sides = np.linalg.norm(quad - np.roll(quad, -1, axis=0), axis=1)
    long, short = max(sides[0], sides[2]), max(sides[1], sides[3])
    long, short = max(long, short), min(long, short)
    x0, y0 = quad.min(axis=0)
    x1, y1 = quad.max(axis=0)
    strips = ((x0, height), (width - x1, height), (width, y0), (width, height - y1))
    return any((a >= short and b >= long) or (a >= long and b >= short) for a, b in strips)


def _has_room(photo_area: float, quads: list[np.ndarray]) -> bool:
    """Whether the photo's area outside the cards found could hold one more of their size."""
    cards = [area(quad) for quad in quads]
    return sum(cards) <= photo_area * ROOM_FRACTION and photo_area - sum(cards) >= max(cards)


def _seen_before(quad: np.ndarray, quads: list[np.ndarray]) -> bool:
    """Whether ``quad`` is mostly one of ``quads`` again (a card the blanking did not remove)."""
    return overlaps(quad, quads, SAME_CARD_OVERLAP)
