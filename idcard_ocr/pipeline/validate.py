"""Choose among the recogniser's candidates with ID-card knowledge, and judge each field.

Every correction here needs two things: a domain rule that says what the value must be (the
number's check character, the birth date inside the number, the 56 nationalities, the term
lengths) and a recogniser candidate at each changed position that supports it. A value the image
does not support is never invented: when the candidates disagree the reading stays as read and
its ``validity`` is false.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import date

from idcard_ocr.domain.authority import is_valid_authority
from idcard_ocr.domain.dates import split_birth
from idcard_ocr.domain.id_number import NumberFacts, parse_number
from idcard_ocr.domain.nations import NATIONS, is_nation
from idcard_ocr.domain.regions import address_province_matches, province_prefixes
from idcard_ocr.domain.terms import is_valid_timelimit, parse_timelimit
from idcard_ocr.pipeline.engine import LineReading
from idcard_ocr.pipeline.parse import clean_nation, clean_number, parse_birth_text

MIN_SUPPORT = 1e-3  # a candidate below this probability does not support a correction
MAX_NUMBER_FIXES = 2  # positions of a number we are willing to change
UNSURE_DIGIT = 0.9  # a digit read with less than this probability may be changed
MAX_UNSURE_DIGITS = 4  # with more unsure digits than this, some valid number is always near: no fix
AMBIGUITY_MARGIN = math.log(4.0)  # the best fix must be 4x likelier than the next valid one

# Traditional forms the recogniser sometimes prefers; cards print the simplified form.
TRADITIONAL_TO_SIMPLIFIED = str.maketrans({
    "漢": "汉", "強": "强", "維": "维", "爾": "尔", "壯": "壮", "納": "纳", "錫": "锡", "達": "达",
    "門": "门", "烏": "乌", "別": "别", "東": "东", "鄉": "乡", "倫": "伦", "蘇": "苏", "區": "区",
    "縣": "县", "華": "华", "國": "国", "陳": "陈", "張": "张", "楊": "杨", "黃": "黄", "趙": "赵",
    "劉": "刘", "孫": "孙", "馬": "马", "許": "许", "鄭": "郑", "謝": "谢", "韓": "韩", "馮": "冯",
    "鄧": "邓", "葉": "叶", "蕭": "萧", "呂": "吕", "龍": "龙", "鳳": "凤", "軍": "军", "偉": "伟",
    "麗": "丽", "紅": "红", "輝": "辉", "燕": "燕", "廣": "广", "荊": "荆", "灣": "湾", "島": "岛",
    "顏": "颜", "曉": "晓", "靜": "静", "濤": "涛", "傑": "杰", "嶺": "岭", "莊": "庄", "車": "车",
    "號": "号", "樓": "楼", "單": "单", "與": "与", "鎮": "镇", "農": "农", "場": "场", "開": "开",
    "瑤": "瑶",
})  # fmt: skip


def _support(candidates: Sequence[tuple[str, float]], char: str) -> float:
    """Probability the recogniser gave ``char`` (or its traditional form) at one position."""
    return max((p for c, p in candidates if c.translate(TRADITIONAL_TO_SIMPLIFIED) == char), default=0.0)


def supported(reading: LineReading, target: str, offset: int = 0) -> bool:
    """True when ``target`` differs from the reading (from ``offset``) only where candidates allow."""
    cands = reading.candidates[offset : offset + len(target)]
    if len(cands) != len(target):
        return False
    return all(_support(c, ch) >= MIN_SUPPORT for c, ch in zip(cands, target, strict=True))


def simplify(reading: LineReading) -> str:
    """The reading with traditional forms replaced by simplified ones.

    A position changes when its simplified form is the known counterpart of what was read; cards
    are printed in simplified characters, so the traditional form cannot be right.
    """
    return reading.text.translate(TRADITIONAL_TO_SIMPLIFIED)


# --- number ----------------------------------------------------------------------------------


def _number_ok(number: str, today: date | None) -> NumberFacts | None:
    facts = parse_number(number, today)
    return facts if facts is not None and number[:2] in province_prefixes() else None


def correct_number(reading: LineReading, today: date | None = None) -> str:
    """The number as read, or the most probable one-or-two-digit change the candidates support
    that makes the check character, birth date and province code right."""
    text = clean_number(reading.text)
    if _number_ok(text, today) or len(text) != 18 or len(reading.candidates) != 18:
        return text
    # Only unsure digits may change; when many are unsure a check character is no evidence.
    unsure = [i for i in range(18) if reading.candidates[i][0][1] < UNSURE_DIGIT]
    if not unsure or len(unsure) > MAX_UNSURE_DIGITS:
        return text
    for count in range(1, MAX_NUMBER_FIXES + 1):
        found: list[tuple[float, str]] = []
        for positions in itertools.combinations(unsure, count):
            options = [
                [(c, p) for c, p in reading.candidates[i][1:] if p >= MIN_SUPPORT and c != text[i]]
                for i in positions
            ]
            for choice in itertools.product(*options):
                chars = list(text)
                score = 0.0
                for i, (c, p) in zip(positions, choice, strict=True):
                    chars[i] = c
                    score += math.log(p) - math.log(max(reading.candidates[i][0][1], 1e-9))
                candidate = "".join(chars)
                if _number_ok(candidate, today):
                    found.append((score, candidate))
        if found:
            found.sort(reverse=True)
            if len(found) > 1 and found[0][0] - found[1][0] < AMBIGUITY_MARGIN:
                return text  # two different numbers fit about equally well: keep what was read
            return found[0][1]
    return text


# --- front fields ----------------------------------------------------------------------------


def choose_sex(reading: LineReading | None, facts: NumberFacts | None) -> str:
    """男 or 女 from the sex crop's candidates; the number's sex wins when the crop supports it."""
    if reading is None or not reading.candidates:
        return ""
    probs = {s: max(_support(pos, s) for pos in reading.candidates) for s in ("男", "女")}
    if facts is not None and probs[facts.sex] >= MIN_SUPPORT:
        return facts.sex
    best = max(probs, key=lambda s: probs[s])
    return best if probs[best] >= MIN_SUPPORT else ""


def choose_nation(reading: LineReading | None) -> str:
    """The nation as printed, snapped to the nearest of the 56 when the candidates support it."""
    if reading is None:
        return ""
    text = clean_nation(simplify(reading))
    if is_nation(text):
        return text
    cands = reading.candidates
    best, best_score = "", math.log(0.02)  # below an average 2% per character: leave as read
    for nation in NATIONS:
        for offset in range(0, len(cands) - len(nation) + 1):
            window = cands[offset : offset + len(nation)]
            score = sum(math.log(max(_support(c, ch), 1e-6)) for c, ch in zip(window, nation, strict=True))
            score /= len(nation)
            if score > best_score:
                best, best_score = nation, score
    return best or text


def choose_birth(reading: LineReading | None, facts: NumberFacts | None) -> tuple[str, str, str] | None:
    """Year, month, day as read; the number's date replaces it only where the candidates allow."""
    if reading is None:
        return None
    parsed = parse_birth_text(reading.text)
    if facts is None:
        return parsed
    expected = split_birth(facts.birth)
    if parsed == expected:
        return parsed
    y, m, d = expected
    for target in (f"{y}年{m}月{d}日", f"{y}年{m:0>2}月{d:0>2}日", f"{y}{m}{d}", f"{y}{m:0>2}{d:0>2}"):
        if supported(reading, target):
            return expected
    return parsed


def correct_timelimit(reading: LineReading | None, normalized: str) -> str:
    """The term as read, or with its end date set to 5/10/20 years on when the candidates allow."""
    if reading is None or is_valid_timelimit(normalized):
        return normalized
    term = parse_timelimit(normalized[:8] + "-长期") if len(normalized) >= 8 else None
    text = reading.text
    if term is None or len(text) != 21:  # 2019.08.06-2039.08.06
        return normalized
    start = term.start
    for years in (5, 10, 20):
        end = f"{start.year + years}{text[15:16]}{start.month:02d}{text[18:19]}{start.day:02d}"
        if supported(reading, end, offset=11):
            candidate = f"{normalized[:8]}-{start.year + years}{start.month:02d}{start.day:02d}"
            if is_valid_timelimit(candidate):
                return candidate
    return normalized


# --- validity --------------------------------------------------------------------------------


def front_validity(info: dict[str, str], today: date | None = None) -> dict[str, bool]:
    """The API's front ``validity``: each field read and consistent with the rules and the number."""
    facts = _number_ok(info.get("number", ""), today)
    birth: date | None = None
    try:
        birth = date(int(info.get("year", "")), int(info.get("month", "")), int(info.get("day", "")))
    except ValueError:
        birth = None
    birthday_ok = (
        birth is not None and birth <= (today or date.today()) and (facts is None or facts.birth == birth)
    )
    sex = info.get("sex", "")
    name = info.get("name", "")
    address = info.get("address", "")
    address_ok = len(address) >= 6 and (
        address_province_matches(address, facts.region6)
        if facts is not None
        else any(address_province_matches(address, p + "0000") for p in province_prefixes())
    )
    return {
        "birthday": birthday_ok,
        "number": facts is not None,
        "address": address_ok,
        "sex": sex in ("男", "女") and (facts is None or facts.sex == sex),
        "name": 2 <= len(name.replace("·", "")) <= 20,
    }


def back_validity(info: dict[str, str], today: date | None = None) -> dict[str, bool]:
    """The API's back ``validity``: authority shape and term rules."""
    return {
        "authority": is_valid_authority(info.get("authority", "")),
        "timelimit": is_valid_timelimit(info.get("timelimit", ""), today),
    }
