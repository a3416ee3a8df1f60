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
MIN_NATION_SCORE = math.log(0.02)  # below an average 2% per character a nation is not supported
NATION_TIE = math.log(2.0)  # nations fitting within 2x per character of the best one tie

# Traditional forms the recogniser sometimes prefers where the card prints the simplified one
# (cards use the standard simplified characters). Forms that are also standard characters in
# their own right (於, 後, 乾, 餘 ...) are left out: they can be genuinely printed.
_TRADITIONAL = (
    "漢強維爾壯納錫達門烏別東鄉倫蘇區縣華國陳張楊黃趙劉孫馬許鄭謝韓馮鄧葉蕭呂龍鳳軍偉"
    "麗紅輝廣荊灣島顏曉靜濤傑嶺莊車號樓單與鎮農場開瑤溫涼陽陰橋長興寧雲臺遼蘭貴齊魯豐"
    "濟濱溝滄頭陝隴關陸隊塢壩壽嶼層帶師廠廟彌徑慶懷撫揚時晉書會榮樂橫歐氣漁滿潛無熱獅"
    "環產畢當發盧盤礦禮窯綏經綠總羅義聖舊藍蘆衛裏誠貝賀資賓連進遠遷選邊鄒醫鐵鋼錦閩閣"
    "隨雙雞電靈順頓額風飛館駐騰驛魚鳥鴨鶴鹽麥黨龜庫穩頂臨匯貿團園圍圖壇學實寶將專導紀"
    "約紡組結絲線練纜業機極樹櫻歸漿濰瀘鑼銀鋒錢鐘鍾嬌婭嬋瑩瓊璣釗鈞銘鋭銳勝勳寬峯崗嶽"
    "湯滬潤澗瀏灘煒燁燦爍琿瑋璽紋綺綿緒縉繡聰聲肅蓮蔣薩藝蘊詩誼譚豔贇躍輪軒郵鄺釧鈴闊"
    "陣雋雜霽靚韋頌顧颯餅驊驕鬱鴻鵬鷹齡"
)
_SIMPLIFIED = (
    "汉强维尔壮纳锡达门乌别东乡伦苏区县华国陈张杨黄赵刘孙马许郑谢韩冯邓叶萧吕龙凤军伟"
    "丽红辉广荆湾岛颜晓静涛杰岭庄车号楼单与镇农场开瑶温凉阳阴桥长兴宁云台辽兰贵齐鲁丰"
    "济滨沟沧头陕陇关陆队坞坝寿屿层带师厂庙弥径庆怀抚扬时晋书会荣乐横欧气渔满潜无热狮"
    "环产毕当发卢盘矿礼窑绥经绿总罗义圣旧蓝芦卫里诚贝贺资宾连进远迁选边邹医铁钢锦闽阁"
    "随双鸡电灵顺顿额风飞馆驻腾驿鱼鸟鸭鹤盐麦党龟库稳顶临汇贸团园围图坛学实宝将专导纪"
    "约纺组结丝线练缆业机极树樱归浆潍泸锣银锋钱钟钟娇娅婵莹琼玑钊钧铭锐锐胜勋宽峰岗岳"
    "汤沪润涧浏滩炜烨灿烁珲玮玺纹绮绵绪缙绣聪声肃莲蒋萨艺蕴诗谊谭艳赟跃轮轩邮邝钏铃阔"
    "阵隽杂霁靓韦颂顾飒饼骅骄郁鸿鹏鹰龄"
)
TRADITIONAL_TO_SIMPLIFIED = str.maketrans(_TRADITIONAL, _SIMPLIFIED)


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


def number_facts(number: str, today: date | None) -> NumberFacts | None:
    """What a valid number says (sex, birth date), or None: wrong check character, impossible
    birth date, or no such province."""
    facts = parse_number(number, today)
    return facts if facts is not None and number[:2] in province_prefixes() else None


def correct_number(reading: LineReading, today: date | None = None) -> str:
    """The number as read, or the most probable one-or-two-digit change the candidates support
    that makes the check character, birth date and province code right."""
    text = clean_number(reading.text)
    if number_facts(text, today) or len(text) != 18 or len(reading.candidates) != 18:
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
                if number_facts(candidate, today):
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
    """One of the 56 nations: as read, or snapped to the one the candidates support best.

    Empty when no nation is supported: the API has no validity flag for the nation, so a value
    that is not a nation at all would reach the client unflagged.
    """
    if reading is None:
        return ""
    text = clean_nation(simplify(reading))
    if is_nation(text):
        return text
    cands = reading.candidates
    scores: dict[str, float] = {}
    for nation in NATIONS:
        for offset in range(0, len(cands) - len(nation) + 1):
            window = cands[offset : offset + len(nation)]
            score = sum(math.log(max(_support(c, ch), 1e-6)) for c, ch in zip(window, nation, strict=True))
            scores[nation] = max(scores.get(nation, -math.inf), score / len(nation))
    fitting = {n: v for n, v in scores.items() if v > MIN_NATION_SCORE}
    if not fitting:
        return ""
    best = max(fitting.values())
    # A longer name that fits about as well explains more of what was read (土家 over 土).
    return max((n for n, v in fitting.items() if v >= best - NATION_TIE), key=lambda n: (len(n), fitting[n]))


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
    # Digits washed out (glare) or merged (blur) but none contradicting the number: the year
    # read in full and every other digit read in the number's order. The date printed in the
    # number then stands for the one printed on the birth line.
    digits = "".join(c for c in reading.text if c.isdigit())
    if digits.startswith(y) and any(_in_order(digits[4:], f"{m}{d}" if pad else f"{m:0>2}{d:0>2}")
                                    for pad in (True, False)):
        return expected
    return parsed


def _in_order(part: str, whole: str) -> bool:
    """True when the characters of ``part`` appear in ``whole`` in the same order."""
    rest = iter(whole)
    return all(c in rest for c in part)


def correct_timelimit(reading: LineReading | None, normalized: str) -> str:
    """The term as read, or with its end date set to 5/10/20 years on when the candidates allow."""
    if reading is None or is_valid_timelimit(normalized):
        return normalized
    term = parse_timelimit(normalized[:8] + "-长期") if len(normalized) >= 8 else None
    text = reading.text
    if term is None or len(text) != 21:  # 2019.08.06-2039.08.06
        return normalized
    # As for the number: with many digits unsure, some valid term is always near (blur read
    # both 0605s as 0808 and 2039 as 2099; set to 2039 the pair agreed and passed).
    unsure = sum(1 for c, cands in zip(text, reading.candidates, strict=False)
                 if c.isdigit() and cands and cands[0][1] < UNSURE_DIGIT)
    if unsure > MAX_UNSURE_DIGITS:
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


def address_starts_with_province(address: str) -> bool:
    """True when ``address`` begins with a province-level name (``浙江省…``, ``北京市…``, ``内蒙古…``)."""
    return any(address_province_matches(address, prefix + "0000") for prefix in province_prefixes())


# What the stamps and watermarks put across a copy's print say: 复印无效, 仅限办理开户使用,
# 仅供贷款审核使用, 此复印件仅用于手机卡实名登记, 他用无效 ... A stamp is often only partly read
# into a value (its line crosses the value's, or runs on after it): any two characters in a row
# of these phrases (``手机``, ``限办``, ``印件``) mark a fragment of one. No place name in the table
# of divisions holds such a pair; 银行 and 专用 are left out (a bank's or a works' own quarters).
STAMP_PURPOSES = ("银行开户", "贷款审核", "手机卡实名", "社保业务", "入职登记", "租房备案", "本次业务")
STAMP_PHRASES = (
    "复印无效", "再次复印无效", "此复印件仅限办理", "仅供使用", "仅用于", "他用无效", *STAMP_PURPOSES,
)
NOT_STAMP_ONLY = frozenset({"银行", "专用"})
STAMP_FRAGMENTS = frozenset(
    phrase[i : i + 2] for phrase in STAMP_PHRASES for i in range(len(phrase) - 1)
) - NOT_STAMP_ONLY


# Whole stamp texts as banks and agencies word them: a purpose between a fixed start and end.
STAMP_FORMS = ("仅限办理{}使用", "仅供{}使用", "此复印件仅限{}使用", "此复印件仅用于{}", "{}他用无效")
STAMP_TEXTS = (*STAMP_PHRASES, *(form.format(purpose) for form in STAMP_FORMS for purpose in STAMP_PURPOSES))


def stamp_tail(text: str) -> int:
    """Where a stamp's words that run on after a value on its line begin in ``text`` (its length
    when none do): the longest ending of two or more characters that is a piece of a stamp's text
    and holds a stamp fragment (``限手机卡`` after ``胜利大道510号``). A single character is left:
    it may as well be the value's own last one (``房``)."""
    for start in range(len(text) - 1):
        tail = text[start:]
        if has_stamp_words(tail) and any(tail in stamp for stamp in STAMP_TEXTS):
            return start
    return len(text)


def has_stamp_words(text: str) -> bool:
    """True when ``text`` holds a fragment of a stamp's words (``复印无效``, ``限办理``, ``手机卡``)."""
    return any(text[i : i + 2] in STAMP_FRAGMENTS for i in range(len(text) - 1))


# The front's labels: a name that holds one was read from a line with a label in it (the name's
# band placed on the row below, a card found cut short), not from the name's own print.
LABEL_WORDS = ("姓名", "性别", "民族", "出生", "住址", "公民", "身份", "号码")


def holds_label(name: str) -> bool:
    """True when ``name`` holds a word of the card's printed labels (``女民族汉``)."""
    return any(word in name for word in LABEL_WORDS)


def address_looks_complete(address: str) -> bool:
    """False when ``address`` visibly stops short: it ends in a digit or a Latin letter.

    A house, building or room number always carries its unit (号, 室, 组, 栋 ...), so an address
    ending in a digit lost its tail to glare or the crop.
    """
    if not address:
        return False
    last = address[-1]
    return not (last.isascii() and last.isalnum()) and not last.isdigit()


def front_validity(info: dict[str, str], today: date | None = None) -> dict[str, bool]:
    """The API's front ``validity``: each field read and consistent with the rules and the number.

    A valid number fixes sex and birth date. When the printed ones were read (a real date, 男 or
    女) and say otherwise, either could be the misread one (or the card is not genuine): the
    number is not vouched for either.
    """
    facts = number_facts(info.get("number", ""), today)
    birth: date | None = None
    try:
        birth = date(int(info.get("year", "")), int(info.get("month", "")), int(info.get("day", "")))
    except ValueError:
        birth = None
    sex = info.get("sex", "")
    disagrees = facts is not None and (
        (birth is not None and birth != facts.birth) or (sex in ("男", "女") and sex != facts.sex)
    )
    birthday_ok = (
        birth is not None and birth <= (today or date.today()) and (facts is None or facts.birth == birth)
    )
    name = info.get("name", "")
    address = info.get("address", "")
    # Any province will do: the number keeps the region of first registration while the address
    # follows the holder (the mismatch is reported separately, as the extras' numberCheck).
    address_ok = (
        len(address) >= 6 and address_starts_with_province(address) and address_looks_complete(address)
        and not has_stamp_words(address)
    )
    return {
        "birthday": birthday_ok,
        "number": facts is not None and not disagrees,
        "address": address_ok,
        "sex": sex in ("男", "女") and (facts is None or facts.sex == sex),
        "name": 2 <= len(name.replace("·", "")) <= 20 and not has_stamp_words(name) and not holds_label(name),
    }


def back_validity(info: dict[str, str], today: date | None = None) -> dict[str, bool]:
    """The API's back ``validity``: authority shape and term rules."""
    authority = info.get("authority", "")
    return {
        "authority": is_valid_authority(authority) and not has_stamp_words(authority),
        "timelimit": is_valid_timelimit(info.get("timelimit", ""), today),
    }
