"""Photometric damage a phone or a copier does to a photo. None of it moves a pixel, so the
ground-truth geometry computed before stays exact."""

from __future__ import annotations

import random

import cv2
import numpy as np


def _np_rng(rng: random.Random) -> np.random.Generator:
    return np.random.default_rng(rng.randrange(2**32))


def uneven_light(rng: random.Random, image: np.ndarray, strength: float = 0.35) -> np.ndarray:
    """Brighter on one side, darker on the other (a lamp or a window off to one side)."""
    h, w = image.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(angle) * xs / w + np.sin(angle) * ys / h
    ramp = (ramp - ramp.min()) / max(1e-6, float(ramp.max() - ramp.min()))
    gain = 1.0 + strength * (rng.uniform(0.2, 0.5) - ramp)
    return (image.astype(np.float32) * gain[..., None]).clip(0, 255).astype(np.uint8)


def cast_shadow(rng: random.Random, image: np.ndarray) -> np.ndarray:
    """A soft-edged shadow (a hand or a phone) across part of the frame."""
    h, w = image.shape[:2]
    mask = np.zeros((h, w), np.float32)
    corner = np.array([[rng.uniform(-0.2, 1.2) * w, rng.uniform(-0.2, 1.2) * h] for _ in range(4)], np.int32)
    cv2.fillConvexPoly(mask, cv2.convexHull(corner), 1.0)
    soft = cv2.GaussianBlur(mask, (0, 0), max(h, w) * rng.uniform(0.01, 0.05))
    darkness = rng.uniform(0.3, 0.55)
    return (image.astype(np.float32) * (1 - darkness * soft[..., None])).clip(0, 255).astype(np.uint8)


def glare(
    rng: random.Random, image: np.ndarray, near: np.ndarray, added: list[np.ndarray] | None = None
) -> np.ndarray:
    """One or two bright specular spots, centred inside the polygon ``near`` (the card).

    With ``added``, the brightness each pixel gained (grey levels, before clipping) is appended
    to it, so that the caller can tell where print was washed out.
    """
    h, w = image.shape[:2]
    out = image.astype(np.float32)
    before = out.copy() if added is not None else None
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    for _ in range(rng.randint(1, 2)):
        a, b = rng.random(), rng.random()
        top = near[0] + (near[1] - near[0]) * a
        bottom = near[3] + (near[2] - near[3]) * a
        cx, cy = top + (bottom - top) * b
        sx = max(4.0, float(np.linalg.norm(near[1] - near[0])) * rng.uniform(0.05, 0.18))
        sy = sx * rng.uniform(0.4, 1.0)
        spot = np.exp(-(((xs - cx) / sx) ** 2 + ((ys - cy) / sy) ** 2))
        out += spot[..., None] * rng.uniform(120, 230)
    if added is not None and before is not None:
        added.append((out - before)[..., 0])
    return out.clip(0, 255).astype(np.uint8)


def colour_cast(rng: random.Random, image: np.ndarray, strength: float = 0.18) -> np.ndarray:
    """A warm, cold or green cast from indoor light and white balance."""
    gains = np.array([1 + rng.uniform(-strength, strength) for _ in range(3)], np.float32)
    return (image.astype(np.float32) * gains).clip(0, 255).astype(np.uint8)


def photocopy(rng: random.Random, image: np.ndarray) -> np.ndarray:
    """A grey photocopy: no colour, raised contrast, washed-out pale areas, toner speckle."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float32)
    contrast = rng.uniform(1.3, 1.9)
    grey = (grey - 128) * contrast + 128 + rng.uniform(10, 40)
    speckle = _np_rng(rng).random(grey.shape) < rng.uniform(0.0005, 0.003)
    grey[speckle] = rng.uniform(0, 60)
    smooth = cv2.GaussianBlur(grey.clip(0, 255), (3, 3), 0)
    return cv2.cvtColor(smooth.astype(np.uint8), cv2.COLOR_GRAY2BGR)


def motion_blur(rng: random.Random, image: np.ndarray, length: int | None = None) -> np.ndarray:
    """A straight-line smear from a shaking hand."""
    length = length or rng.randint(5, 13)
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0
    rotation = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), rng.uniform(0, 180), 1.0)
    turned = cv2.warpAffine(kernel, rotation, (length, length))
    return cv2.filter2D(image, -1, (turned / max(1e-6, float(turned.sum()))).astype(np.float32))


def focus_blur(rng: random.Random, image: np.ndarray, sigma: float | None = None) -> np.ndarray:
    """Out of focus: a Gaussian blur."""
    return cv2.GaussianBlur(image, (0, 0), sigma or rng.uniform(1.2, 2.6))


def sensor_noise(rng: random.Random, image: np.ndarray, sigma: float | None = None) -> np.ndarray:
    """Gaussian sensor noise, stronger in low light."""
    sigma = sigma if sigma is not None else rng.uniform(3, 12)
    noise = _np_rng(rng).normal(0, sigma, image.shape).astype(np.float32)
    return (image.astype(np.float32) + noise).clip(0, 255).astype(np.uint8)


def lose_resolution(rng: random.Random, image: np.ndarray, factor: float | None = None) -> np.ndarray:
    """Down-scale then up-scale back (a cheap camera, or a resized chat attachment)."""
    h, w = image.shape[:2]
    factor = factor or rng.uniform(0.3, 0.6)
    small = cv2.resize(
        image, (max(1, int(w * factor)), max(1, int(h * factor))), interpolation=cv2.INTER_AREA
    )
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
