"""Find the card in a photo: the best card-shaped quadrilateral on a down-scaled copy.

Edges are taken from brightness and from both colour-opponent channels, because a pale card on
white paper differs from it more in tint than in brightness; a strict and a sensitive edge map
are both used. Every contour of an edge map is reduced to its convex hull and then to the four
longest straight runs of that hull (rounded corners and nicks ignored); when no contour gives a
clear outline, quads are also assembled from straight lines (``locate_lines``). Each candidate
is scored by how much of its outline lies on edges, how close its shape is to an ID-1 card seen
in perspective, and its size. Corners are right to about one pixel of the down-scaled copy;
``rectify`` refines them on the full-resolution photo, and ``straighten`` decides among the
candidates by their printed layout.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import cv2
import numpy as np

from idcard_ocr.pipeline.locate_lines import best_line_quads
from idcard_ocr.pipeline.quad import (
    CARD_ASPECT,
    NEXT,
    area,
    aspect_ratio,
    corner_angles,
    is_convex,
    order_clockwise,
)
from idcard_ocr.pipeline.rectify import refine_quad

LOCATE_MAX_SIDE = 640  # the locating pass works on a copy no larger than this
MIN_AREA_FRACTION = 0.015  # a card smaller than this share of the photo is not looked for
MAX_AREA_FRACTION = 0.92  # larger than this is the photo's own frame or a sheet of paper
MIN_SCORE = 0.35
# A card seen at up to ~40 degrees of tilt; the portrait's frame (26 x 32 mm, 1.23) stays out.
MIN_ASPECT, MAX_ASPECT = 1.3, 2.3
CLEAR_OUTLINE = 0.6  # a contour candidate this good makes the slower line search unnecessary
REFINED_PER_MAP = 8  # rough quads refined per edge map, after a cheap first look
# Line quads are many and alike (a receipt's border and its text rows make rectangles too): more
# of them go on to refinement and to the layout check, so the card is among them.
LINE_QUADS_REFINED = 16


@dataclass(frozen=True)
class CardCandidate:
    """A card-shaped quadrilateral found in the photo, in the photo's own pixel coordinates."""

    quad: np.ndarray  # (4, 2) clockwise on screen, starting nearest the photo's top-left
    score: float  # 0..1: edge support x shape x size
    edge_support: float  # share of the outline that lies on an edge
    elapsed_ms: float
    small_quad: np.ndarray | None = None  # the same corners on the down-scaled locating copy


@dataclass(frozen=True)
class LocatePass:
    """One locating pass: the down-scaled copy it ran on and the candidates it found, best first."""

    small: np.ndarray
    factor: float  # photo pixels per pixel of ``small``
    candidates: list[CardCandidate]
    edge_maps: list[tuple[np.ndarray, float]]  # (edges, weight) the candidates came from
    used_lines: bool  # whether line candidates are already among them


def shrink_for_locating(img: np.ndarray, max_side: int = LOCATE_MAX_SIDE) -> tuple[np.ndarray, float]:
    """A copy whose long side is at most ``max_side``, and the factor from it back to ``img``."""
    height, width = img.shape[:2]
    factor = max(height, width) / float(max_side)
    if factor <= 1.0:
        return img, 1.0
    small = cv2.resize(img, (round(width / factor), round(height / factor)), interpolation=cv2.INTER_AREA)
    return small, width / small.shape[1]


def edge_maps(small: np.ndarray) -> list[tuple[np.ndarray, float]]:
    """Binary edge maps (uint8 0/255) with the weight their candidates get: strict, then sensitive.

    Both use lightness and the two Lab colour channels. The strict map keeps clutter and wood
    grain quiet; the sensitive one, after a stronger blur, still sees a pale card on white paper.
    """
    maps = []
    for blur, thresholds, weight in (
        (5, ((20, 60), (8, 24), (8, 24)), 1.0),
        (7, ((6, 18), (4, 10), (4, 10)), 0.9),
    ):
        lab = cv2.cvtColor(cv2.GaussianBlur(small, (blur, blur), 0), cv2.COLOR_BGR2Lab)
        edges: np.ndarray = np.zeros(small.shape[:2], dtype=np.uint8)
        for index, (low, high) in enumerate(thresholds):
            edges = cv2.bitwise_or(edges, cv2.Canny(lab[:, :, index], low, high, L2gradient=True))
        maps.append((edges, weight))
    return maps


def _quad_from_hull(hull: np.ndarray) -> np.ndarray | None:
    """Four corners of a convex hull that is a (perspective, round-cornered) rectangle, or None.

    The hull's edges are merged into straight runs; the four longest runs are the card's sides
    and their pairwise intersections its (sharp, virtual) corners. Rounded corners and a nick of
    glare only add short runs, which are ignored.
    """
    points = hull.reshape(-1, 2).astype(np.float64)
    if len(points) < 4:
        return None
    edges = np.roll(points, -1, axis=0) - points
    lengths = np.linalg.norm(edges, axis=1)
    angles = np.arctan2(edges[:, 1], edges[:, 0])
    runs: list[list[int]] = []
    for index in range(len(points)):
        if lengths[index] < 1e-9:
            continue
        if runs:
            last = runs[-1][-1]
            turn = abs((angles[index] - angles[last] + np.pi) % (2 * np.pi) - np.pi)
            if turn < np.radians(12.0):
                runs[-1].append(index)
                continue
        runs.append([index])
    if len(runs) > 1:  # the first and last runs may be one straight side cut at the start point
        turn = abs((angles[runs[0][0]] - angles[runs[-1][-1]] + np.pi) % (2 * np.pi) - np.pi)
        if turn < np.radians(12.0):
            runs[0] = runs.pop() + runs[0]
    if len(runs) < 4:
        return None
    run_lengths = np.array([lengths[run].sum() for run in runs])
    longest = sorted(np.argsort(-run_lengths)[:4])  # keep the hull's cyclic order
    if run_lengths[longest].sum() < 0.6 * lengths.sum():
        return None  # not four dominant straight sides
    lines = []
    for r in longest:
        first, last = runs[r][0], runs[r][-1]
        start, stop = points[first], points[(last + 1) % len(points)]
        lines.append((start, stop - start))
    corners = []
    for i in range(4):
        (pa, da), (pb, db) = lines[i - 1], lines[i]
        denom = da[0] * db[1] - da[1] * db[0]
        if abs(denom) < 1e-9:
            return None
        s = ((pb[0] - pa[0]) * db[1] - (pb[1] - pa[1]) * db[0]) / denom
        corners.append(pa + s * da)
    return np.array(corners, dtype=np.float64)


_ALONG = np.linspace(0.1, 0.9, 48)  # where along each side edge support is sampled


def edge_support(quad: np.ndarray, dilated_edges: np.ndarray, samples_per_side: int = 48) -> float:
    """Share of points along the quad's sides (corners left out) that fall on an edge pixel."""
    t = _ALONG if samples_per_side == len(_ALONG) else np.linspace(0.1, 0.9, samples_per_side)
    # Side i's points, all sides at once: corner i plus t times the way to corner i + 1.
    points = (quad[:, None, :] + t[None, :, None] * (quad[NEXT] - quad)[:, None, :]).reshape(-1, 2)
    xs = np.clip(np.round(points[:, 0]).astype(int), 0, dilated_edges.shape[1] - 1)
    ys = np.clip(np.round(points[:, 1]).astype(int), 0, dilated_edges.shape[0] - 1)
    on_edge = dilated_edges[ys, xs] > 0
    # The weakest side counts too: a quad spanning three card edges and one text line is wrong.
    per_side = on_edge.reshape(4, samples_per_side).mean(axis=1)
    return float(0.5 * on_edge.mean() + 0.5 * per_side.min())


def _shape_score(quad: np.ndarray) -> float:
    """1 for a card-like rectangle, falling towards 0 for other shapes; perspective tolerated."""
    if not is_convex(quad):
        return 0.0
    ratio = aspect_ratio(quad)
    if not MIN_ASPECT <= ratio <= MAX_ASPECT:
        return 0.0
    angles = corner_angles(quad)
    if angles.min() < 55.0 or angles.max() > 125.0:
        return 0.0
    ratio_term = float(np.exp(-(((ratio - CARD_ASPECT) / 0.3) ** 2)))
    angle_term = float(np.exp(-((np.abs(angles - 90.0).max() / 35.0) ** 2)))
    return ratio_term * angle_term


def _contour_candidates(small: np.ndarray, edges: np.ndarray) -> list[tuple[float, float, np.ndarray]]:
    """(score, edge support, quad) for every card-like closed outline in one edge map."""
    frame_area = float(small.shape[0] * small.shape[1])
    closed = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(closed, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    rough: list[np.ndarray] = []
    for contour in contours:
        hull = cv2.convexHull(contour)
        if cv2.contourArea(hull) < MIN_AREA_FRACTION * frame_area:
            continue
        quad = _quad_from_hull(hull)
        if quad is not None:
            rough.append(quad)
    return _scored(small, closed, rough)


def _line_candidates(small: np.ndarray, edges: np.ndarray) -> list[tuple[float, float, np.ndarray]]:
    """(score, edge support, quad) for quads assembled from straight edge lines."""
    closed = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    quads = best_line_quads(edges, closed, keep=LINE_QUADS_REFINED, min_area=MIN_AREA_FRACTION)
    return _scored(small, closed, list(quads), how_many=LINE_QUADS_REFINED)


def _outline_score(quad: np.ndarray, edges: np.ndarray, frame_area: float) -> tuple[float, float] | None:
    """(score, edge support) of a clockwise quad, or None when its size or shape is no card's."""
    size = area(quad) / frame_area
    if size < MIN_AREA_FRACTION or size > MAX_AREA_FRACTION:  # the photo's own frame is no card
        return None
    shape = _shape_score(quad)
    if shape == 0.0:
        return None
    support = edge_support(quad, edges)
    # Larger quads win ties: an inner frame (the portrait, a text block) is smaller than the card.
    return support * (0.6 + 0.4 * shape) * (0.85 + 0.15 * min(1.0, size / 0.25)), support


def outline_score(quad: np.ndarray, dilated_edges: np.ndarray) -> float:
    """How card-like and well-edged a quad placed by other means is, on the contour candidates'
    scale (0 when its size or shape is no card's), so the two kinds can be weighed together."""
    frame_area = float(dilated_edges.shape[0] * dilated_edges.shape[1])
    judged = _outline_score(order_clockwise(quad), dilated_edges, frame_area)
    return 0.0 if judged is None else judged[0]


def _scored(
    small: np.ndarray, closed: np.ndarray, rough: list[np.ndarray], how_many: int = REFINED_PER_MAP
) -> list[tuple[float, float, np.ndarray]]:
    """Score the rough quads, refine the most promising on ``small``: (score, edge support, quad)."""
    frame_area = float(small.shape[0] * small.shape[1])
    # A first, tolerant look (edges widened) so only the likeliest few pay for refinement.
    tolerant = cv2.dilate(closed, np.ones((3, 3), np.uint8))
    first: list[tuple[float, np.ndarray]] = []
    for quad in rough:
        ordered = order_clockwise(quad)
        if any(np.abs(ordered - other).max() < 3.0 for _s, other in first):
            continue  # inner and outer contour of one edge ring
        judged = _outline_score(ordered, tolerant, frame_area)
        if judged is not None:
            first.append((judged[0], ordered))
    first.sort(key=lambda item: -item[0])
    found: list[tuple[float, float, np.ndarray]] = []
    for _score, quad in first[:how_many]:
        refined = refine_quad(small, quad, search_px=6.0)
        judged = _outline_score(refined, closed, frame_area)
        if judged is not None:
            found.append((judged[0], judged[1], refined))
    return found


def _as_candidates(
    scored: list[tuple[float, float, np.ndarray]], factor: float, limit: int, elapsed: float
) -> list[CardCandidate]:
    """Best-first, near-duplicates dropped, with photo coordinates added."""
    scored = sorted(scored, key=lambda item: -item[0])
    result: list[CardCandidate] = []
    for score, support, quad in scored:
        if any(np.abs(kept.small_quad - quad).max() < 4.0 for kept in result if kept.small_quad is not None):
            continue  # the inner and outer contour of one edge ring give the same card twice
        photo_quad = (quad + 0.5) * factor - 0.5
        result.append(CardCandidate(photo_quad, score, support, elapsed, small_quad=quad))
        if len(result) == limit:
            break
    return result


def locate_pass(img: np.ndarray, limit: int = 5) -> LocatePass:
    """Find card-like quads in ``img`` (BGR) on a down-scaled copy; keep that copy for scoring."""
    start = time.perf_counter()
    small, factor = shrink_for_locating(img)
    scored: list[tuple[float, float, np.ndarray]] = []
    maps = edge_maps(small)
    for edges, weight in maps:
        for score, support, quad in _contour_candidates(small, edges):
            scored.append((score * weight, support, quad))
    used_lines = not scored or max(item[0] for item in scored) < CLEAR_OUTLINE
    if used_lines:
        # No clean closed outline: glare, clutter or a pale background broke it; try lines.
        for edges, weight in maps:
            for score, support, quad in _line_candidates(small, edges):
                scored.append((score * weight, support, quad))
    elapsed = (time.perf_counter() - start) * 1000.0
    return LocatePass(small, factor, _as_candidates(scored, factor, limit, elapsed), maps, used_lines)


def line_candidates(located: LocatePass, limit: int = 5) -> list[CardCandidate]:
    """Candidates from straight lines, for when the outlines found first belong to something else
    (a bank card, a receipt) and the ID card's own outline is broken. Empty if already tried."""
    if located.used_lines:
        return []
    start = time.perf_counter()
    scored: list[tuple[float, float, np.ndarray]] = []
    for edges, weight in located.edge_maps:
        for score, support, quad in _line_candidates(located.small, edges):
            scored.append((score * weight, support, quad))
    elapsed = (time.perf_counter() - start) * 1000.0
    return _as_candidates(scored, located.factor, limit, elapsed)


def find_candidates(img: np.ndarray, limit: int = 5) -> list[CardCandidate]:
    """Card-like quads in ``img`` (BGR), best first, in ``img``'s pixel coordinates."""
    return locate_pass(img, limit).candidates


def locate_card(img: np.ndarray) -> CardCandidate | None:
    """The best card candidate in ``img``, or None when nothing card-like scores high enough."""
    candidates = find_candidates(img, limit=1)
    if not candidates or candidates[0].score < MIN_SCORE:
        return None
    return candidates[0]
