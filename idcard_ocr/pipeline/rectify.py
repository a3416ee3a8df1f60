"""Refine a rough card quad onto the card's real edges, so the straightened card is accurate.

Each side of the rough quad is probed at evenly spaced points along its normal; the strongest
change of colour (Lab, with the colour channels weighted up because a pale card on white paper
differs from it mostly in tint) marks the edge there. A robust line through those points per
side, intersected with its neighbours, gives corners that do not depend on the rounded corners of
the card or on a few probes lost to glare or a finger.
"""

from __future__ import annotations

import cv2
import numpy as np

from idcard_ocr.pipeline.quad import as_quad, is_convex

SAMPLES_PER_SIDE = 40
CHANNEL_WEIGHTS = np.array([1.0, 2.0, 2.0], dtype=np.float32)  # L, a, b
MIN_PROBES_FOR_A_SIDE = 8


def _side_lines(
    img: np.ndarray, quad: np.ndarray, search_px: float
) -> list[tuple[np.ndarray, np.ndarray] | None]:
    """For each side: (point, unit direction) of the fitted edge line, or None when it was not seen.

    The four sides' probes are sampled, converted and smoothed as one image (one row per probe):
    each row is its own profile, so this gives what four separate calls would, at a quarter of
    the OpenCV calls (this runs for every candidate outline, a dozen or more per photo).
    """
    centre = quad.mean(axis=0)
    offsets = np.arange(-search_px, search_px + 1.0, 1.0, dtype=np.float64)
    t = np.linspace(0.12, 0.88, SAMPLES_PER_SIDE)
    bases, normals, maps_x, maps_y = [], [], [], []
    for i in range(4):
        p0, p1 = quad[i], quad[(i + 1) % 4]
        direction = (p1 - p0) / max(np.linalg.norm(p1 - p0), 1e-9)
        normal = np.array([-direction[1], direction[0]])
        if np.dot(normal, (p0 + p1) / 2.0 - centre) < 0:
            normal = -normal  # point outwards, so profiles run from card to background
        base = p0[None, :] + t[:, None] * (p1 - p0)[None, :]
        coords = base[:, None, :] + offsets[None, :, None] * normal[None, None, :]
        bases.append(base)
        normals.append(normal)
        maps_x.append(coords[:, :, 0].astype(np.float32))
        maps_y.append(coords[:, :, 1].astype(np.float32))
    map_x, map_y = np.concatenate(maps_x), np.concatenate(maps_y)
    profiles = cv2.remap(img, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    lab = cv2.GaussianBlur(  # smooth along the profile only
        cv2.cvtColor(profiles, cv2.COLOR_BGR2Lab).astype(np.float32), (3, 1), 0
    )
    step = np.abs(lab[:, 2:, :] - lab[:, :-2, :]) * CHANNEL_WEIGHTS
    all_strength = step.sum(axis=2)  # (4 * samples, offsets - 2)
    all_peak = all_strength.argmax(axis=1)
    all_value = all_strength[np.arange(len(all_peak)), all_peak]
    all_shift = _subpixel(all_strength, all_peak)
    all_inside = (map_x[:, 0] >= 0) & (map_y[:, 0] >= 0)
    all_inside &= (map_x[:, -1] < img.shape[1]) & (map_y[:, -1] < img.shape[0])
    lines: list[tuple[np.ndarray, np.ndarray] | None] = []
    for i in range(4):
        rows = slice(i * SAMPLES_PER_SIDE, (i + 1) * SAMPLES_PER_SIDE)
        peak, peak_value, inside = all_peak[rows], all_value[rows], all_inside[rows]
        # Weak or clipped probes say nothing about the edge: keep the clearly strong ones.
        keep = (
            inside
            & (peak_value > 12.0)
            & (peak_value > 0.35 * np.median(peak_value[inside] if inside.any() else 0))
        )
        if keep.sum() < MIN_PROBES_FOR_A_SIDE:
            lines.append(None)
            continue
        found = (
            bases[i][keep]
            + (offsets[1:-1][peak[keep]] + all_shift[rows][keep])[:, None] * normals[i][None, :]
        )
        vx, vy, x0, y0 = cv2.fitLine(found.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).reshape(4)
        lines.append((np.array([x0, y0], dtype=np.float64), np.array([vx, vy], dtype=np.float64)))
    return lines


def _subpixel(strength: np.ndarray, peak: np.ndarray) -> np.ndarray:
    """Offset of each row's true maximum from its peak sample, by a parabola through three samples."""
    rows = np.arange(len(peak))
    left = strength[rows, np.clip(peak - 1, 0, strength.shape[1] - 1)]
    right = strength[rows, np.clip(peak + 1, 0, strength.shape[1] - 1)]
    centre = strength[rows, peak]
    curvature = left - 2.0 * centre + right
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(curvature < -1e-6, 0.5 * (left - right) / curvature, 0.0)
    return np.clip(shift, -0.5, 0.5)


def _intersect(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> np.ndarray | None:
    """Where two (point, direction) lines cross, or None when they are nearly parallel."""
    (pa, da), (pb, db) = a, b
    denom = da[0] * db[1] - da[1] * db[0]
    if abs(denom) < 1e-6:
        return None
    s = ((pb[0] - pa[0]) * db[1] - (pb[1] - pa[1]) * db[0]) / denom
    return pa + s * da


def refine_quad(img: np.ndarray, quad: object, search_px: float) -> np.ndarray:
    """Corners of ``quad`` moved onto the card's edges in ``img`` (BGR); unchanged where unseen.

    ``search_px`` is how far from the rough side the edge may be; keep it below the card's printed
    margin (about 5 mm) at this scale so that text is never taken for the edge.
    """
    rough = as_quad(quad)
    found = _side_lines(img, rough, search_px)
    # A side whose edge was not seen keeps its rough line, so its neighbours still refine.
    lines = [
        line if line is not None else (rough[i], rough[(i + 1) % 4] - rough[i])
        for i, line in enumerate(found)
    ]
    refined = rough.copy()
    for corner in range(4):
        point = _intersect(lines[(corner - 1) % 4], lines[corner])  # the two sides meeting here
        if point is None or np.linalg.norm(point - rough[corner]) > 3.0 * search_px:
            continue
        refined[corner] = point
    return refined if is_convex(refined) else rough
