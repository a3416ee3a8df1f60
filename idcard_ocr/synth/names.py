"""Names for synthetic cards: common surnames and given names, minority names, rare characters.

Every name here is invented from common parts; none is meant to be a real person's.
"""

from __future__ import annotations

import random

# Roughly the most common surnames, most frequent first (frequency drives the weights below).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐")
GIVEN_CHARS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国文辉玉萍红鹏飞斌宁宁浩然子轩梓涵一诺欣怡"
    "雨桐思远晨曦佳琪嘉怡俊杰志强海燕丹凤晓东春梅秋菊冬雪志明家豪宇航博文天佑梦琪诗涵紫萱若曦"
    "瑞祥德胜福贵永康海波云峰雅婷慧敏立新卫东红梅小龙"
)
# Characters outside the everyday set that real names use; each is checked against the chosen
# font before drawing (a tofu box would make the truth unreadable).
RARE_CHARS = "㛃旻赟燊龑喆堃淼鑫犇焱垚昇珺玥䶮頔昶翀"

# Uyghur/Kazakh-style names printed with the middle dot between given name and father's name.
DOT_GIVEN = (
    "阿依古丽",
    "买买提",
    "艾力",
    "热依拉",
    "古丽娜尔",
    "阿不都",
    "努尔",
    "迪丽拜尔",
    "吐尔逊",
    "帕提古丽",
)
DOT_FAMILY = ("买买提", "艾山", "吐尔逊", "阿木提", "依明", "卡德尔", "热合曼", "沙吾提")
TIBETAN_NAMES = ("扎西顿珠", "次仁卓玛", "格桑", "央金", "旦增", "达瓦", "尼玛次仁", "拉姆", "平措", "德吉")
MONGOLIAN_NAMES = ("巴特尔", "乌兰", "其木格", "斯琴", "额尔敦", "苏日娜", "那日苏", "图雅", "宝音")
DOT_NATIONS = frozenset({"维吾尔", "哈萨克", "柯尔克孜", "乌孜别克", "塔吉克", "塔塔尔"})


def _weighted_surname(rng: random.Random) -> str:
    # A rough Zipf weighting: the first surnames are far more common than the last.
    if rng.random() < 0.03:
        return rng.choice(COMPOUND_SURNAMES)
    index = min(int(rng.expovariate(1 / 18)), len(SURNAMES) - 1)
    return SURNAMES[index]


def han_name(rng: random.Random, rare: bool = False) -> str:
    """A 2–4 character Han-style name; with ``rare`` one given-name character is uncommon."""
    surname = _weighted_surname(rng)
    given_len = 1 if rng.random() < 0.3 else 2
    if len(surname) == 2 and rng.random() < 0.5:
        given_len = 1
    given = [rng.choice(GIVEN_CHARS) for _ in range(given_len)]
    if rare:
        given[rng.randrange(given_len)] = rng.choice(RARE_CHARS)
    return surname + "".join(given)


def minority_name(rng: random.Random, nation: str) -> str | None:
    """A name in the style of ``nation``, or None when that nation mostly uses Han-style names."""
    if nation in DOT_NATIONS:
        return f"{rng.choice(DOT_GIVEN)}·{rng.choice(DOT_FAMILY)}"
    if nation == "藏":
        return rng.choice(TIBETAN_NAMES)
    if nation == "蒙古":
        return rng.choice(MONGOLIAN_NAMES)
    return None


def dot_name(rng: random.Random) -> str:
    """A name with the middle dot, e.g. ``阿依古丽·买买提``."""
    return f"{rng.choice(DOT_GIVEN)}·{rng.choice(DOT_FAMILY)}"
