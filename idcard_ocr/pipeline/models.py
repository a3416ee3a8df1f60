"""The model files the recogniser ships with, and their checksums.

The PP-OCR ONNX models come inside the pinned ``rapidocr`` wheel, so nothing is ever downloaded:
we read them from that package's ``models`` folder and refuse to run if a file is missing or its
sha256 differs from the one recorded here (a different wheel, a corrupted install).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path


class ModelFileError(RuntimeError):
    """A shipped model file is missing or is not the file this release was tested with."""


@dataclass(frozen=True)
class ModelFile:
    """One shipped ONNX model: its role, file name inside the rapidocr wheel and expected sha256."""

    role: str
    filename: str
    sha256: str


# Checksums of the files in rapidocr==3.10.0 (computed with sha256sum on the installed wheel).
TEXT_DETECTOR = ModelFile(
    "det", "PP-OCRv6_det_small.onnx", "090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f"
)
TEXT_RECOGNIZER = ModelFile(
    "rec", "PP-OCRv6_rec_small.onnx", "6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884"
)
LINE_ORIENTATION = ModelFile(
    "cls",
    "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
    "e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c",
)
SHIPPED_MODELS: tuple[ModelFile, ...] = (TEXT_DETECTOR, TEXT_RECOGNIZER, LINE_ORIENTATION)

_verified: set[Path] = set()
_verify_lock = threading.Lock()


def models_dir() -> Path:
    """The folder holding the shipped models (the installed rapidocr package's ``models``)."""
    import rapidocr  # imported here: only its files are used, never its pipeline

    return Path(rapidocr.__file__).resolve().parent / "models"


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def model_path(model: ModelFile, directory: Path | None = None) -> Path:
    """Path of ``model``, verified against its recorded sha256 (once per process and path).

    Raises ModelFileError with the path and both checksums when the file is absent or differs.
    """
    path = (directory or models_dir()) / model.filename
    with _verify_lock:
        if path in _verified:
            return path
        if not path.is_file():
            raise ModelFileError(f"model file {path} is missing; reinstall rapidocr==3.10.0")
        actual = file_sha256(path)
        if actual != model.sha256:
            raise ModelFileError(
                f"model file {path} has sha256 {actual}, expected {model.sha256}; reinstall rapidocr==3.10.0"
            )
        _verified.add(path)
    return path
