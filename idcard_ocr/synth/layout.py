"""Where one card's printer put things: the nominal layout moved by a family's jitter.

Every offset is drawn once per card (uniform within the family's ``Jitter``), so two cards of a
family differ the way two real printings do: the whole block a little off, one label row further
left, a value nearer its label, characters a little larger or more spaced. The classic family's
jitter is zero and draws nothing from the random source, so its cards stay exactly as they were.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from idcard_ocr.synth.families import Jitter

# Label rows and values of each side, in the order offsets are drawn (order fixes the pixels).
FRONT_ROWS: tuple[str, ...] = ("name", "sex", "nation", "birth", "address", "number")
FRONT_VALUES: tuple[str, ...] = ("name", "sex", "nation", "year", "address", "number")
BACK_ROWS: tuple[str, ...] = ("authority", "timelimit")
BACK_VALUES: tuple[str, ...] = ("authority", "timelimit")
CARD_W_MM, CARD_H_MM = 85.6, 54.0
# Print kept this far inside the card's edge, so that a crop up to 2 mm inside the edge (a client
# app's card frame) never cuts a character and every answer stays readable.
SAFE_MM = 2.6
TOP_SAFE_MM = 6.0  # the first row's baseline: its characters are about 3.3 mm tall


def _u(rng: random.Random, spread: float) -> float:
    return rng.uniform(-spread, spread) if spread else 0.0


@dataclass
class PrintLayout:
    """One card's offsets (mm) from the nominal layout, and its size and spacing factors."""

    block: tuple[float, float] = (0.0, 0.0)
    labels: dict[str, tuple[float, float]] = field(default_factory=dict)
    values: dict[str, tuple[float, float]] = field(default_factory=dict)
    gap: float = 0.0
    label_scale: float = 1.0
    value_scale: float = 1.0
    number_scale: float = 1.0
    letter: float = 0.0  # extra spacing between a value's characters
    label_spacing: float = 0.0  # change to the spacing inside labels
    moves: bool = False

    @classmethod
    def draw(
        cls, jitter: Jitter, rng: random.Random, rows: tuple[str, ...], values: tuple[str, ...]
    ) -> PrintLayout:
        """A card's layout under ``jitter``; with no jitter, the nominal one (no draws)."""
        if jitter.none:
            return cls()
        return cls(
            block=(_u(rng, jitter.block_mm), _u(rng, jitter.block_mm)),
            labels={r: (_u(rng, jitter.label_mm), _u(rng, jitter.label_mm)) for r in rows},
            values={v: (_u(rng, jitter.field_mm), _u(rng, jitter.field_mm)) for v in values},
            gap=_u(rng, jitter.gap_mm),
            label_scale=1 + _u(rng, jitter.size),
            value_scale=1 + _u(rng, jitter.size),
            number_scale=1 + _u(rng, jitter.size / 2),
            letter=rng.uniform(0, jitter.letter_mm),
            label_spacing=_u(rng, 0.5),
            moves=True,
        )

    def _place(self, x: float, y: float, dx: float, dy: float) -> tuple[float, float]:
        if not self.moves:
            return x, y
        x = min(max(x + self.block[0] + dx, SAFE_MM), CARD_W_MM - SAFE_MM - 4)
        y = min(max(y + self.block[1] + dy, TOP_SAFE_MM), CARD_H_MM - SAFE_MM)
        return x, y

    def label(self, row: str, x: float, y: float) -> tuple[float, float]:
        """Where the label of ``row`` nominally at (x, y) is printed on this card."""
        dx, dy = self.labels.get(row, (0.0, 0.0))
        return self._place(x, y, dx, dy)

    def value(self, key: str, x: float, y: float) -> tuple[float, float]:
        """Where the value ``key`` nominally at (x, y) is printed on this card (label gap included)."""
        dx, dy = self.values.get(key, (0.0, 0.0))
        return self._place(x, y, dx + self.gap, dy)

    def room(self, x: float, right: float) -> float:
        """The width a value starting at ``x`` may take up to ``right`` (mm): the nominal right end
        (the portrait's edge or the card's) moves with the block, never past the safe margin."""
        if not self.moves:
            return right - x
        return min(right + self.block[0], CARD_W_MM - SAFE_MM) - x

    def offsets_mm(self) -> dict[str, list[float]]:
        """Each value's offset from its nominal place (block, own jitter and gap), for the record."""
        out = {"block": [round(self.block[0], 3), round(self.block[1], 3)]}
        for key, (dx, dy) in self.values.items():
            out[key] = [round(self.block[0] + dx + self.gap, 3), round(self.block[1] + dy, 3)]
        return out
