"""Bands placed by the labels: a row's label moves the band's start, the whole block its end."""

from __future__ import annotations

from idcard_ocr.pipeline.layout import ADDRESS, NAME, SEX, labels_for, regions_for
from idcard_ocr.pipeline.register import FoundLabel, label_registered


def _found(shifts: dict[str, int]) -> list[FoundLabel]:
    found = []
    for label in labels_for("front"):
        if label.field in shifts:
            dx = shifts[label.field]
            x0, y0, x1, y1 = label.box
            found.append(FoundLabel(label, (x0 + dx, y0, x1 + dx, y1)))
    return found


def test_a_row_printed_left_of_the_block_still_reaches_the_portrait() -> None:
    # The print sits 25 px (2.5 mm) right; the address label row only 10 px.
    regions = label_registered(regions_for("front"), _found({NAME.key: 25, SEX.key: 25, ADDRESS.key: 10}))
    by_key = {r.key: r for r in regions}
    address = by_key[ADDRESS.key]
    address_label = next(label for label in labels_for("front") if label.field == ADDRESS.key)
    assert address.band[0] > address_label.box[2] + 10  # starts after its own label
    assert address.band[2] == ADDRESS.band[2] + 25  # ends where the block's portrait edge went
    assert by_key[NAME.key].band[2] == NAME.band[2] + 25


def test_a_block_printed_left_keeps_the_band_ends() -> None:
    regions = label_registered(regions_for("front"), _found({NAME.key: -20, SEX.key: -20, ADDRESS.key: -20}))
    assert {r.key: r.band[2] for r in regions}[ADDRESS.key] == ADDRESS.band[2]
