"""The geometry stages in one call: find the card, refine its corners, set it upright, tell its side.

``straighten(img)`` is what the reading stages consume. It judges the best few card-shaped
quadrilaterals (a photo may hold other paper, a phone, another card) on the down-scaled locating
copy, by how much their outline looks like a card's and how well their print matches an ID
card's layout. When no outline is convincing it also places cards roughly, from three edges seen
and the card's shape or around the print itself, slides each onto the layout
(``register_to_layout``), and refines both the placed and the slid quad onto the photo's edges
before judging them by layout and edges together (``placed.py``). A square-on quad of the wrong
shape gets the one side rebuilt that makes the print fit best. Only the winner is refined finely
on the full-resolution photo and cut out at full size. A quad whose print matches neither side's
layout is not a card. A photo of the card's shape with no outline in it, whose print places a
card filling it, was cut to the card: its frame is the card. A frame whose labels already sit
where its side's layout puts them (those of the best outline do not) is taken before any card is
placed from the print: that search is most of a cut photo's time and would change nothing. Nor
is one placed around a clear outline whose labels sit where its layout puts them (a scan on a
white margin whose print matches its layout less than surely): the outline would be kept.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from idcard_ocr.pipeline.frame import Frame, labels_confirm, photo_frame, preview_on
from idcard_ocr.pipeline.locate import (
    LOCATE_MAX_SIDE,
    MIN_AREA_FRACTION,
    MIN_SCORE,
    CardCandidate,
    LocatePass,
    line_candidates,
    locate_pass,
    outline_score,
)
from idcard_ocr.pipeline.locate_lines import three_side_candidates
from idcard_ocr.pipeline.locate_print import has_text_marks, print_block_quads
from idcard_ocr.pipeline.orientation import OrientedCard, orient_card
from idcard_ocr.pipeline.placed import (
    ASPECT_TOLERANCE,
    LAYOUT_WEIGHT,
    MIN_LAYOUT_MATCH,
    MIN_SIDE_MARGIN,
    PREVIEW_SIZE,
    placed_clearly,
    registered,
    repair_aspect,
)
from idcard_ocr.pipeline.quad import (
    CARD_ASPECT,
    CARD_WIDTH,
    aspect_ratio,
    overlaps,
    side_lengths,
    warp,
)
from idcard_ocr.pipeline.rectify import refine_quad
from idcard_ocr.pipeline.types import Point, Side

CANDIDATES_TRIED = 12  # judged by layout; a preview costs about a millisecond
SURE_LAYOUT_MATCH = 0.5  # with a clear outline, at or above this later candidates are skipped
SURE_OUTLINE = 0.6
# A clear outline's print is judged with this much slack (mm, each axis): printers place the whole
# text block a few millimetres off the layout's places, and judged at the exact places such a
# card's own outline loses to a quad cut around its print. A weaker outline keeps the exact
# places: with slack, a quad a strip short of the card matches as well as the card.
PRINT_SHIFT_MM = 3


@dataclass(frozen=True)
class Straightened:
    """The upright canonical card cut from a photo, and where and how it lay there."""

    card: np.ndarray  # 540 x 856 x 3 BGR uint8, upright
    quad: tuple[Point, Point, Point, Point]  # TL, TR, BR, BL of the upright card, input pixels
    rotate: int  # 0 | 90 | 180 | 270: how far the card is turned clockwise (the API's rotate)
    side: Side
    side_score: float  # margin of the chosen side and orientation over the runner-up (0..2)
    outline_score: float = 0.0  # how card-like and well-edged the outline is (0..1; 0: placed from print)
    layout_match: float = 0.0  # correlation of the print with the chosen side's layout (-1..1)
    timings_ms: dict[str, float] = field(default_factory=dict)
    # True: ``card`` is the warp along ``quad`` rolled by two, turned half-way, which matches
    # ``warp(img, quad)`` only to a fraction of a pixel; False: it is that warp exactly.
    turned: bool = False
    # The photo's locating pass (its down-scaled copy and the card outlines on it): a photo of
    # several cards finds the others among these outlines without searching the photo again.
    located: LocatePass | None = field(default=None, repr=False, compare=False)


@dataclass
class _Choice:
    combined: float
    outline: float
    quad: np.ndarray  # photo pixels
    search_px: float  # how far full-resolution refinement may move each side
    small: np.ndarray | None = None  # the locating copy the choice was judged on
    factor: float = 1.0  # photo pixels per locating-copy pixel
    framed: bool = False  # the photo's own frame: its edges are the card's, none to refine onto
    located: LocatePass | None = None  # the locating pass it was chosen from


@dataclass(frozen=True)
class _SensitiveEdges:
    """The locating pass's sensitive edge map, dilated once, for weighing cards placed without
    a closed outline: their edge support, and their outline on the contour candidates' scale."""

    dilated: np.ndarray
    weight: float

    @classmethod
    def of(cls, located: LocatePass) -> _SensitiveEdges:
        edges, weight = located.edge_maps[-1]
        return cls(cv2.dilate(edges, np.ones((3, 3), np.uint8)), weight)

    def outline(self, small_quad: np.ndarray) -> float:
        """The quad's outline score (locating-copy pixels), weighted as this map's candidates are."""
        return self.weight * outline_score(small_quad, self.dilated)


def _edge_search_px(img: np.ndarray) -> float:
    """How far the full-resolution edge may lie from the coarse one: a few coarse pixels."""
    factor = max(img.shape[:2]) / float(LOCATE_MAX_SIDE)
    return max(5.0, 3.0 * factor)


def _judge(
    img: np.ndarray,
    small: np.ndarray,
    candidates: list[CardCandidate],
    best: _Choice | None,
    best_match: float,
) -> tuple[_Choice | None, float]:
    """The best of ``candidates`` and ``best`` by outline and layout, with its layout match at
    the layout's exact places.

    A clear outline whose print matches less than surely where the layout puts it is ranked and
    admitted by its print's match with slack for print moved on the card (``_preview``). Whether
    it is sure enough to end the search is judged at the exact places: a clear outline of
    something else (a portrait's frame and a card edge, a quarter turn off) that the slack lets
    match does not stop the searches that would find the card."""
    for candidate in candidates:
        if candidate.score < MIN_SCORE or candidate.small_quad is None:
            continue
        preview = _preview(small, candidate.small_quad, candidate.score)
        match = preview.layout_match
        if match < MIN_LAYOUT_MATCH or preview.side_score < MIN_SIDE_MARGIN:
            continue
        combined = candidate.score + LAYOUT_WEIGHT * match
        if best is None or combined > best.combined:
            best = _Choice(combined, candidate.score, candidate.quad, _edge_search_px(img))
            best_match = preview.placed_match
        if candidate.score >= SURE_OUTLINE and preview.placed_match >= SURE_LAYOUT_MATCH:
            break  # a clear card: the other outlines are its portrait, a text block or clutter
    return best, best_match


def _preview(small: np.ndarray, small_quad: np.ndarray, outline: float) -> OrientedCard:
    """The layout preview of a candidate: a clear outline whose print does not match surely
    where the layout puts it is judged with slack for print moved on the card."""
    slack = PRINT_SHIFT_MM if outline >= SURE_OUTLINE else 0
    return orient_card(small, small_quad, PREVIEW_SIZE, shift_mm=slack, sure=SURE_LAYOUT_MATCH)


def _choose(img: np.ndarray, timings: dict[str, float]) -> _Choice | None:
    """The most card-like quad, judged on the locating copy; None when nothing qualifies."""
    start = time.perf_counter()
    located = locate_pass(img, limit=CANDIDATES_TRIED)
    timings["locate"] = (time.perf_counter() - start) * 1000.0
    mark = time.perf_counter()
    best, best_match = _judge(img, located.small, located.candidates, None, -1.0)
    timings["judge"] = (time.perf_counter() - mark) * 1000.0
    lines: list[CardCandidate] = []
    # A clear outline whose labels sit where its side's layout puts them is the card, the right
    # side the right way up, though its print matches less than surely (a grey copy, a pale
    # print): no other card is looked for.
    labelled = best_match < SURE_LAYOUT_MATCH and _outline_labelled(img, located, best)
    if best_match < SURE_LAYOUT_MATCH and not labelled:
        mark = time.perf_counter()
        lines = line_candidates(located, CANDIDATES_TRIED)
        seen = best
        best, best_match = _judge(img, located.small, lines, best, best_match)
        # Asked again only of a new best that is still unsure: a sure one ends the search anyway.
        new_unsure = best is not seen and best_match < SURE_LAYOUT_MATCH
        labelled = new_unsure and _outline_labelled(img, located, best)
        timings["lines"] = (time.perf_counter() - mark) * 1000.0
    unsure = best is None or best_match < SURE_LAYOUT_MATCH
    frame = Frame.of(img, located) if unsure else None
    if frame is not None and frame.labelled_first(img, located, None if best is None else best.quad):
        # Cut to the card, its labels printed where the frame puts them: no card to place.
        best = _framed(frame)
    elif unsure:
        mark = time.perf_counter()
        # Cards placed roughly (three edges seen, or the print alone), then slid onto the layout;
        # not around a clear outline whose labels already sit where its layout puts them.
        sensitive = _SensitiveEdges.of(located)
        placed: list[np.ndarray] = []
        if not labelled:
            placed = three_side_candidates(located.edge_maps, MIN_AREA_FRACTION)
            from_print = print_block_quads(img, located.small, located.factor)
            placed += [(quad + 0.5) / located.factor - 0.5 for quad in from_print]
        placed_best = -1.0
        for small_quad in placed:
            preview, placed_score = registered(img, located, small_quad, sensitive.dilated)
            quad = (preview.quad + 0.5) * located.factor - 0.5
            match = preview.layout_match
            if not placed_clearly(preview):
                continue
            # Weighed against a whole outline on the same terms: a placed card that lies on its
            # edges has an outline too, though part of it was never a closed contour (a finger or
            # a receipt over it); one on no edges must match the layout that much better.
            if (
                best is not None
                and best.outline > 0.0
                and LAYOUT_WEIGHT * match + sensitive.outline(preview.quad) <= best.combined
            ):
                continue
            if placed_score <= placed_best:
                continue
            placed_best = placed_score
            # Already refined within PRINT_SEARCH_MM where that helped: a second search that wide
            # would wander off the card's edge onto print or a shadow.
            best = _Choice(LAYOUT_WEIGHT * match, 0.0, quad, _edge_search_px(img))
        timings["print_fallback"] = (time.perf_counter() - mark) * 1000.0
        mark = time.perf_counter()
        # An outline that lost one side (a faint edge on pale paper, a receipt under a corner),
        # rebuilt at the card's shape, has three sides on edges: it beats a card placed from its
        # print alone (which is only as sure as the print sits where the layout puts it) when it
        # reads as the same side the same way up and fits as well with its edges counted. A clear
        # outline whose labels sit in place has its shape rebuilt below all the same.
        repaired = None if labelled else _judge_repaired(img, located, sensitive, located.candidates + lines)
        if repaired is not None and (best is None or _agrees(located, repaired, best)):
            best = repaired
        timings["repaired"] = (time.perf_counter() - mark) * 1000.0
        if frame is not None and frame.wins(
            img, located, None if best is None else best.quad, 0.0 if best is None else best.outline
        ):
            best = _framed(frame)
    if best is not None and best.outline > 0.0:  # a card placed from its print has the card's shape
        mark = time.perf_counter()
        best.quad = repair_aspect(located.small, located.factor, best.quad)
        timings["aspect"] = (time.perf_counter() - mark) * 1000.0
    if best is not None:
        best.small, best.factor, best.located = located.small, located.factor, located
    return best


def _outline_labelled(img: np.ndarray, located: LocatePass, best: _Choice | None) -> bool:
    """Whether ``best`` is a clear outline whose labels sit where its side's layout puts them.

    Its print may match the layout less than surely (a pale or low-contrast print, a scan's white
    margin), but the card is found, the right side the right way up, to the millimetre or two the
    reading stage's registration by the labels takes up: a card placed from the print (most of
    such a photo's time) would not be taken over it."""
    if best is None or best.outline < SURE_OUTLINE:
        return False
    return labels_confirm(img, located, preview_on(located, best.quad))


def _framed(frame: Frame) -> _Choice:
    """The photo's own frame as the choice: its edges are the card's, none to refine onto."""
    return _Choice(LAYOUT_WEIGHT * frame.preview.layout_match, 0.0, frame.quad, 0.0, framed=True)


def _judge_repaired(
    img: np.ndarray, located: LocatePass, sensitive: _SensitiveEdges, candidates: list[CardCandidate]
) -> _Choice | None:
    """The best outline that failed the layout check only for having one side on something else.

    A card lying half over a receipt of the same white can lose a corner to the receipt, and a
    pale card on pale paper its faintest edge: its outline then runs along something else, the
    quad is no card's shape, and its print, cut wrongly, matches neither side clearly. Rebuilt at
    the card's shape from its square corners (``repair_aspect``), such a quad is judged again,
    on its own edges. It must match as clearly as a card placed without a whole outline (one side
    of it is a guess), unless the rebuilt side too lies on an edge: then it is a whole outline.
    """
    best: _Choice | None = None
    for candidate in candidates:
        if candidate.score < MIN_SCORE or candidate.small_quad is None:
            continue
        repaired = repair_aspect(located.small, located.factor, candidate.quad)
        if repaired is candidate.quad:
            continue  # the card's shape already, or no side could be rebuilt
        small_quad = (repaired + 0.5) / located.factor - 0.5
        preview = orient_card(located.small, small_quad, PREVIEW_SIZE)
        outline = sensitive.outline(small_quad)
        whole = outline >= SURE_OUTLINE and preview.layout_match >= MIN_LAYOUT_MATCH
        if not (placed_clearly(preview) or (whole and preview.side_score >= MIN_SIDE_MARGIN)):
            continue
        combined = outline + LAYOUT_WEIGHT * preview.layout_match
        if outline >= MIN_SCORE and (best is None or combined > best.combined):
            best = _Choice(combined, outline, repaired, _edge_search_px(img))
    return best


def _agrees(located: LocatePass, repaired: _Choice, placed: _Choice) -> bool:
    """Whether a repaired outline scores above a card placed from its print and reads as the same
    side the same way up: another card's or a receipt's outline, rebuilt, reads as some other."""
    if repaired.combined <= placed.combined:
        return False
    seen = [preview_on(located, choice.quad) for choice in (repaired, placed)]
    return (seen[0].side, seen[0].rotate) == (seen[1].side, seen[1].rotate)


def _card_as_seen(img: np.ndarray, upright_quad: np.ndarray) -> np.ndarray:
    """The upright card cut at the size it has in the photo (at most the canonical size).

    The text-marks check counts thin dark strokes of a glyph's size. A small card blown up to
    the canonical size turns its print into wide soft smudges that the check cannot see (a card
    180 px wide: no marks at all), while grain or cloth blown up can form glyph-sized blobs; at
    the photo's own scale a small card's print counts as print and a surface's grain as grain.
    """
    lengths = side_lengths(upright_quad)  # top, right, bottom, left of the upright card
    width = min(float(CARD_WIDTH), max(float(lengths[0]), float(lengths[2])))
    height = width / CARD_ASPECT
    return warp(img, upright_quad, max(1, round(width)), max(1, round(height)))


def straighten(img: np.ndarray) -> Straightened | None:
    """Find, straighten and orient the ID card in a BGR photo; None when there is no card.

    The returned quad is in ``img``'s pixel coordinates (for a reduced decode, scale it with
    ``DecodedImage.to_original``).
    """
    timings: dict[str, float] = {}
    start = time.perf_counter()
    choice = _choose(img, timings)
    if choice is None:
        timings["straighten"] = (time.perf_counter() - start) * 1000.0
        return None
    return _straightened(img, choice, timings, start)


def straighten_another(
    img: np.ndarray, located: LocatePass, found: list[np.ndarray], same_card_overlap: float
) -> Straightened | None:
    """Another card in ``img`` than those at ``found`` (quads, ``img`` pixels), chosen among the
    outlines that ``located`` (``img``'s own locating pass, ``Straightened.located``) holds; None
    unless one of them is clearly a card, outline and layout alike, or a clear outline whose
    labels sit where its layout puts them (as when ``straighten`` looks no further than its
    outlines). An outline that overlaps a card found by more than
    ``same_card_overlap`` of the smaller is that card (its rim, its portrait, the two together).

    Costs the layout previews of a few outlines instead of a search of the whole photo; a card
    with no clear outline of its own is left to ``straighten`` on the photo with the cards found
    blanked out."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    others = [c for c in located.candidates if not overlaps(c.quad, found, same_card_overlap)]
    best, match = _judge(img, located.small, others, None, -1.0)
    timings["judge"] = (time.perf_counter() - start) * 1000.0
    if best is None or (match < SURE_LAYOUT_MATCH and not _outline_labelled(img, located, best)):
        return None
    best.quad = repair_aspect(located.small, located.factor, best.quad)
    best.small, best.factor, best.located = located.small, located.factor, located
    return _straightened(img, best, timings, start)


def _upright(
    oriented: OrientedCard,
    *,
    timings_ms: dict[str, float] | None = None,
    outline_score: float = 0.0,
    located: LocatePass | None = None,
) -> Straightened:
    """``oriented`` as the answer of a straightening (its quad as plain corner tuples)."""
    corners = tuple((float(x), float(y)) for x, y in oriented.quad)
    return Straightened(
        card=oriented.card,
        quad=corners,  # type: ignore[arg-type]
        rotate=oriented.rotate,
        side=oriented.side,
        side_score=oriented.side_score,
        outline_score=outline_score,
        layout_match=oriented.layout_match,
        timings_ms=timings_ms if timings_ms is not None else {},
        turned=oriented.turned,
        located=located,
    )


def straighten_as(img: np.ndarray, quad: np.ndarray, side: Side) -> Straightened:
    """The card at ``quad`` (``img`` pixels, any corner first) cut out and set upright as
    ``side``, whichever side its print matches best: only which way up it lies is judged
    (``side_score`` is the margin over the other way up). For a card known to be that side from
    elsewhere (a page of one identity holds one front and one back)."""
    start = time.perf_counter()
    oriented = orient_card(img, np.asarray(quad, np.float64), side=side)
    return _upright(oriented, timings_ms={"orient": (time.perf_counter() - start) * 1000.0})


def side_margin(img: np.ndarray, quad: np.ndarray) -> float:
    """How much better the print of the card at ``quad`` matches the side it reads as than the
    other side (either way up): how sure its side is, on a layout preview."""
    return print_side(img, quad)[1]


def print_side(img: np.ndarray, quad: np.ndarray) -> tuple[Side, float]:
    """The side whose layout the print of the card at ``quad`` matches better (either way up),
    and by how much (``side_margin``), on a layout preview: what the print alone says, whatever
    a reading then made of the card."""
    scores = orient_card(img, np.asarray(quad, np.float64), PREVIEW_SIZE).scores
    front, back = max(scores.front, scores.front_turned), max(scores.back, scores.back_turned)
    return ("front" if front >= back else "back"), abs(front - back)


def _straightened(
    img: np.ndarray, choice: _Choice, timings: dict[str, float], start: float
) -> Straightened | None:
    """The chosen quad refined on the full-resolution photo, cut out, oriented and checked."""
    mark = time.perf_counter()
    quad = choice.quad if choice.framed else refine_quad(img, choice.quad, search_px=choice.search_px)
    off_shape = abs(aspect_ratio(quad) - CARD_ASPECT) > ASPECT_TOLERANCE
    if not choice.framed and choice.small is not None and off_shape:
        # Refinement can take a strong edge inside the card (the portrait's frame) for a faint
        # outline: seen from the front, the card's own shape says which side went astray.
        quad = repair_aspect(choice.small, choice.factor, quad)
    timings["refine"] = (time.perf_counter() - mark) * 1000.0
    mark = time.perf_counter()
    # A clear outline is the card: its print is set upright with the slack it was chosen with.
    slack = PRINT_SHIFT_MM if choice.outline >= SURE_OUTLINE else 0
    oriented = orient_card(img, quad, shift_mm=slack, sure=SURE_LAYOUT_MATCH)
    timings["orient"] = (time.perf_counter() - mark) * 1000.0
    timings["straighten"] = (time.perf_counter() - start) * 1000.0
    if choice.outline == 0.0 and not has_text_marks(_card_as_seen(img, oriented.quad)):
        # Placed without an outline, its layout fit must come from print: wood grain or cloth
        # slid onto the layout can correlate with it too.
        return None
    return _upright(oriented, timings_ms=timings, outline_score=choice.outline, located=choice.located)


def straighten_frame(img: np.ndarray) -> Straightened | None:
    """The photo's own frame straightened as the card, set upright by its print; None unless the
    photo has the card's shape.

    For a second try when the card found on a photo of the card's shape read nothing that passes
    a check: an inner frame (the portrait's, a block of print) can win the outline search on a
    photo cut to the card, and then the card's own print is off the straightened card.
    """
    frame = photo_frame(img)
    return None if frame is None else _upright(orient_card(img, frame))
