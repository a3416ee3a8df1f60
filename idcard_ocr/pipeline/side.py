"""Which side of the card this is, and whether it is upside down, from where the dark print lies.

Both sides have a fixed layout (GB/T 19100 puts every item at a set place, in mm from the card's
top-left corner). The straightened card is reduced to a 1 mm grid of "how much darker than the
card's own background" and compared by correlation with a template of each side, upright and
turned 180 degrees. Front: the labels and values down the left, the portrait (dark hair and
clothes) on the right, the 18-digit number along the bottom. Back: the emblem disc at top left,
the two title lines to its right, the authority and validity lines low in the middle.

The templates are drawn from the layout below; nothing is learnt from images.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from idcard_ocr.pipeline.types import Side

GRID_W, GRID_H = 86, 54  # one cell per millimetre of the 85.6 x 54 mm card

# (x0, y0, x1, y1) in mm and the expected darkness of the print there, 0..1.
FRONT_PRINT: tuple[tuple[float, float, float, float, float], ...] = (
    (5.0, 7.5, 12.0, 11.0, 0.35),  # 姓名
    (5.0, 14.0, 12.0, 17.5, 0.35),  # 性别
    (29.0, 14.0, 35.5, 17.5, 0.35),  # 民族
    (38.0, 14.0, 44.0, 18.0, 0.4),  # nation
    (5.0, 21.0, 12.0, 24.5, 0.35),  # 出生
    (5.0, 28.0, 12.0, 31.5, 0.35),  # 住址
    (5.0, 45.5, 22.0, 49.5, 0.35),  # 公民身份号码
    (16.0, 7.0, 30.0, 11.5, 0.45),  # name
    (16.0, 14.0, 19.5, 18.0, 0.4),  # sex
    (16.0, 21.0, 40.0, 25.0, 0.35),  # birth
    (16.0, 28.0, 52.0, 41.0, 0.4),  # address, up to three lines
    (28.0, 46.0, 77.0, 50.5, 0.5),  # number
    (59.0, 8.0, 76.0, 17.0, 0.9),  # portrait: hair
    (64.0, 14.0, 72.0, 30.0, 0.35),  # portrait: face and neck
    (56.0, 30.0, 80.0, 40.0, 0.9),  # portrait: shoulders and clothes
)
BACK_PRINT: tuple[tuple[float, float, float, float, float], ...] = (
    (32.0, 6.5, 74.0, 11.0, 0.45),  # 中华人民共和国
    (32.0, 14.0, 76.0, 21.5, 0.6),  # 居民身份证
    (16.5, 39.5, 24.5, 43.0, 0.35),  # 签发机关
    (16.5, 46.0, 24.5, 49.5, 0.35),  # 有效期限
    (33.5, 39.5, 64.0, 43.0, 0.4),  # authority
    (33.5, 46.0, 60.0, 49.5, 0.4),  # validity term
)
EMBLEM_CENTRE_MM = (13.6, 13.3)
EMBLEM_RADIUS_MM = 8.0
EMBLEM_DARKNESS = 0.75
# The four hypotheses (side, turned 180 degrees), in ``LayoutScores``' field order.
_KEYS: tuple[tuple[Side, bool], ...] = (("front", False), ("front", True), ("back", False), ("back", True))


@dataclass(frozen=True)
class LayoutScores:
    """Correlation of the card with each side's template, upright and turned 180 degrees."""

    front: float
    front_turned: float
    back: float
    back_turned: float

    def of(self, side: Side, turned: bool) -> float:
        """The score of one hypothesis."""
        return float(self.as_array()[_KEYS.index((side, turned))])

    def as_array(self) -> np.ndarray:
        """The four scores in ``_KEYS`` order."""
        return np.array([self.front, self.front_turned, self.back, self.back_turned])

    def best(self, side: Side | None = None) -> tuple[Side, bool, float]:
        """(side, turned 180?, margin over the runner-up): the margin is the confidence. Given
        ``side``, the better way up of that side, and its margin over the other way up."""
        ranked = sorted(
            [
                (score, each, turned)
                for score, each, turned in (
                    (self.front, "front", False),
                    (self.front_turned, "front", True),
                    (self.back, "back", False),
                    (self.back_turned, "back", True),
                )
                if side is None or each == side
            ],
            key=lambda item: -item[0],
        )
        (top, best_side, turned), (second, _s, _t) = ranked[0], ranked[1]
        return best_side, turned, float(top - second)  # type: ignore[return-value]


def _template(print_boxes: tuple[tuple[float, float, float, float, float], ...], emblem: bool) -> np.ndarray:
    grid = np.zeros((GRID_H, GRID_W), dtype=np.float32)
    for x0, y0, x1, y1, darkness in print_boxes:
        grid[round(y0) : round(y1), round(x0) : round(x1)] = darkness
    if emblem:
        ys, xs = np.mgrid[0:GRID_H, 0:GRID_W] + 0.5
        inside = (xs - EMBLEM_CENTRE_MM[0]) ** 2 + (ys - EMBLEM_CENTRE_MM[1]) ** 2 <= EMBLEM_RADIUS_MM**2
        grid[inside] = EMBLEM_DARKNESS
    return grid


@lru_cache(maxsize=1)
def templates() -> dict[tuple[Side, bool], np.ndarray]:
    """Zero-mean, unit-norm templates for (side, turned 180)."""
    out: dict[tuple[Side, bool], np.ndarray] = {}
    for side, grid in (("front", _template(FRONT_PRINT, False)), ("back", _template(BACK_PRINT, True))):
        for turned in (False, True):
            t = grid[::-1, ::-1] if turned else grid
            t = t - t.mean()
            out[(side, turned)] = (t / np.linalg.norm(t)).astype(np.float32)  # type: ignore[index]
    return out


def darkness_grid(card: np.ndarray) -> np.ndarray:
    """How much darker than the surrounding card background each 1 mm cell is (0..1), ``54 x 86``.

    The background is estimated with a wide maximum filter, so a shadow or a glare spot across
    the card shifts the background with it instead of reading as print.
    """
    grey = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY) if card.ndim == 3 else card
    small = cv2.resize(grey, (GRID_W * 2, GRID_H * 2), interpolation=cv2.INTER_AREA)
    # The median over 25 mm is the card's own colour there: print (even the emblem and the hair)
    # covers less than half of such a window, while a shadow or glare larger than it is followed.
    background = cv2.GaussianBlur(cv2.medianBlur(small, 51).astype(np.float32), (0, 0), 3.0)
    dark = np.clip((background - small.astype(np.float32)) / 90.0, 0.0, 1.0)
    return cv2.resize(dark, (GRID_W, GRID_H), interpolation=cv2.INTER_AREA)


def layout_scores(card: np.ndarray, shift_mm: int = 0) -> LayoutScores:
    """Score the four (side x upright/turned) hypotheses for a straightened ``540 x 856`` card.

    ``shift_mm``: each hypothesis's best correlation with the card's print moved up to that many
    millimetres on each axis (over the part of the card the moved template still covers). A
    printer places the whole text block a millimetre or three off the layout's places; judged
    only at the exact places, such a card's own outline matches worse than a quad cut around
    its print.
    """
    return layout_scores_both(card, shift_mm)[1]


def layout_scores_both(
    card: np.ndarray, shift_mm: int, sure: float | None = None
) -> tuple[LayoutScores, LayoutScores]:
    """``layout_scores`` at the exact places and with ``shift_mm`` of slack, from one grid. With
    ``sure``, the slack is taken only when no hypothesis matches that well at the exact places
    (the second of the pair is then the first)."""
    observed = darkness_grid(card)
    if float(observed.max()) < 0.05:  # nothing printed at all: no side matches
        nothing = LayoutScores(0.0, 0.0, 0.0, 0.0)
        return nothing, nothing
    exact = _exact(observed)
    if shift_mm <= 0 or (sure is not None and float(exact.as_array().max()) >= sure):
        return exact, exact
    return exact, _shifted(observed, shift_mm, exact)


def _exact(observed: np.ndarray) -> LayoutScores:
    observed = observed - observed.mean()
    observed /= float(np.linalg.norm(observed))
    t = templates()
    return LayoutScores(*(float(np.sum(observed * t[key])) for key in _KEYS))


def _window(dx: int, dy: int) -> tuple[slice, slice]:
    """The card's cells that hold the layout's when print is moved by (dx, dy) mm."""
    return slice(max(dy, 0), GRID_H + min(dy, 0)), slice(max(dx, 0), GRID_W + min(dx, 0))


@lru_cache(maxsize=4)
def _moved_templates(shift_mm: int) -> tuple[tuple[int, int, np.ndarray], ...]:
    """For each move (dx, dy) within ``shift_mm``: the four templates' cells the moved print
    still covers, each zero-mean and unit-norm, stacked in ``_KEYS`` order."""
    out = []
    t = templates()
    for dy in range(-shift_mm, shift_mm + 1):
        for dx in range(-shift_mm, shift_mm + 1):
            rows, cols = _window(-dx, -dy)
            parts = []
            for key in _KEYS:
                part = t[key][rows, cols]
                part = part - part.mean()
                parts.append(part / float(np.linalg.norm(part)))
            out.append((dx, dy, np.stack(parts)))
    return tuple(out)


def _shifted(observed: np.ndarray, shift_mm: int, exact: LayoutScores) -> LayoutScores:
    best = exact.as_array()
    for dx, dy, parts in _moved_templates(shift_mm):
        seen = observed[_window(dx, dy)]
        seen = seen - seen.mean()
        norm = float(np.linalg.norm(seen))
        if norm < 1e-9:
            continue
        best = np.maximum(best, np.tensordot(parts, seen, axes=2) / norm)
    return LayoutScores(*(float(v) for v in best))
