"""Signs that a submission is not a genuine, current card held in front of the camera.

* ``photocopy`` — a real card is printed in colour (pale blue or beige ground, the portrait, the
  red emblem); a grey copy has almost no colour anywhere. Measured as the spread of the card's
  colours around their own median, so a colour cast from the lamp (which tints a copy evenly)
  does not count as colour.
* ``screen`` — a card shown on a phone or monitor and photographed again: the display's pixel
  grid gives sharp, regular peaks in the photo's spectrum (moiré). Best effort and weak: a
  high-resolution screen photographed from afar, or a photo resized on the way, shows no grid,
  and a strongly patterned background could show one. Only the card's area of the photo is used,
  and JPEG's 8-pixel block frequencies are ignored.
* ``temporary`` — the words 临时 (temporary, as in 临时居民身份证) read in the card's header.
* ``expired`` — the back's validity ends before today (a long-term 长期 card never expires).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import cv2
import numpy as np

from idcard_ocr.domain.terms import parse_timelimit
from idcard_ocr.pipeline.assess.photo_view import PhotoView
from idcard_ocr.pipeline.types import Side

PHOTOCOPY_SPREAD = 8.0  # 95th percentile of the chromaticity spread, in thousandths, below: grey
SCREEN_PEAK_RATIO = 250.0  # strongest regular peak over the spectrum's typical level, above: screen
SCREEN_WINDOW = 512  # side of the square of the card's photo pixels the spectrum is taken over
TEMPORARY_WORD = "临时"


@dataclass(frozen=True)
class RiskReport:
    """Risk flags and the numbers behind them."""

    flags: dict[str, bool]
    metrics: dict[str, float] = field(default_factory=dict)


def colour_spread(card: np.ndarray) -> float:
    """95th percentile of each pixel's rg-chromaticity distance from the card's median, in
    thousandths (about 20-80 for a colour card, under 2 for a grey copy); -1 when too little of
    the card is neither very dark nor saturated (their chromaticity is noise or clipped) to say."""
    pixels = card.astype(np.float32)
    total = pixels.sum(axis=2) + 1e-3
    chroma = np.stack([pixels[..., 2] / total, pixels[..., 1] / total], axis=2)
    grey = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY)
    usable = chroma[(grey > 60) & (grey < 250)]
    if len(usable) < 1000:
        return -1.0
    distance = np.linalg.norm(usable - np.median(usable, axis=0), axis=1)
    return float(np.percentile(distance, 95)) * 1000.0


def _screen_window(view: PhotoView) -> np.ndarray | None:
    """The grey photo pixels of a square inside the card, around its centre, at full resolution."""
    assert view.quad is not None
    centre = view.quad.mean(axis=0)
    span = view.quad.max(axis=0) - view.quad.min(axis=0)
    half = int(min(SCREEN_WINDOW, span.min() * 0.6) // 2)
    if half < 32:
        return None
    cx, cy = int(centre[0]), int(centre[1])
    x0, y0 = max(cx - half, 0), max(cy - half, 0)
    patch = view.image[y0 : y0 + 2 * half, x0 : x0 + 2 * half]
    if min(patch.shape[:2]) < 64:
        return None
    return cv2.cvtColor(patch, cv2.COLOR_BGR2GRAY).astype(np.float32)


def screen_peak_ratio(view: PhotoView) -> float:
    """How far the strongest high-frequency peak of the card's spectrum stands above the typical
    level there (about 5-20 for print, far more for a display's pixel grid)."""
    if view.quad is None:
        return 0.0
    patch = _screen_window(view)
    if patch is None:
        return 0.0
    patch = patch - cv2.GaussianBlur(patch, (0, 0), 3.0)  # keep only the fine detail
    rows, cols = patch.shape
    patch *= np.outer(np.hanning(rows), np.hanning(cols)).astype(np.float32)
    spectrum = np.abs(np.fft.fftshift(np.fft.fft2(patch)))
    fy = np.abs(np.fft.fftshift(np.fft.fftfreq(rows)))[:, None] * np.ones((1, cols))
    fx = np.abs(np.fft.fftshift(np.fft.fftfreq(cols)))[None, :] * np.ones((rows, 1))
    radius = np.hypot(fx, fy)
    band = radius > 0.15  # periods under ~7 px: a display grid, not the card's print
    # JPEG's 8 x 8 blocks make peaks at multiples of 1/8 cycle per pixel on either axis.
    for k in (1, 2, 3, 4):
        band &= np.abs(fx - k / 8) > 1.5 / cols
        band &= np.abs(fy - k / 8) > 1.5 / rows
    if band.sum() < 100:
        return 0.0
    values = spectrum[band]
    return float(values.max() / (np.median(values) + 1e-6))


def is_expired(side: Side, timelimit: str, today: date) -> bool:
    """True when the back's validity term was read and ended before ``today``."""
    if side != "back":
        return False
    term = parse_timelimit(timelimit)
    return term is not None and term.end is not None and term.end < today


def assess_risk(
    view: PhotoView, side: Side, timelimit: str, header_text: str, today: date
) -> RiskReport:
    """Judge ``view``: ``timelimit`` as recognised (API form), ``header_text`` what was read in
    the card's header (empty when it was not read)."""
    card = view.card
    spread = colour_spread(card) if card is not None else -1.0
    peaks = screen_peak_ratio(view)
    flags = {
        "photocopy": 0.0 <= spread < PHOTOCOPY_SPREAD,
        "screen": peaks > SCREEN_PEAK_RATIO,
        "temporary": TEMPORARY_WORD in header_text,
        "expired": is_expired(side, timelimit, today),
    }
    metrics = {"colourSpread": round(spread, 2), "screenPeakRatio": round(peaks, 1)}
    return RiskReport(flags, metrics)
