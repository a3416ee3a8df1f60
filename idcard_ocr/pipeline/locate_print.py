"""Card candidates from the print alone, for a card whose outline cannot be seen at all.

A white card on white paper, or a scan where the card fills the frame, shows no edge to follow;
its print still does. The dark print (text, portrait, emblem) is gathered into one block, and
the card is drawn around that block from where each side's print sits on a real card: for every
reading (front or back, either way up) the block's extent is mapped onto that side's print
extent in mm. The caller checks each reading against the full layout and keeps the best one.
"""

from __future__ import annotations

import cv2
import numpy as np

from idcard_ocr.pipeline.locate import shrink_for_locating
from idcard_ocr.pipeline.quad import order_clockwise

CARD_MM = (85.6, 54.0)
# Where the dark print starts and ends on each side (x0, y0, x1, y1 in mm from the top-left),
# measured on straightened cards: front from the labels to the portrait and the number's end,
# back from the emblem to the title's end and the validity line.
PRINT_EXTENT_MM = {"front": (5.4, 8.3, 77.1, 49.8), "back": (9.4, 7.2, 74.8, 49.2)}
MIN_BLOCK_FRACTION = 0.01  # a print block smaller than this share of the photo is no card


def _ink_mask(small: np.ndarray) -> np.ndarray:
    """Thin dark strokes (uint8 0/255): print, but not shadows, dark surfaces or the hair's mass."""
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    strokes = cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, np.ones((9, 9), np.uint8))
    return np.where(strokes > 35, 255, 0).astype(np.uint8)


def _print_block(mask: np.ndarray) -> np.ndarray | None:
    """Points of the largest cluster of print, grown by nearby clusters; None when too small."""
    gap = max(5, int(0.04 * max(mask.shape)))
    merged = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((gap, gap), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(merged, connectivity=8)
    if count <= 1:
        return None
    order = np.argsort(-stats[1:, cv2.CC_STAT_AREA]) + 1
    x, y, w, h = (int(v) for v in stats[order[0], :4])
    union = [x, y, x + w, y + h]
    chosen = [int(order[0])]
    candidates = [
        int(label)
        for label in order[1:40]
        if stats[label, cv2.CC_STAT_AREA] >= 0.02 * stats[order[0], cv2.CC_STAT_AREA]
    ]
    grew = True
    while grew:  # repeat: each line taken in brings the next one within reach
        grew = False
        for label in list(candidates):
            bx, by, bw, bh = (int(v) for v in stats[label, :4])
            reach = 0.25 * max(union[2] - union[0], union[3] - union[1])
            near_x = bx <= union[2] + reach and bx + bw >= union[0] - reach
            near_y = by <= union[3] + reach and by + bh >= union[1] - reach
            if near_x and near_y:  # the emblem beside the title, the number under the address
                chosen.append(label)
                candidates.remove(label)
                union = [min(union[0], bx), min(union[1], by), max(union[2], bx + bw), max(union[3], by + bh)]
                grew = True
    block = np.isin(labels, chosen) & (mask > 0)
    ys, xs = np.nonzero(block)
    if len(xs) < 20 or (union[2] - union[0]) * (union[3] - union[1]) < MIN_BLOCK_FRACTION * mask.size:
        return None
    return np.stack([xs, ys], axis=1).astype(np.float32)


def print_block_quads(
    img: np.ndarray, small: np.ndarray | None = None, factor: float = 1.0
) -> list[np.ndarray]:
    """Card quads (TL, TR, BR, BL, in ``img`` pixels) implied by the print block, one per reading.

    ``small`` (with ``factor`` photo pixels per pixel) is the locating pass's down-scaled copy,
    reused when given.
    """
    if small is None:
        small, factor = shrink_for_locating(img)
    points = _print_block(_ink_mask(small))
    if points is None:
        return []
    box = order_clockwise(cv2.boxPoints(cv2.minAreaRect(points)).astype(np.float64))
    # Orient the box so that its side 0-1 is a long side: print runs along the card's length.
    if np.linalg.norm(box[1] - box[0]) < np.linalg.norm(box[2] - box[1]):
        box = np.roll(box, -1, axis=0)
    quads = []
    for turned in (False, True):
        corners = np.roll(box, 2, axis=0) if turned else box
        origin, u_end, v_end = corners[0], corners[1], corners[3]
        u_axis, v_axis = u_end - origin, v_end - origin
        for x0, y0, x1, y1 in PRINT_EXTENT_MM.values():
            # Block corner (0,0) is print (x0,y0) mm and (1,1) is (x1,y1): extrapolate to the card.
            mm_x = np.array([0.0, CARD_MM[0], CARD_MM[0], 0.0])
            mm_y = np.array([0.0, 0.0, CARD_MM[1], CARD_MM[1]])
            u = ((mm_x - x0) / (x1 - x0))[:, None]
            v = ((mm_y - y0) / (y1 - y0))[:, None]
            card = origin[None, :] + u * u_axis[None, :] + v * v_axis[None, :]
            quads.append((card + 0.5) * factor - 0.5)
    return quads
