"""Card candidates from straight lines, for outlines that edge contours cannot close.

Glare, a pale card on white paper or text printed right up to the card's edge break its outline
into pieces, so no closed contour follows it. Its four sides are still long straight edges:
segments are found with a probabilistic Hough transform, merged into lines, and every pair of
near-parallel lines is combined with every other such pair roughly at right angles to it. Each
quad is then judged like a contour candidate, by how much of its outline lies on edges.
"""

from __future__ import annotations

import cv2
import numpy as np

from idcard_ocr.pipeline.quad import CARD_ASPECT, is_convex, order_clockwise

MAX_LINES = 28  # the longest merged lines kept; the card's four sides are among them, even
# beside a receipt whose borders and text rows give long lines too
MAX_PARALLEL_DEG = 18.0  # opposite sides of a card in perspective stay roughly parallel
MIN_CROSSING_DEG = 50.0  # adjacent sides meet at 90 degrees give or take perspective
THREE_SIDE_KEPT = 6  # three-sided quads per edge map that go on to the layout check
THREE_SIDE_LOOKED_AT = 4  # times as many are looked at for that many distinct ones
# A three-sided quad's lines are probed this share of their length past its seen corners, and
# the parallel ones from FAR_OVERRUN[0] to FAR_OVERRUN[1] past the placed fourth side (a tilted
# card can be some 10% longer than its shape says), for edges that run on (``_overrun``).
OVERRUN_REACH = 0.15
FAR_OVERRUN = (0.15, 0.35)
FAR_OVERRUN_WEIGHT = 0.5  # the fourth side is a guess, so running on past it counts for less
CORNER_GAP_PX = 3.0  # probing starts this far past a corner: the rounded corner, the edge's width


def _merged_lines(edges: np.ndarray) -> np.ndarray:
    """Lines as rows (theta, rho, supporting length), longest first, near-duplicates merged."""
    shortest = max(20, int(0.08 * max(edges.shape)))
    segments = cv2.HoughLinesP(edges, 1, np.pi / 180, 30, minLineLength=shortest, maxLineGap=8)
    if segments is None:
        return np.zeros((0, 3))
    seg = segments.reshape(-1, 4).astype(np.float64)
    dx, dy = seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1]
    length = np.hypot(dx, dy)
    theta = (np.arctan2(dy, dx) + np.pi / 2) % np.pi  # normal direction in [0, pi)
    rho = seg[:, 0] * np.cos(theta) + seg[:, 1] * np.sin(theta)
    merged: list[list[float]] = []
    for index in np.argsort(-length):
        t, r, n = theta[index], rho[index], length[index]
        for line in merged:
            diff = abs(t - line[0])
            same = diff < np.radians(3.0) and abs(r - line[1]) < 4.0
            flipped = np.pi - diff < np.radians(3.0) and abs(r + line[1]) < 4.0
            if same or flipped:
                line[2] += n
                break
        else:
            merged.append([t, r, n])
    lines = np.array(merged, dtype=np.float64)
    return lines[np.argsort(-lines[:, 2])][:MAX_LINES]


def _intersections(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Where lines ``a`` and ``b`` (rows theta, rho) cross: ``(N, 2)``; NaN where parallel."""
    ca, sa, cb, sb = np.cos(a[:, 0]), np.sin(a[:, 0]), np.cos(b[:, 0]), np.sin(b[:, 0])
    det = ca * sb - sa * cb
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (a[:, 1] * sb - b[:, 1] * sa) / det
        y = (ca * b[:, 1] - cb * a[:, 1]) / det
    out = np.stack([x, y], axis=1)
    out[np.abs(det) < 1e-6] = np.nan
    return out


def _angle_between(t1: np.ndarray, t2: np.ndarray) -> np.ndarray:
    """Smallest angle between line directions, degrees in [0, 90]."""
    diff = np.abs(t1 - t2) % np.pi
    return np.degrees(np.minimum(diff, np.pi - diff))


def line_quads(edges: np.ndarray) -> np.ndarray:
    """Every quad of two near-parallel line pairs crossing at roughly right angles: ``(Q, 4, 2)``.

    Corners run around the quad (clockwise or not); quads with a corner outside the image are
    dropped.
    """
    lines = _merged_lines(edges)
    count = len(lines)
    if count < 4:
        return np.zeros((0, 4, 2))
    i, j = np.triu_indices(count, k=1)
    parallel = _angle_between(lines[i, 0], lines[j, 0]) < MAX_PARALLEL_DEG
    # Opposite sides must be apart: not two edges of one stroke.
    parallel &= np.abs(np.abs(lines[i, 1]) - np.abs(lines[j, 1])) > 0.06 * min(edges.shape)
    pairs = np.stack([i[parallel], j[parallel]], axis=1)
    if len(pairs) < 2:
        return np.zeros((0, 4, 2))
    p, q = np.triu_indices(len(pairs), k=1)
    mean_theta = lines[pairs[:, 0], 0]
    crossing = _angle_between(mean_theta[p], mean_theta[q]) > MIN_CROSSING_DEG
    p, q = p[crossing], q[crossing]
    l1, l2 = lines[pairs[p, 0]], lines[pairs[p, 1]]
    l3, l4 = lines[pairs[q, 0]], lines[pairs[q, 1]]
    quads = np.stack(
        [_intersections(l1, l3), _intersections(l1, l4), _intersections(l2, l4), _intersections(l2, l3)],
        axis=1,
    )
    height, width = edges.shape
    ok = np.all(np.isfinite(quads), axis=(1, 2))
    margin = 0.02 * max(height, width)
    ok &= np.all((quads[:, :, 0] > -margin) & (quads[:, :, 0] < width + margin), axis=1)
    ok &= np.all((quads[:, :, 1] > -margin) & (quads[:, :, 1] < height + margin), axis=1)
    return quads[ok]


def best_line_quads(
    edges: np.ndarray, dilated: np.ndarray, keep: int = 6, min_area: float = 0.03
) -> np.ndarray:
    """The ``keep`` line quads with the most of their outline on ``dilated`` edges: ``(K, 4, 2)``.

    A cheap, vectorised first cut (size, rough aspect, edge support); the caller refines and
    scores the survivors properly.
    """
    quads = line_quads(edges)
    if len(quads) == 0:
        return quads
    height, width = edges.shape
    x, y = quads[:, :, 0], quads[:, :, 1]
    size = np.abs(np.sum(x * np.roll(y, -1, axis=1) - y * np.roll(x, -1, axis=1), axis=1)) / 2.0
    sides = np.linalg.norm(np.roll(quads, -1, axis=1) - quads, axis=2)
    a, b = sides[:, 0] + sides[:, 2], sides[:, 1] + sides[:, 3]
    ratio = np.maximum(a, b) / np.maximum(np.minimum(a, b), 1e-9)
    ok = (size >= min_area * height * width) & (ratio > 1.25) & (ratio < 2.4)
    quads = quads[ok]
    if len(quads) == 0:
        return quads
    t = np.linspace(0.1, 0.9, 32)
    starts, ends = quads, np.roll(quads, -1, axis=1)
    points = starts[:, :, None, :] + t[None, None, :, None] * (ends - starts)[:, :, None, :]
    xs = np.clip(np.round(points[..., 0]).astype(int), 0, width - 1)
    ys = np.clip(np.round(points[..., 1]).astype(int), 0, height - 1)
    on_edge = dilated[ys, xs] > 0  # (Q, 4, 32)
    support = 0.5 * on_edge.mean(axis=(1, 2)) + 0.5 * on_edge.mean(axis=2).min(axis=1)
    return quads[np.argsort(-support)[:keep]]


def _support(dilated: np.ndarray, starts: np.ndarray, ends: np.ndarray, samples: int = 32) -> np.ndarray:
    """Share of points on each segment (``(Q, S, 2)`` starts and ends) that lie on an edge: ``(Q, S)``."""
    height, width = dilated.shape
    t = np.linspace(0.1, 0.9, samples)
    points = starts[:, :, None, :] + t[None, None, :, None] * (ends - starts)[:, :, None, :]
    xs = np.clip(np.round(points[..., 0]).astype(int), 0, width - 1)
    ys = np.clip(np.round(points[..., 1]).astype(int), 0, height - 1)
    return (dilated[ys, xs] > 0).mean(axis=2)


def three_side_quads(
    edges: np.ndarray,
    dilated: np.ndarray,
    aspect: float,
    keep: int = 8,
    min_area: float = 0.03,
    ending: bool = False,
) -> np.ndarray:
    """Card quads of which only three sides are seen: ``(K, 4, 2)``, best supported first.

    A card lying on paper of its own colour, or half over a receipt, can show three clear edges
    and none on the fourth side. Two near-parallel lines and one crossing them fix three sides;
    the fourth is placed where the card's shape puts it (either dimension, either way), to be
    checked against the printed layout by the caller. Support counts the three seen sides only;
    with ``ending``, lines that run on past the card's corners count against it (``_overrun``).
    """
    lines = _merged_lines(edges)
    count = len(lines)
    if count < 3:
        return np.zeros((0, 4, 2))
    i, j = np.triu_indices(count, k=1)
    parallel = _angle_between(lines[i, 0], lines[j, 0]) < MAX_PARALLEL_DEG
    parallel &= np.abs(np.abs(lines[i, 1]) - np.abs(lines[j, 1])) > 0.06 * min(edges.shape)
    pair_i, pair_j = i[parallel], j[parallel]
    if len(pair_i) == 0:
        return np.zeros((0, 4, 2))
    grid_p, grid_c = np.meshgrid(np.arange(len(pair_i)), np.arange(count), indexing="ij")
    p, c = grid_p.ravel(), grid_c.ravel()  # every parallel pair with every other line
    crossing = _angle_between(lines[pair_i[p], 0], lines[c, 0]) > MIN_CROSSING_DEG
    p, c = p[crossing], c[crossing]
    first, second, across = lines[pair_i[p]], lines[pair_j[p]], lines[c]
    corner_a, corner_b = _intersections(first, across), _intersections(second, across)
    span = np.linalg.norm(corner_b - corner_a, axis=1)
    quads = []
    for ratio in (aspect, 1.0 / aspect):  # the seen end is the card's short or its long side
        for sign in (1.0, -1.0):  # the card lies on either side of the crossing line
            direction_a = sign * np.stack([-np.sin(first[:, 0]), np.cos(first[:, 0])], axis=1)
            direction_b = sign * np.stack([-np.sin(second[:, 0]), np.cos(second[:, 0])], axis=1)
            # Both parallel lines must run the same way from the crossing line.
            direction_b *= np.sign(np.sum(direction_a * direction_b, axis=1, keepdims=True) + 1e-12)
            reach = (span * ratio)[:, None]
            quads.append(np.stack([corner_a, corner_b, corner_b + reach * direction_b,
                                   corner_a + reach * direction_a], axis=1))
    every = np.concatenate(quads)
    height, width = edges.shape
    ok = np.all(np.isfinite(every), axis=(1, 2))
    margin = 0.02 * max(height, width)
    ok &= np.all((every[:, :, 0] > -margin) & (every[:, :, 0] < width + margin), axis=1)
    ok &= np.all((every[:, :, 1] > -margin) & (every[:, :, 1] < height + margin), axis=1)
    x, y = every[:, :, 0], every[:, :, 1]
    size = np.abs(np.sum(x * np.roll(y, -1, axis=1) - y * np.roll(x, -1, axis=1), axis=1)) / 2.0
    ok &= size >= min_area * height * width
    every = every[ok]
    if len(every) == 0:
        return every
    # The seen sides: corner 3 -> 0 (first line), 0 -> 1 (crossing line), 1 -> 2 (second line).
    seen = _support(dilated, every[:, [3, 0, 1]], every[:, [0, 1, 2]])
    support = 0.5 * seen.mean(axis=1) + 0.5 * seen.min(axis=1)
    if ending:
        support = support - _overrun(dilated, every)
    return every[np.argsort(-support)[:keep]]


def _past(
    corner: np.ndarray, back: np.ndarray, start: float, stop: float
) -> tuple[np.ndarray, np.ndarray]:
    """Segments ``(Q, 2)`` on the line from ``back`` through ``corner``, beyond ``corner``, from
    ``start`` to ``stop`` times the side's length (plus the rounded corner's gap)."""
    step = corner - back
    length = np.linalg.norm(step, axis=1, keepdims=True)
    unit = step / np.maximum(length, 1e-9)
    return corner + (CORNER_GAP_PX + start * length) * unit, corner + (CORNER_GAP_PX + stop * length) * unit


def _overrun(dilated: np.ndarray, quads: np.ndarray) -> np.ndarray:
    """How much the three seen lines of each three-sided quad run on past the card: ``(Q,)``.

    A card's edges end at its corners, while receipt rows, wood grain and a page's border run on
    through them; with clutter about, those make three well-supported sides at every crossing and
    crowd the card out. So the seen lines are probed just past the two seen corners (all three
    lines), and the two parallel lines also beyond where the card's shape puts its fourth side
    (a quad of the wrong dimension stops short on the real card's edges there).
    """
    c0, c1, c2, c3 = (quads[:, index] for index in range(4))
    near = [_past(c0, c3, 0.0, OVERRUN_REACH), _past(c1, c2, 0.0, OVERRUN_REACH),
            _past(c0, c1, 0.0, OVERRUN_REACH), _past(c1, c0, 0.0, OVERRUN_REACH)]
    far = [_past(c3, c0, *FAR_OVERRUN), _past(c2, c1, *FAR_OVERRUN)]
    near_support = _support(dilated, np.stack([a for a, _b in near], 1), np.stack([b for _a, b in near], 1))
    far_support = _support(dilated, np.stack([a for a, _b in far], 1), np.stack([b for _a, b in far], 1))
    return near_support.mean(axis=1) + FAR_OVERRUN_WEIGHT * far_support.mean(axis=1)


def three_side_candidates(
    edge_maps: list[tuple[np.ndarray, float]], min_area: float, limit: int = THREE_SIDE_KEPT
) -> list[np.ndarray]:
    """Rough card quads (clockwise, on the edge maps' copy) of which three sides are seen, best
    supported first, near-duplicates dropped; for a card whose fourth edge is lost against paper
    of its own colour. Their fourth side is a guess from the card's shape: check them by layout.

    Two rankings each give ``limit`` per edge map: by support alone, and with lines that run on
    past the corners counted against them. The second finds a card beside clutter (receipt rows,
    wood grain, another card make many three-sided quads as well supported as the card's own);
    the first, a card lying on printed paper, whose edges the print beyond them seems to prolong.
    """
    found: list[np.ndarray] = []
    for edges, _weight in edge_maps:
        closed = cv2.dilate(edges, np.ones((3, 3), np.uint8))
        for ending in (False, True):
            # One clear rectangle (a bank card, a receipt) is three-sided four ways over: drop
            # the repeats before counting, so that they do not crowd out the rest.
            looked_at = THREE_SIDE_LOOKED_AT * limit
            quads = three_side_quads(edges, closed, CARD_ASPECT, looked_at, min_area, ending=ending)
            kept = 0
            for quad in quads:
                ordered = order_clockwise(quad)
                if is_convex(ordered) and not any(np.abs(ordered - other).max() < 6.0 for other in found):
                    found.append(ordered)
                    kept += 1
                    if kept == limit:
                        break
    return found
