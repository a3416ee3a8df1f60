"""The recognition pipeline: photo bytes in, ID-card fields out. Knows nothing of HTTP or money.

    from idcard_ocr.pipeline import load_recognizer
    recognizer = load_recognizer(threads=1)    # models loaded once (sha256 checked), warmed up
    recognition = recognizer.recognize(jpeg_bytes)
    recognition.side, recognition.info, recognition.validity   # what was read and what checks out
"""

from idcard_ocr.pipeline.recognizer import CardRecognizer, load_recognizer
from idcard_ocr.pipeline.types import FieldReading, ImageDecodeError, Recognition, Recognizer

__all__ = [
    "CardRecognizer",
    "FieldReading",
    "ImageDecodeError",
    "Recognition",
    "Recognizer",
    "load_recognizer",
]
