"""ID-card knowledge as data and pure functions: numbers, nationalities, regions, dates, terms.

Nothing here does I/O beyond reading the bundled region table once, and nothing is random:
the synthetic-card generator draws from these tables with its own seeded generator.
"""

from idcard_ocr.domain.authority import is_valid_authority
from idcard_ocr.domain.dates import parse_compact, split_birth
from idcard_ocr.domain.id_number import NumberFacts, check_char, is_valid_number, make_number, parse_number
from idcard_ocr.domain.nations import NATION_WEIGHTS, NATIONS, is_nation
from idcard_ocr.domain.regions import (
    address_province_matches,
    counties,
    province_of,
    province_prefixes,
    region_name,
    region_parts,
)
from idcard_ocr.domain.terms import (
    Term,
    format_timelimit,
    is_valid_timelimit,
    parse_timelimit,
    term_years_for_age,
)

__all__ = [
    "NATIONS",
    "NATION_WEIGHTS",
    "NumberFacts",
    "Term",
    "address_province_matches",
    "check_char",
    "counties",
    "format_timelimit",
    "is_nation",
    "is_valid_authority",
    "is_valid_number",
    "is_valid_timelimit",
    "make_number",
    "parse_compact",
    "parse_number",
    "parse_timelimit",
    "province_of",
    "province_prefixes",
    "region_name",
    "region_parts",
    "split_birth",
    "term_years_for_age",
]
