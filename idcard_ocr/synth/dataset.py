"""Writing sets of synthetic photos with their ground truth (``truth.json``, a JSON list).

One truth record per image::

    {"file": "front_0001.jpg", "side": "front", "rotate": 90, "condition": "tilt",
     "info": {...exactly what the API must return...},
     "quad": [[x, y], x4],            # upright card's TL, TR, BR, BL in photo pixels
     "fields": {"name": [[x, y], x4], "address_1": ..., ...},
     "legibility": {"char_px": 14.2, "effective_char_px": 14.2, "blur_sigma": 0.0,
                    "motion_px": 0.0, "downscale": 1.0, "jpeg_quality": 71, ...,
                    "legible": true}}

``legibility`` holds what the generator did that decides whether a person could read the values
(see :mod:`idcard_ocr.synth.legibility`), so accuracy can be scored apart on illegible photos.

Geometry is for the photo as displayed: where a record has ``exif_orientation`` (3, 6 or 8) the
JPEG's pixels are stored turned and that EXIF tag turns them upright, as phones do. Field boxes
are single quads; the address has one per printed line (``address_1`` …
``address_3``) and the birth date one per number (``year``, ``month``, ``day``). Photos that are
not of a card carry ``"kind": "not_card"`` or ``"no_text"``, ``info`` {} and ``quad`` null.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from idcard_ocr.synth.card import CardImage, CardSide, draw_card
from idcard_ocr.synth.families import CLASSIC, get_family
from idcard_ocr.synth.framing import ALL_CONDITIONS, photograph
from idcard_ocr.synth.identities import Identity, make_identities, make_identity
from idcard_ocr.synth.nocard import no_text_photo, text_page_photo
from idcard_ocr.synth.photo import MAX_SIDE, PHOTO_CONDITIONS, Photo

TruthRecord = dict[str, Any]
ROTATIONS = (0, 90, 180, 270)

# A quarter clean scans, the rest spread over the photo conditions.
DEFAULT_MIX: dict[str, float] = {"clean": 0.25, **{c: 0.75 / len(PHOTO_CONDITIONS) for c in PHOTO_CONDITIONS}}


@dataclass
class Sample:
    """One drawn card photographed: the JPEG bytes, its truth record, and the objects behind them."""

    jpeg: bytes
    truth: TruthRecord
    card: CardImage
    photo: Photo


def draw_sample(
    family: str = "heldout",
    framing: str = "margin",
    side: CardSide = "front",
    seed: str | int = 0,
    rotate: int = 0,
    identity: Identity | None = None,
    max_side: int = MAX_SIDE,
    file: str = "",
) -> Sample:
    """Draw one card of ``family`` and photograph it in ``framing``; return the bytes and the truth.

    ``family``: a name in ``families.FAMILIES`` (``classic``, ``vivid``, ``warm``, ``greyscan``,
    ``ledger`` are tuned on; ``heldout`` never is). ``framing``: any of ``framing.ALL_CONDITIONS``: the
    photo conditions (``clean``, ``phone``, ``tilt``, ``glare``, …) or the framings ``margin``
    (flat scan on a white margin), ``cut`` (cut up to 2 mm inside the card's edge) and ``desk``
    (on a white desk, edge barely showing). ``rotate``: 0/90/180/270 clockwise. ``identity``:
    whose card (default: one drawn from ``seed``). The same arguments give the same bytes.

    ``truth`` is the record ``truth.json`` holds (``info`` is exactly what the API must return;
    ``quad`` and ``fields`` are in the photo's pixels; ``family`` and ``print_offsets_mm`` say
    how the print was moved). Example::

        sample = draw_sample("heldout", "cut", "front", seed=7)
        recognition = recognizer.recognize(sample.jpeg)
        assert recognition.info["number"] == sample.truth["info"]["number"]
    """
    if framing not in ALL_CONDITIONS:
        raise ValueError(f"unknown framing {framing!r}; known: {', '.join(ALL_CONDITIONS)}")
    person = identity or make_identity(random.Random(f"{seed}:identity"))
    return _sample(person, side, framing, rotate, str(seed), max_side, family, file)


def _sample(
    identity: Identity,
    side: CardSide,
    condition: str,
    rotate: int,
    seed: str,
    max_side: int,
    family: str,
    file: str,
) -> Sample:
    rng = random.Random(seed)
    style = get_family(family)
    card = draw_card(identity, side, rng, style)
    photo = photograph(card, rng, condition, rotate, max_side=max_side)
    record: TruthRecord = {
        "file": file,
        "side": side,
        "rotate": rotate,
        "condition": condition,
        "info": identity.front_info() if side == "front" else identity.back_info(),
        "quad": photo.quad,
        "fields": photo.fields,
        "legibility": photo.legibility,
    }
    if photo.exif_orientation != 1:
        record["exif_orientation"] = photo.exif_orientation
    if style is not CLASSIC:  # classic records stay as they were, so committed sets regenerate identically
        record["family"] = style.name
        record["print_offsets_mm"] = card.offsets_mm
        if card.marks:
            record["marks"] = card.marks
    return Sample(photo.jpeg, record, card, photo)


def photo_case(
    out_dir: Path,
    file: str,
    identity: Identity,
    side: CardSide,
    condition: str,
    rotate: int,
    seed: str,
    max_side: int = MAX_SIDE,
    family: str = "classic",
) -> TruthRecord:
    """Draw ``identity``'s ``side`` as ``family`` draws it, photograph it under ``condition`` (a
    photo condition or a framing), write ``out_dir/file``; return its truth record.

    ``seed`` (any string) fixes every random choice of drawing and photographing.
    """
    sample = _sample(identity, side, condition, rotate, seed, max_side, family, file)
    (out_dir / file).write_bytes(sample.jpeg)
    return sample.truth


def non_card_case(
    out_dir: Path, kind: str, seed: str, max_side: int = MAX_SIDE, file: str | None = None
) -> TruthRecord:
    """Write ``notcard_text.jpg`` (kind ``not_card``) or ``notext.jpg`` (kind ``no_text``), or
    ``file`` when given."""
    rng = random.Random(seed)
    if kind == "not_card":
        file, data = file or "notcard_text.jpg", text_page_photo(rng, max_side)
    elif kind == "no_text":
        file, data = file or "notext.jpg", no_text_photo(rng, max_side)
    else:
        raise ValueError(f"unknown kind {kind!r}")
    (out_dir / file).write_bytes(data)
    return {
        "file": file,
        "side": "front",
        "rotate": 0,
        "condition": kind,
        "kind": kind,
        "info": {},
        "quad": None,
        "fields": {},
    }


def _conditions(rng: random.Random, count: int, mix: Mapping[str, float]) -> list[str]:
    unknown = set(mix) - set(ALL_CONDITIONS)
    if unknown:
        raise ValueError(f"unknown conditions: {sorted(unknown)}")
    names = [c for c in mix if mix[c] > 0]
    # Largest-remainder shares so the mix is met exactly, then shuffled.
    total = sum(mix[c] for c in names)
    quotas = {c: count * mix[c] / total for c in names}
    counts = {c: int(quotas[c]) for c in names}
    for c in sorted(names, key=lambda c: quotas[c] - counts[c], reverse=True)[: count - sum(counts.values())]:
        counts[c] += 1
    chosen = [c for c in names for _ in range(counts[c])]
    rng.shuffle(chosen)
    return chosen


def generate_set(
    out_dir: str | Path,
    n_front: int,
    n_back: int,
    condition_mix: Mapping[str, float] | None = None,
    seed: int = 0,
    max_side: int = MAX_SIDE,
    progress: bool = False,
    families: Sequence[str] = ("classic",),
    rotations: Sequence[int] = ROTATIONS,
) -> list[TruthRecord]:
    """Write ``n_front`` + ``n_back`` photos and ``truth.json`` to ``out_dir``; return the records.

    Conditions follow ``condition_mix`` (weights by condition name; default ``DEFAULT_MIX``),
    rotations are spread evenly over ``rotations`` (default 0/90/180/270), and the fronts show
    every one of the 56 nations as soon as there are at least 56 of them. ``families``: card i
    of each side is drawn by ``families[i % len(families)]`` (default: classic alone, as before
    families existed).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    mix = condition_mix or DEFAULT_MIX
    records: list[TruthRecord] = []
    sides: tuple[tuple[CardSide, int], ...] = (("front", n_front), ("back", n_back))
    for side, count in sides:
        identities = make_identities(count, seed=rng.randrange(2**31), every_nation=side == "front")
        conditions = _conditions(rng, count, mix)
        turns = [rotations[i % len(rotations)] for i in range(count)]
        rng.shuffle(turns)
        for i, identity in enumerate(identities):
            records.append(
                photo_case(
                    out,
                    f"{side}_{i + 1:04d}.jpg",
                    identity,
                    side,
                    conditions[i],
                    turns[i],
                    seed=f"{seed}:{side}:{i}",
                    max_side=max_side,
                    family=families[i % len(families)],
                )
            )
            if progress and (i + 1) % 50 == 0:
                print(f"{side}: {i + 1}/{count}", flush=True)
    write_truth(out, records)
    return records


def write_truth(out_dir: Path, records: list[TruthRecord]) -> None:
    """Write ``truth.json`` (UTF-8, one record per line inside the list, for readable diffs)."""
    lines = ",\n".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records)
    (out_dir / "truth.json").write_text(f"[\n{lines}\n]\n", encoding="utf-8")


def read_truth(directory: str | Path) -> list[TruthRecord]:
    """The records of ``directory/truth.json``."""
    data: list[TruthRecord] = json.loads((Path(directory) / "truth.json").read_text(encoding="utf-8"))
    return data
