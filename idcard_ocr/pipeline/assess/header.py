"""Read the card's header, where a temporary card (临时居民身份证) says what it is.

The field reader only looks where the fields are printed, so the header is read here, only for a
request that asks for risk warnings: the text detector on the top band of the upright card, then
the line recogniser on at most a few lines found there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from idcard_ocr.pipeline.types import Side

if TYPE_CHECKING:  # the engine imports onnxruntime; only its types are needed here
    from idcard_ocr.pipeline.engine import TextDetector, TextRecognizer

HeaderReader = Callable[[np.ndarray, Side], str]

# Top of the card that holds the header: the front's is above the name (y < 12 mm); the back's
# title block (中华人民共和国 / 居民身份证) reaches y 21 mm.
HEADER_BOTTOM_PX = {"front": 120, "back": 230}
MAX_HEADER_LINES = 4
DETECT_SIDE = 480


def read_header(card: np.ndarray, side: Side, finder: TextDetector, reader: TextRecognizer) -> str:
    """The text found in the header band of the upright 856 x 540 ``card``, lines joined by spaces."""
    band = card[: HEADER_BOTTOM_PX[side]]
    quads = finder.detect(band, DETECT_SIDE)
    lines = sorted(quads, key=lambda quad: float(np.asarray(quad)[:, 1].min()))[:MAX_HEADER_LINES]
    texts = []
    for quad in lines:
        points = np.asarray(quad)
        x0, y0 = np.floor(points.min(axis=0)).astype(int)
        x1, y1 = np.ceil(points.max(axis=0)).astype(int)
        crop = band[max(y0, 0) : y1, max(x0, 0) : x1]
        if crop.size:
            texts.append(reader.read(crop).text)
    return " ".join(text for text in texts if text)


def header_reader_for(recognizer: object) -> HeaderReader | None:
    """A header reader on ``recognizer``'s own loaded models, or None for a recogniser without them
    (a stand-in in tests, say): the models are never loaded a second time for the header."""
    from idcard_ocr.pipeline.recognizer import CardRecognizer

    if not isinstance(recognizer, CardRecognizer):
        return None
    return lambda card, side: read_header(card, side, recognizer.detector, recognizer.text)
