"""A photo cut to the card: the photo's own frame taken as the card, when its print says so.

A client app's card frame or a scan cropped at the card's edge shows no outline of its own;
whatever outline is left inside it is an inner frame (the portrait's, a guilloche band, a block
of print). The print decides whether the frame is the card: its labels printed where one side's
layout puts them, or its print matching a side's layout clearly. ``straighten`` asks here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from idcard_ocr.pipeline.layout import labels_for
from idcard_ocr.pipeline.locate import LocatePass
from idcard_ocr.pipeline.orientation import OrientedCard, orient_card
from idcard_ocr.pipeline.placed import MIN_LAYOUT_MATCH, MIN_SIDE_MARGIN, PREVIEW_SIZE, placed_clearly
from idcard_ocr.pipeline.quad import CARD_ASPECT, CARD_HEIGHT, CARD_WIDTH, area, warp
from idcard_ocr.pipeline.register import MIN_LABELS_FOR_BLOCK, labels_in_place

# A photo cut to the card (a client app's card frame, a scan cropped at the card's edge) has no
# outline: the frame is the card. Cut up to 2 mm inside its edge on any side, it keeps about the
# card's shape. When its print places a card covering most of the frame (or more: the part cut
# off) and no outline was seen, any margin is a few mm at most: the frame is the card, to the
# 0-2 mm the reading stage's registration by the card's labels takes up. A quad slid onto the
# layout from the print is surer of nothing: print shifted on the card fits it a few mm off.
FRAME_ASPECT_TOLERANCE = (0.12, 0.15)  # below and above the card's 1.585
FRAME_FILL = 0.8
FRAME_FILL_CLEARLY = 0.6  # ... or this share, when the frame itself fits a side's layout clearly
FRAME_MATCH_MARGIN = 0.05  # the frame overrules an outline read another way when it fits this much better


def photo_frame(img: np.ndarray) -> np.ndarray | None:
    """The photo's frame as a quad (``img`` pixels), or None when the photo is not of the
    card's shape. Pixel centres: the frame's corners lie half a pixel outside the outermost ones."""
    height, width = img.shape[:2]
    ratio = max(width, height) / float(min(width, height))
    low, high = FRAME_ASPECT_TOLERANCE
    if not CARD_ASPECT - low <= ratio <= CARD_ASPECT + high:
        return None
    return np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float64) - 0.5


def preview_on(located: LocatePass, quad: np.ndarray) -> OrientedCard:
    """The layout preview of the card at ``quad`` (photo pixels), cut from the locating copy."""
    return orient_card(located.small, (quad + 0.5) / located.factor - 0.5, PREVIEW_SIZE)


def labels_confirm(img: np.ndarray, located: LocatePass, preview: OrientedCard) -> bool:
    """Whether the labels of ``preview``'s side are printed where that side's layout puts them,
    on the card it places (cut at full size from ``img``): all of them, give or take one. On a
    card read the wrong way up, a quarter-turn off or as the wrong side, the coloured print found
    there (on a colourless copy, the print of a label's size) is values, pattern or nothing."""
    quad = (preview.quad + 0.5) * located.factor - 0.5
    card = warp(img, quad, CARD_WIDTH, CARD_HEIGHT)
    expected = len(labels_for(preview.side))
    return len(labels_in_place(card, preview.side)) >= max(MIN_LABELS_FOR_BLOCK, expected - 1)


@dataclass
class Frame:
    """The photo's own frame as a card: its preview on the locating copy, judged once."""

    quad: np.ndarray  # photo pixels
    preview: OrientedCard
    readable: bool
    _confirmed: bool | None = None

    @classmethod
    def of(cls, img: np.ndarray, located: LocatePass) -> Frame | None:
        """The frame, or None when the photo is not of the card's shape."""
        quad = photo_frame(img)
        if quad is None:
            return None
        preview = preview_on(located, quad)
        readable = preview.layout_match >= MIN_LAYOUT_MATCH and preview.side_score >= MIN_SIDE_MARGIN
        return cls(quad, preview, readable)

    def confirmed(self, img: np.ndarray, located: LocatePass) -> bool:
        """Readable, and its labels printed where its side's layout puts them (checked once)."""
        if self._confirmed is None:
            self._confirmed = self.readable and labels_confirm(img, located, self.preview)
        return self._confirmed

    def labelled_first(self, img: np.ndarray, located: LocatePass, best: np.ndarray | None) -> bool:
        """Whether the frame is the card before any card is placed from the print (``best``: the
        best outline's quad so far, photo pixels, or None).

        With no outline found, a frame that matches one side's layout clearly, or whose labels
        sit where that side's layout puts them, is what ``wins`` takes after the placement search
        too: a card placed from the frame's own print fills it and reads the same way. With an
        outline found, the frame must do both, and the outline's labels must not sit where its
        layout puts them. Either way placing cards (most of a cut photo's time) would change
        nothing."""
        if best is None:
            return placed_clearly(self.preview) or self.confirmed(img, located)
        if not placed_clearly(self.preview) or not self.confirmed(img, located):
            return False
        return not labels_confirm(img, located, preview_on(located, best))

    def wins(self, img: np.ndarray, located: LocatePass, best: np.ndarray | None, outline: float) -> bool:
        """Whether the frame is the card rather than ``best`` (the card chosen so far, photo
        pixels, or None; ``outline``: its outline score, 0 for a card placed from its print).

        The frame is the card when its labels are printed where one side's labels are, the right
        way up, and those of the card chosen so far are not (``labels_confirm``); or when it reads
        the print another way than the card chosen (a quarter-turn, the other side) and matches
        the layout clearly and better; or when no outline was found and the print places a card
        that fills the frame (read the same way), or nothing was placed and the frame matches a
        side's layout clearly. Where an outline and the frame read the print alike, the outline
        is kept: a scan's white margin gives a frame of the card's shape too."""
        preview = self.preview
        chosen = None if best is None else preview_on(located, best)
        if self.confirmed(img, located) and (chosen is None or not labels_confirm(img, located, chosen)):
            return True
        if best is None or chosen is None:
            return placed_clearly(preview)
        height, width = img.shape[:2]
        fill = area(best) / float(width * height)
        if (chosen.side, chosen.rotate) != (preview.side, preview.rotate):
            # A card placed from its print to fill most of the frame is the frame, placed less surely.
            better = preview.layout_match > chosen.layout_match + FRAME_MATCH_MARGIN
            placed_large = outline == 0.0 and fill >= FRAME_FILL_CLEARLY
            return placed_clearly(preview) and (better or placed_large)
        if outline > 0.0 or fill < FRAME_FILL_CLEARLY:
            return False
        if fill < FRAME_FILL and not placed_clearly(preview):
            # The print placed a card smaller than the frame (a quad a few mm off, skewed by print
            # shifted on the card): the frame must match a side as clearly as a card placed from
            # its print. One placed to fill the frame matched clearly already; print shifted on the
            # card may fit the frame less well, but it reads as the same side, the same way up.
            return False
        return self.readable
