"""The photo with the cards found filled in, searched for one more card.

A faint copy of a card has no outline to find among the ones the recogniser's own search saw, so
``read_page`` fills each card found with the page's own background and searches what is left. A
small copy of that photo, the glance, says first whether any print is left, and where: a whole
page that shows no card is searched again around that print, at a card's scale.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from idcard_ocr.pipeline.geometry import Straightened, straighten
from idcard_ocr.pipeline.locate import LocatePass
from idcard_ocr.pipeline.locate_print import MIN_TEXT_MARKS, text_mark_centres
from idcard_ocr.pipeline.quad import side_lengths

# The blanked region is the card grown by this share of its size on each side: its soft edge,
# shadow and the copier's dark rim go too, so that no outline of it is found again.
BLANK_GROW = 0.06
BLANK_RING = 0.06  # the background's colour is the median of a ring this wide around that
# Before each search the page is glanced at with its cards this wide (pixels): a card's print then
# gives 15-65 glyph-like marks, a page whose cards are all blanked out none (copy pages and desk
# photos alike).
GLANCE_CARD_WIDTH = 200.0
# ... or down to this share of that width, when the search's own down-scaled copy shows it so (a
# copy page's cards come out about 185 pixels wide there): print still counts several times over.
GLANCE_FROM_LOCATING = 0.9
# The glance counts a stroke as print from this many grey levels darker than the paper around it
# (a card's own print check wants 35): a side copied faint beside a dark one keeps glyph-like
# marks only between about 18 and 35 levels at the glance's scale, while a page whose cards are
# all blanked out still gives none (tuned copy pages and desk photos alike).
GLANCE_INK_CONTRAST = 18
# A search of the whole page that finds no card is followed by one in a window this many of the
# first card's long sides across, around the print left (the middle of its glyph-like marks):
# the card at any turn with room for its outline, at a card's scale; not when the window is
# this share of the photo or more (no smaller than the page already searched).
NEAR_PRINT_WINDOW = 1.6
NEAR_PRINT_MAX_SHARE = 0.7
# A lone card with no outline found: the card is taken to be this many times as wide and as tall
# as its print's marks spread (the middle 90% of them), the window set as around a card found.
PRINT_TO_CARD = 1.3


def _grown(quad: np.ndarray, by: float) -> np.ndarray:
    centre = quad.mean(axis=0)
    return centre + (quad - centre) * (1.0 + 2.0 * by)


def _blank_out(img: np.ndarray, quad: np.ndarray) -> None:
    """Fill the card at ``quad`` in ``img``, in place, with the colour around it. Only the card's
    bounding box is touched: a whole-page mask costs more than reading a field."""
    outer_quad = _grown(quad, BLANK_GROW + BLANK_RING)
    x0, y0 = np.floor(outer_quad.min(axis=0)).astype(int)
    x1, y1 = np.ceil(outer_quad.max(axis=0)).astype(int) + 1
    x0, y0 = max(int(x0), 0), max(int(y0), 0)
    x1, y1 = min(int(x1), img.shape[1]), min(int(y1), img.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    region = img[y0:y1, x0:x1]
    offset = np.array([x0, y0], np.float64)
    inner = np.zeros(region.shape[:2], np.uint8)
    cv2.fillPoly(inner, [np.round(_grown(quad, BLANK_GROW) - offset).astype(np.int32)], 255)
    outer = np.zeros_like(inner)
    cv2.fillPoly(outer, [np.round(outer_quad - offset).astype(np.int32)], 255)
    ring = region[(outer > 0) & (inner == 0)]
    if len(ring) == 0:
        ring = region.reshape(-1, 3)
    region[inner > 0] = np.median(ring[:: max(1, len(ring) // 4000)], axis=0).astype(np.uint8)


class BlankedPhoto:
    """The photo with the cards found filled in with its background, searched for one more card;
    made on first use (most pages find every card among the outlines already seen). A small copy
    of it, the glance, says first whether any print is left to search."""

    def __init__(self, img: np.ndarray, located: LocatePass | None) -> None:
        self.img = img
        self.located = located
        self.glance: Glance | None = None
        self.work: np.ndarray | None = None  # a copy: each card's view keeps the photo as it is
        self.in_glance = 0  # how many of the cards found each holds blanked
        self.in_work = 0

    def search(self, quads: list[np.ndarray]) -> Straightened | None:
        """A card on the photo outside ``quads`` (``straighten`` on the blanked photo, then on the
        part of it where print is left), or None when the glance shows no print left there."""
        if self.glance is None:
            self.glance = Glance.of(self.img, quads[0], self.located)
        for quad in quads[self.in_glance :]:
            self.glance.blank_out(quad)
        self.in_glance = len(quads)
        marks = self.glance.print_left()
        if len(marks) < MIN_TEXT_MARKS:
            return None  # nothing printed is left where no card was found: no card either
        if self.work is None:
            self.work = self.img.copy()
        for quad in quads[self.in_work :]:
            _blank_out(self.work, quad)
        self.in_work = len(quads)
        card_long = float(side_lengths(quads[0]).max())
        return straighten(self.work) or straighten_near_print(self.work, np.median(marks, axis=0), card_long)


def straighten_near_print(img: np.ndarray, centre: np.ndarray, card_long: float) -> Straightened | None:
    """A card in the part of ``img`` around ``centre`` (where print is left), the window a card
    whose long side is ``card_long`` px with ``NEAR_PRINT_WINDOW`` of room; its quad in ``img``
    pixels.

    On a whole page a faint copy of a card is shrunk with the page for the locating pass until
    its pale edges and print fall under what makes an outline or a print block there; cut
    around its print, it is seen at a card's scale, as on a photo of that card alone."""
    half = NEAR_PRINT_WINDOW / 2 * card_long
    x0, y0 = np.maximum(np.floor(centre - half), 0).astype(int)
    x1, y1 = np.ceil(centre + half).astype(int) + 1
    x1, y1 = min(int(x1), img.shape[1]), min(int(y1), img.shape[0])
    if (x1 - x0) * (y1 - y0) >= NEAR_PRINT_MAX_SHARE * img.shape[0] * img.shape[1]:
        return None  # about the whole photo, already searched
    found = straighten(np.ascontiguousarray(img[y0:y1, x0:x1]))
    if found is None:
        return None
    top_left, top_right, bottom_right, bottom_left = ((x + x0, y + y0) for x, y in found.quad)
    return replace(found, quad=(top_left, top_right, bottom_right, bottom_left), located=None)


def straighten_around_print(img: np.ndarray) -> Straightened | None:
    """A lone card that ``straighten`` did not find on ``img`` (a faint copy of one side on a
    whole page, shrunk for the locating pass until its pale edges and print make no outline or
    print block), found in the part of the photo around its print at the print's own scale;
    None when the photo shows too little print, or print spread over most of it."""
    marks = text_mark_centres(img, GLANCE_INK_CONTRAST)
    if len(marks) < MIN_TEXT_MARKS:
        return None
    low, high = np.percentile(marks, 5, axis=0), np.percentile(marks, 95, axis=0)
    return straighten_near_print(img, (low + high) / 2.0, float((high - low).max()) * PRINT_TO_CARD)


@dataclass
class Glance:
    """A small copy of the photo, blanked like it, to ask cheaply whether any print is left: on
    a page whose cards have all been read, that saves a whole search (as long as reading a
    field). Scaled so that a card of the first one's size is ``GLANCE_CARD_WIDTH`` across, where
    its print still shows as glyph-sized marks."""

    image: np.ndarray
    factor: float  # glance pixels per photo pixel

    @classmethod
    def of(cls, img: np.ndarray, quad: np.ndarray, located: LocatePass | None = None) -> Glance:
        """The glance of ``img`` (``quad``: its first card), made from the locating pass's
        down-scaled copy where that shows the card nearly as large (shrinking the whole photo
        again costs more than the glance's own check), taken as it is when it shows the card
        larger still: another card may lie farther from the camera than the first, and shrunk
        to the first card's scale its faint print falls below the marks that count as print."""
        width = float(np.linalg.norm(quad[1] - quad[0]))
        height = float(np.linalg.norm(quad[3] - quad[0]))
        factor = min(1.0, GLANCE_CARD_WIDTH / max(width, height, 1.0))
        if located is not None and located.factor > 1.0:
            small_factor = 1.0 / located.factor
            if small_factor >= GLANCE_FROM_LOCATING * factor:
                return cls(located.small.copy(), small_factor)
        if factor >= 1.0:
            return cls(img.copy(), 1.0)
        size = (max(1, round(img.shape[1] * factor)), max(1, round(img.shape[0] * factor)))
        return cls(cv2.resize(img, size, interpolation=cv2.INTER_AREA), factor)

    def blank_out(self, quad: np.ndarray) -> None:
        _blank_out(self.image, (quad + 0.5) * self.factor - 0.5)

    def has_print(self) -> bool:
        return len(self.print_left()) >= MIN_TEXT_MARKS

    def print_left(self) -> np.ndarray:
        """Where glyph-like marks are left (photo pixels, one row each)."""
        return (text_mark_centres(self.image, GLANCE_INK_CONTRAST) + 0.5) / self.factor - 0.5
