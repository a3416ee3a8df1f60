"""Families of card drawings: each its own art, fonts and print-position jitter.

A recogniser tuned on one drawing learns that drawing: its colours, its typefaces, its fields at
fixed millimetres. Real cards vary (printers place the text block a millimetre or two off,
photocopies go grey), so the generator's variety is split into named families:

* ``classic`` draws exactly what the generator drew before families existed (same seed, same
  pixels): the committed test sets were drawn with it.
* ``vivid``, ``warm``, ``greyscan`` and ``ledger`` are further *tuned* families: rules and thresholds of the
  recogniser may be fitted on them.
* ``heldout`` has art, fonts and layout jitter of its own and is **never used for tuning**: no
  rule or threshold is fitted on it. Its figures say how the recogniser does on cards drawn in a
  way it was not shaped by. A change that gains on the tuned families and loses on it is a
  regression.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Jitter:
    """How far a family's printer may place things from the nominal layout (all uniform, ±).

    ``block_mm``: the whole print (text, portrait, emblem) on each axis; ``label_mm``: each label
    row; ``field_mm``: each value; ``gap_mm``: the label-to-value distance (one per card);
    ``size``: character size, relative; ``letter_mm``: extra letter spacing of values, 0 to this.
    """

    block_mm: float = 0.0
    label_mm: float = 0.0
    field_mm: float = 0.0
    gap_mm: float = 0.0
    size: float = 0.0
    letter_mm: float = 0.0

    @property
    def none(self) -> bool:
        """True when nothing moves (the classic family's fixed layout)."""
        return not any((self.block_mm, self.label_mm, self.field_mm, self.gap_mm, self.size, self.letter_mm))


@dataclass(frozen=True)
class Art:
    """A family's card art. ``pattern``: ``classic`` (wave guilloche and rosette), ``rosette``
    (concentric guilloche rosettes), ``mesh`` (crossing waves), ``dots`` (a fine dot screen) or
    ``hatch`` (fine slanted ruling in bands of changing pitch, with a few straight frame rules);
    ``emblem``: ``classic``, ``seal`` or ``ring``; ``portrait``: ``classic``, ``studio`` or
    ``flat``; ``grey_scan``: the whole card turned grey and low in contrast, as a poor scan."""

    pattern: str = "classic"
    front_tint: RGB = (222, 230, 240)
    back_tint: RGB = (232, 226, 214)
    line_colours: tuple[RGB, ...] = ((200, 214, 230), (232, 206, 214))
    label_colour: RGB | None = None  # None: the classic blue range
    label_spread: int = 20
    value_grey: tuple[int, int] = (8, 40)
    emblem: str = "classic"
    portrait: str = "classic"
    grey_scan: bool = False
    stamp_chance: float = 0.0  # share of cards with a stamp or watermark over the text


@dataclass(frozen=True)
class Family:
    """One family of drawings. Font tuples name keys of ``fonts.ALL_FONTS``; None: the classic
    choice among ``fonts.CJK_FONTS``. ``number_fonts``: the faces the number may be printed in,
    one picked per card (a single face is used without drawing a random choice, so the classic
    and held-out drawings stay as they were)."""

    name: str
    tuned: bool
    art: Art = field(default_factory=Art)
    jitter: Jitter = field(default_factory=Jitter)
    label_fonts: tuple[str, ...] | None = None
    value_fonts: tuple[str, ...] | None = None
    number_fonts: tuple[str, ...] = ("ocr-b",)


CLASSIC = Family("classic", tuned=True)

FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        CLASSIC,
        Family(
            "vivid",
            tuned=True,
            art=Art(
                pattern="mesh",
                front_tint=(214, 228, 246),
                back_tint=(236, 224, 204),
                line_colours=((170, 196, 232), (214, 180, 206), (180, 214, 200)),
                label_colour=(22, 92, 186),
                value_grey=(0, 24),
                emblem="seal",
                portrait="studio",
                stamp_chance=0.2,
            ),
            jitter=Jitter(block_mm=2.0, label_mm=0.8, field_mm=1.0, gap_mm=1.0, size=0.08, letter_mm=0.4),
            label_fonts=("noto-sans-medium", "noto-sans", "wqy-microhei"),
            value_fonts=("noto-sans-medium", "noto-serif-medium", "ar-gkai", "noto-sans"),
            number_fonts=("ocr-b", "dejavu-mono", "liberation-mono", "freemono-bold"),
        ),
        Family(
            "warm",
            tuned=True,
            art=Art(
                pattern="rosette",
                front_tint=(240, 230, 214),
                back_tint=(238, 232, 222),
                line_colours=((226, 198, 170), (214, 206, 176), (230, 190, 190)),
                label_colour=(140, 84, 44),
                value_grey=(10, 50),
                emblem="ring",
                portrait="flat",
                stamp_chance=0.3,
            ),
            jitter=Jitter(block_mm=3.0, label_mm=1.5, field_mm=1.5, gap_mm=1.5, size=0.1, letter_mm=0.6),
            label_fonts=("noto-serif-semibold", "noto-serif", "uming"),
            value_fonts=("noto-serif-semibold", "ar-gkai", "noto-sans-light", "ukai"),
            number_fonts=("ocr-b", "noto-mono", "liberation-mono-bold", "freemono"),
        ),
        Family(
            "greyscan",
            tuned=True,
            art=Art(
                pattern="classic",
                front_tint=(226, 228, 230),
                back_tint=(230, 228, 224),
                value_grey=(20, 60),
                portrait="flat",
                grey_scan=True,
                stamp_chance=0.4,
            ),
            jitter=Jitter(block_mm=1.5, label_mm=0.8, field_mm=0.8, gap_mm=0.8, size=0.06, letter_mm=0.3),
            label_fonts=("uming", "noto-sans-light", "wqy-zenhei"),
            value_fonts=("uming", "noto-sans-light", "wqy-zenhei", "noto-serif"),
            number_fonts=("ocr-b", "liberation-mono", "dejavu-mono-bold", "noto-mono"),
        ),
        # Heavy and hair-thin faces no other family uses, ruled art, a plum label colour and the
        # wide end of the jitter (letter spacing wider than any other family's).
        Family(
            "ledger",
            tuned=True,
            art=Art(
                pattern="hatch",
                front_tint=(234, 228, 238),
                back_tint=(238, 236, 226),
                line_colours=((206, 196, 222), (220, 212, 190), (200, 208, 214)),
                label_colour=(104, 58, 120),
                label_spread=16,
                value_grey=(0, 36),
                emblem="ring",
                portrait="classic",
                stamp_chance=0.25,
            ),
            jitter=Jitter(block_mm=3.0, label_mm=1.2, field_mm=1.5, gap_mm=1.2, size=0.1, letter_mm=1.0),
            label_fonts=("noto-sans-black", "noto-sans-demilight", "noto-serif-black"),
            value_fonts=(
                "noto-sans-demilight",
                "noto-serif-black",
                "noto-serif-extralight",
                "noto-sans-black",
            ),
            number_fonts=("ocr-b", "dejavu-mono-bold", "freemono-bold", "noto-mono"),
        ),
        # Never tuned on: fonts no tuned family uses, art of its own, the widest jitter.
        Family(
            "heldout",
            tuned=False,
            art=Art(
                pattern="dots",
                front_tint=(220, 236, 232),
                back_tint=(226, 232, 238),
                line_colours=((178, 214, 206), (206, 200, 226), (222, 214, 186)),
                label_colour=(28, 112, 128),
                label_spread=14,
                value_grey=(4, 44),
                emblem="seal",
                portrait="studio",
                stamp_chance=0.35,
            ),
            jitter=Jitter(block_mm=3.0, label_mm=1.5, field_mm=1.5, gap_mm=1.5, size=0.1, letter_mm=0.8),
            label_fonts=("droid-fallback", "wenkai-bold", "hanazono", "noto-serif-light"),
            value_fonts=("wenkai", "wenkai-light", "droid-fallback", "hanazono", "ar-gbsn"),
            number_fonts=("ocr-b-sharp",),
        ),
    )
}
TUNED_FAMILIES: tuple[str, ...] = tuple(name for name, f in FAMILIES.items() if f.tuned)
HELDOUT_FAMILY = "heldout"


def get_family(name: str) -> Family:
    """The family called ``name``; ValueError naming the known ones otherwise."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise ValueError(f"unknown card family {name!r}; known: {', '.join(FAMILIES)}") from None
