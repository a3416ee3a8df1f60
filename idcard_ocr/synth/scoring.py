"""Scoring recognitions against synthetic ground truth: exact-match rates split by condition.

Pure functions over plain values: the benchmark turns each recognition into an :class:`Answer`
(what the API would show, via :func:`answer_from`), feeds (truth record, answer) pairs in and
prints the table. A field counts as right only when the API would return exactly the true
string, so a correct reading that is then blanked (``result`` 1) counts as wrong, as it would
for a user.

A *silent error* is worse than a miss: the value is wrong (and not empty) while the API marks it
valid, so a client that trusts ``validity`` takes it. ``nation`` has no validity flag of its
own, so any wrong non-empty nation is silent.

Photos the generator judged illegible (truth ``legibility.legible`` false: characters too small,
too blurred or washed out by glare for a person) are also scored apart. On those the right
answer is "not valid", not a reading, so what counts there is the *honest refusal* rate: photos
with no silent error.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from idcard_ocr.contract.card import BACK_INFO_KEYS, FRONT_INFO_KEYS, CardReading, data_of

FIELD_COLUMNS: tuple[str, ...] = (*FRONT_INFO_KEYS, *BACK_INFO_KEYS)
CLEAN_GROUP = "clean"
PHOTO_GROUP = "photo"
NOT_CARD_GROUP = "not_card"  # photos with text but no card, or no text at all
LEGIBLE_GROUP = "photo-legible"  # photo conditions, split by the generator's legibility verdict
ILLEGIBLE_GROUP = "photo-illegible"
# The ``validity`` flag that vouches for each info field (None: the API has no flag for it).
VALIDITY_OF: dict[str, str | None] = {
    "name": "name", "number": "number", "sex": "sex", "nation": None, "year": "birthday",
    "month": "birthday", "day": "birthday", "address": "address", "authority": "authority",
    "timelimit": "timelimit",
}  # fmt: skip


@dataclass(frozen=True)
class Answer:
    """What the API would answer for one photo, as plain values.

    ``text_found`` False is the 301 (no text anywhere); otherwise ``result``, ``info`` and
    ``validity`` are exactly the contract's ``data`` (blank values and false flags for result 1).
    """

    text_found: bool
    side: str = "front"
    rotate: int = 0  # 0, 90, 180 or 270
    result: int = 1
    info: Mapping[str, str] = field(default_factory=dict)
    validity: Mapping[str, bool] = field(default_factory=dict)
    elapsed_ms: float | None = None


def answer_from(reading: CardReading, elapsed_ms: float | None = None) -> Answer:
    """The :class:`Answer` the API gives for ``reading`` (a recognition)."""
    if not reading.text_found:
        return Answer(False, elapsed_ms=elapsed_ms)
    data = data_of(reading)
    info, validity, result = data["info"], data["validity"], data["result"]
    assert isinstance(info, dict) and isinstance(validity, dict) and isinstance(result, int)
    return Answer(True, reading.side, reading.rotate, result, info, validity, elapsed_ms)


@dataclass
class Outcome:
    """How one photo went: per-field hits, side, rotation, and what was missed."""

    file: str
    condition: str
    kind: str | None
    side_ok: bool
    rotate_ok: bool
    fields_ok: dict[str, bool] = field(default_factory=dict)
    silent: dict[str, bool] = field(default_factory=dict)  # wrong, not empty, yet marked valid
    misses: list[dict[str, str]] = field(default_factory=list)
    elapsed_ms: float | None = None
    legible: bool | None = None  # the generator's verdict; None for non-cards and older sets

    @property
    def honest(self) -> bool:
        """No value wrong yet marked valid: every mistake is one a client can see."""
        return not any(self.silent.values())

    @property
    def all_ok(self) -> bool:
        """Every field exactly right (for a non-card photo: the right verdict)."""
        return all(self.fields_ok.values()) and self.side_ok


def score_one(truth: dict[str, Any], answer: Answer | None, error: str | None = None) -> Outcome:
    """Compare one answer (None when the recogniser raised ``error``) with its truth record."""
    kind = truth.get("kind")
    outcome = Outcome(truth["file"], truth["condition"], kind, side_ok=False, rotate_ok=False)
    legible = (truth.get("legibility") or {}).get("legible")
    outcome.legible = None if legible is None else bool(legible)
    if answer is None:
        outcome.fields_ok = {k: False for k in truth["info"]} or {"verdict": False}
        outcome.misses.append({"file": truth["file"], "field": "error", "expected": "", "got": error or ""})
        return outcome
    outcome.elapsed_ms = answer.elapsed_ms
    if kind is not None:  # no_text must give 301; not_card must give result 1 with text found
        verdict = (
            not answer.text_found
            if kind == "no_text"
            else answer.text_found and answer.result == 1
        )
        outcome.side_ok = outcome.rotate_ok = True
        outcome.fields_ok = {"verdict": verdict}
        if not verdict:
            got = (
                "no text" if not answer.text_found else f"result {answer.result} {answer.info}"
            )
            outcome.misses.append({"file": truth["file"], "field": "verdict", "expected": kind, "got": got})
        return outcome
    outcome.side_ok = answer.side == truth["side"]
    outcome.rotate_ok = answer.rotate == truth["rotate"]
    info, validity = answer.info, answer.validity
    for key, expected in truth["info"].items():
        got = str(info.get(key, "")) if outcome.side_ok else ""
        outcome.fields_ok[key] = got == expected
        flag = VALIDITY_OF.get(key)
        vouched = bool(validity.get(flag, False)) if flag is not None else True
        shown = str(info.get(key, ""))
        outcome.silent[key] = shown != expected and shown != "" and vouched
        if got != expected:
            outcome.misses.append({"file": truth["file"], "field": key, "expected": expected, "got": got})
    if not outcome.side_ok:
        outcome.misses.append(
            {"file": truth["file"], "field": "side", "expected": truth["side"], "got": answer.side}
        )
    if not outcome.rotate_ok:
        outcome.misses.append(
            {
                "file": truth["file"],
                "field": "rotate",
                "expected": str(truth["rotate"]),
                "got": str(answer.rotate),
            }
        )
    return outcome


def _pct(hits: Iterable[bool]) -> float | None:
    values = list(hits)
    return round(100.0 * sum(values) / len(values), 1) if values else None


def summarise(outcomes: Sequence[Outcome], total: int) -> dict[str, Any]:
    """Rates for a group of outcomes: share of the whole set, side, rotate, each field, all fields."""
    cards = [o for o in outcomes if o.kind is None]
    return {
        "n": len(outcomes),
        "share": round(100.0 * len(outcomes) / total, 1) if total else 0.0,
        "side": _pct(o.side_ok for o in cards),
        "rotate": _pct(o.rotate_ok for o in cards),
        "fields": {k: _pct(o.fields_ok[k] for o in cards if k in o.fields_ok) for k in FIELD_COLUMNS},
        "silent": {k: _pct(o.silent[k] for o in cards if k in o.silent) for k in FIELD_COLUMNS},
        "all_fields": _pct(o.all_ok for o in outcomes),
        "honest": _pct(o.honest for o in cards),
        "verdict": _pct(o.fields_ok["verdict"] for o in outcomes if o.kind is not None),
    }


def report(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The whole benchmark report: by condition, by group (clean / photo / all), misses, timing."""
    total = len(outcomes)
    conditions = sorted({o.condition for o in outcomes}, key=lambda c: (c != CLEAN_GROUP, c))
    times = [o.elapsed_ms for o in outcomes if o.elapsed_ms is not None]
    photos = [o for o in outcomes if o.kind is None and o.condition != CLEAN_GROUP]
    return {
        "conditions": {c: summarise([o for o in outcomes if o.condition == c], total) for c in conditions},
        "groups": {
            CLEAN_GROUP: summarise([o for o in outcomes if o.condition == CLEAN_GROUP], total),
            PHOTO_GROUP: summarise(photos, total),
            LEGIBLE_GROUP: summarise([o for o in photos if o.legible is True], total),
            ILLEGIBLE_GROUP: summarise([o for o in photos if o.legible is False], total),
            NOT_CARD_GROUP: summarise([o for o in outcomes if o.kind is not None], total),
            "all": summarise(outcomes, total),
        },
        "timing_ms": {
            "mean": round(statistics.fmean(times), 1) if times else None,
            "p50": round(statistics.median(times), 1) if times else None,
            "p90": round(sorted(times)[int(0.9 * (len(times) - 1))], 1) if times else None,
        },
        "illegible_share_of_photos": _pct(o.legible is False for o in photos if o.legible is not None),
        "misses": [m for o in outcomes for m in o.misses],
        "silent_misses": [m for o in outcomes for m in o.misses if o.silent.get(m["field"])],
    }


NAME_WIDTH = 15  # fits "photo-illegible"


def format_table(result: dict[str, Any]) -> str:
    """A fixed-width text table of ``report``'s rates (percent; '-' where a column does not apply)."""
    short = {"number": "numb", "nation": "natn", "address": "addr", "authority": "auth", "timelimit": "term"}
    columns = ["n", "share", "side", "rot", *[short.get(k, k[:4]) for k in FIELD_COLUMNS], "all"]
    lines = [f"{'condition':<{NAME_WIDTH}} " + " ".join(f"{c:>6}" for c in columns)]

    def row(name: str, s: dict[str, Any]) -> str:
        cells = [
            s["n"],
            s["share"],
            s["side"],
            s["rotate"],
            *[s["fields"][k] for k in FIELD_COLUMNS],
            s["all_fields"],
        ]
        return f"{name:<{NAME_WIDTH}} " + " ".join(f"{'-' if v is None else v:>6}" for v in cells)

    lines += [row(name, s) for name, s in result["conditions"].items()]
    lines.append("-" * len(lines[0]))
    lines += [row(name, s) for name, s in result["groups"].items() if s["n"]]
    lines.append("")
    lines.append("silent errors (% of cards: value wrong but marked valid)")
    # "honest": % of cards with no silent error at all (on illegible photos: the honest refusals).
    silent_columns = [*[short.get(k, k[:4]) for k in FIELD_COLUMNS], "honest"]
    lines.append(f"{'condition':<{NAME_WIDTH}} " + " ".join(f"{c:>6}" for c in silent_columns))

    def silent_row(name: str, s: dict[str, Any]) -> str:
        cells = [*[s.get("silent", {}).get(k) for k in FIELD_COLUMNS], s.get("honest")]
        return f"{name:<{NAME_WIDTH}} " + " ".join(f"{'-' if v is None else v:>6}" for v in cells)

    lines += [silent_row(name, s) for name, s in result["conditions"].items() if s["n"]]
    lines += [silent_row(name, s) for name, s in result["groups"].items() if s["n"]]
    illegible = result["groups"].get(ILLEGIBLE_GROUP, {})
    if result.get("illegible_share_of_photos") is not None:
        lines.append("")
        lines.append(
            f"illegible photos: {illegible.get('n', 0)} ({result['illegible_share_of_photos']}% of photos);"
            f" honest refusals on them (no value wrong yet marked valid): {illegible.get('honest', '-')}%"
        )
    return "\n".join(lines)


def side_by_side(rows: Sequence[tuple[str, str, dict[str, Any]]]) -> str:
    """A table of ``summarise`` results, one row per (set, reader), readers of a set together.

    Rows whose reader vouches for nothing and reports no rotation (the stock pipeline) show '-'
    for ``rot`` and ``silent`` (the highest per-field silent-error rate of the row).
    """
    short = {"number": "numb", "nation": "natn", "address": "addr", "authority": "auth", "timelimit": "term"}
    width = max([len(name) for name, _, _ in rows] + [NAME_WIDTH])
    columns = ["n", "side", "rot", *[short.get(k, k[:4]) for k in FIELD_COLUMNS], "all", "silent"]
    lines = [f"{'set':<{width}} {'reader':<6} " + " ".join(f"{c:>6}" for c in columns)]
    previous = ""
    for name, reader, s in rows:
        vouches = reader != "stock"
        silent = [v for v in s["silent"].values() if v is not None]
        cells = [
            s["n"],
            s["side"],
            s["rotate"] if vouches else None,
            *[s["fields"][k] for k in FIELD_COLUMNS],
            s["all_fields"],
            (max(silent) if silent else None) if vouches else None,
        ]
        if previous and name != previous:
            lines.append("")
        previous = name
        lines.append(
            f"{name:<{width}} {reader:<6} " + " ".join(f"{'-' if v is None else v:>6}" for v in cells)
        )
    return "\n".join(lines)
