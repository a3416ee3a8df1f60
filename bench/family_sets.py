"""The accuracy benchmark's card-family sets, and the stock generic pipeline it is compared with.

Six sets: the tuned families (``classic``, ``vivid``, ``warm``, ``greyscan``, ``ledger``, in turn) and the
held-out family (never tuned on), each as ``clean`` (flat scans on a white margin), ``cut`` (cut
to the card by a client app's frame, up to 2 mm inside its edge), both upright, and ``photo``
(the phone-photo conditions and the white-desk framing, in all four rotations). Sets are drawn
once into ``bench/out/sets/`` and reused while the generator's code is unchanged.

The stock pipeline is what a user would try first: ``rapidocr.RapidOCR`` with its defaults on the
whole image, then our own keyword parser ``parse_ocr_lines`` (as in ``bench/speed.py``). It does
not report a rotation and vouches for nothing, so its ``rotate`` and silent-error columns are
not filled.
"""

from __future__ import annotations

import hashlib
import time
from datetime import date
from pathlib import Path
from typing import Any

from idcard_ocr.contract.card import BACK_VALIDITY_KEYS, FRONT_VALIDITY_KEYS
from idcard_ocr.pipeline.types import Recognition
from idcard_ocr.synth.dataset import generate_set, read_truth
from idcard_ocr.synth.families import HELDOUT_FAMILY, TUNED_FAMILIES
from idcard_ocr.synth.photo import PHOTO_CONDITIONS

SET_MIXES: dict[str, dict[str, float]] = {
    "clean": {"margin": 1.0},
    "cut": {"cut": 1.0},
    "photo": {**{c: 1.0 for c in PHOTO_CONDITIONS}, "desk": 1.0},
}
# Scans and a client app's card frame hand the card over upright; photos come in every rotation.
SET_ROTATIONS: dict[str, tuple[int, ...]] = {"clean": (0,), "cut": (0,), "photo": (0, 90, 180, 270)}
FAMILY_GROUPS: dict[str, tuple[str, ...]] = {"tuned": TUNED_FAMILIES, "heldout": (HELDOUT_FAMILY,)}
NOT_ROTATED = -1  # the stock pipeline's rotation: it reports none


def generator_fingerprint(root: Path) -> str:
    """A digest of the generator's code: a cached set is reused only while it is unchanged."""
    digest = hashlib.sha256()
    for path in sorted((root / "idcard_ocr" / "synth").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build_family_sets(
    out: Path, root: Path, count: int, seed: int, regenerate: bool, groups: tuple[str, ...] | None = None
) -> list[tuple[str, Path, list[dict[str, Any]]]]:
    """(name, folder, truth records) of the six sets, ``count`` cards each (half fronts); only
    those of ``groups`` (``tuned``, ``heldout``) when given."""
    fingerprint = generator_fingerprint(root)
    sets = []
    for g, (group, families) in enumerate(FAMILY_GROUPS.items()):
        if groups is not None and group not in groups:
            continue
        for k, (kind, mix) in enumerate(SET_MIXES.items()):
            name = f"{group}-{kind}"
            directory = out / "sets" / f"{name}-{count}-s{seed}"
            stamp = directory / "generator.txt"
            current = (
                stamp.exists() and stamp.read_text() == fingerprint and (directory / "truth.json").exists()
            )
            if regenerate or not current:
                print(f"generating {name}: {count} cards in {directory} ...", flush=True)
                fronts = count - count // 2
                set_seed = seed + 100 * (g + 1) + k  # held-out seeds differ from every tuned one
                generate_set(
                    directory,
                    fronts,
                    count // 2,
                    mix,
                    seed=set_seed,
                    progress=True,
                    families=families,
                    rotations=SET_ROTATIONS[kind],
                )
                stamp.write_text(fingerprint)
            sets.append((name, directory, read_truth(directory)))
    return sets


class StockRecognizer:
    """Stock rapidocr on the whole image, then ``parse_ocr_lines``: the generic baseline."""

    def __init__(self, threads: int = 1) -> None:
        from rapidocr import RapidOCR

        params = {"EngineConfig.onnxruntime.intra_op_num_threads": threads} if threads else None
        self._engine = RapidOCR(params=params)

    def recognize(self, image: bytes, today: date | None = None) -> Recognition:
        from idcard_ocr.pipeline.parse import OcrLine, parse_ocr_lines

        started = time.perf_counter()
        output = self._engine(image)
        boxes = output.boxes if output.boxes is not None else ()
        lines = [
            OcrLine(str(text), float(box[0][0]), float(box[0][1]))
            for text, box in zip(output.txts or (), boxes, strict=False)
        ]
        elapsed = (time.perf_counter() - started) * 1000
        if not lines:
            return Recognition(text_found=False, timings_ms={"total": elapsed})
        side, info = parse_ocr_lines(lines)
        # It vouches for nothing; every flag set only so that the API view keeps its values.
        keys = FRONT_VALIDITY_KEYS if side == "front" else BACK_VALIDITY_KEYS
        return Recognition(
            True, side, NOT_ROTATED, info, dict.fromkeys(keys, True), timings_ms={"total": elapsed}
        )
