"""What a card lies on in a photo: wood, cloth, paper, a plain desk, a scanner bed, or clutter
with other printed text (a receipt, a form) right next to the card, which recognisers must ignore.
"""

from __future__ import annotations

import random

import cv2
import numpy as np
from PIL import Image, ImageDraw

from idcard_ocr.synth.fonts import fonts_covering, load_font

BACKGROUND_KINDS = ("wood", "cloth", "paper", "desk", "clutter")

RECEIPT_LINES = (
    "超市购物小票",
    "商品名称  数量  单价  金额",
    "矿泉水  2  3.00  6.00",
    "全麦面包  1  12.50  12.50",
    "合计：18.50元",
    "实收：20.00  找零：1.50",
    "收银员：0032  谢谢惠顾",
    "日期：2024-05-03 18:22",
    "会员积分 120",
    "欢迎再次光临",
    "发票抬头",
    "单据号 880012345",
    "联系电话 0571-88888888",
    "快递单 收件人 张先生",
    "寄件地址 杭州市西湖区",
    "请妥善保管本凭证",
    "本店地址：人民路66号",
    "营业执照 统一社会信用代码",
    "订单编号 2024050312345678",
    "付款方式 微信支付",
)


def _smooth_noise(rng: random.Random, width: int, height: int, cells: int) -> np.ndarray:
    np_rng = np.random.default_rng(rng.randrange(2**32))
    small = np_rng.random((max(2, height // cells), max(2, width // cells))).astype(np.float32)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)


def _surface_colour(rng: random.Random, max_saturation: float) -> np.ndarray:
    # Real desks and cloths are mostly muted; a few are dark, a few bright.
    hue, saturation = rng.uniform(0, 180), rng.uniform(0, max_saturation) * 255
    value = rng.choice((rng.uniform(25, 90), rng.uniform(90, 200), rng.uniform(200, 240)))
    hsv = np.array([[[hue, saturation, value]]], np.uint8)
    return np.asarray(cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)[0, 0], np.float32)


def _wood(rng: random.Random, width: int, height: int) -> np.ndarray:
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    warp = _smooth_noise(rng, width, height, 160) * rng.uniform(20, 80)
    frequency = rng.uniform(0.03, 0.12)
    rings = np.sin((ys + warp) * frequency + xs * rng.uniform(-0.004, 0.004)) * 0.5 + 0.5
    # Fine grain: noise stretched along the boards, so it reads as fibres rather than speckle.
    np_rng = np.random.default_rng(rng.randrange(2**32))
    streaks = np_rng.random((max(2, height // 2), max(2, width // 60))).astype(np.float32)
    grain = cv2.resize(streaks, (width, height), interpolation=cv2.INTER_LINEAR)
    red = rng.randint(120, 215)  # wood is red-brown to honey: red > green > blue
    green = red - rng.randint(25, 60)
    base = np.array([max(10, green - rng.randint(20, 60)), green, red], np.float32)  # BGR
    shade = 0.78 + 0.1 * rings[..., None] + 0.16 * grain[..., None]
    if rng.random() < 0.5:  # plank seams
        plank = rng.randint(max(20, height // 6), max(21, height // 2))
        shade[(ys.astype(np.int32) % plank) < 2] *= 0.6
    return (base * shade).clip(0, 255).astype(np.uint8)


def _cloth(rng: random.Random, width: int, height: int) -> np.ndarray:
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    period = rng.uniform(3, 7)
    weave = (np.sin(xs / period * np.pi) * np.sin(ys / period * np.pi)) * 0.5 + 0.5
    base = _surface_colour(rng, max_saturation=0.55)
    shade = 0.85 + 0.12 * weave[..., None] + 0.1 * (_smooth_noise(rng, width, height, 150)[..., None] - 0.5)
    return (base * shade).clip(0, 255).astype(np.uint8)


def _paper(rng: random.Random, width: int, height: int) -> np.ndarray:
    level = rng.randint(205, 245)
    fibres = _smooth_noise(rng, width, height, 3) * 10 + _smooth_noise(rng, width, height, 200) * 12
    grey = (level - 10 + fibres).clip(0, 255)
    tint = np.array([rng.uniform(0.95, 1.0), rng.uniform(0.97, 1.0), 1.0], np.float32)
    return (grey[..., None] * tint).clip(0, 255).astype(np.uint8)


def _desk(rng: random.Random, width: int, height: int) -> np.ndarray:
    base = _surface_colour(rng, max_saturation=0.3)
    shade = 0.9 + 0.2 * _smooth_noise(rng, width, height, 300)[..., None]
    return (base * shade).clip(0, 255).astype(np.uint8)


def print_text_block(rng: random.Random, image: np.ndarray, box: tuple[int, int, int, int]) -> None:
    """Print receipt-like lines of Chinese text in ``box`` (x0, y0, x1, y1) of ``image``, in place."""
    x0, y0, x1, y1 = box
    if x1 - x0 < 40 or y1 - y0 < 40:
        return
    fonts = fonts_covering("".join(RECEIPT_LINES))
    if not fonts:
        return
    page = Image.fromarray(cv2.cvtColor(image[y0:y1, x0:x1], cv2.COLOR_BGR2RGB))
    draw = ImageDraw.Draw(page)
    size = max(12, int(min(page.width, page.height) * rng.uniform(0.035, 0.07)))
    font = load_font(rng.choice(fonts), size)
    ink = rng.randint(10, 70)
    y = rng.randint(4, size)
    while y + size < page.height:
        draw.text((rng.randint(4, size), y), rng.choice(RECEIPT_LINES), font=font, fill=(ink, ink, ink))
        y += int(size * rng.uniform(1.4, 2.0))
    image[y0:y1, x0:x1] = cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR)


BANK_WORDS = ("城市商业银行", "农村信用社", "储蓄卡", "借记卡", "会员卡", "VIP", "银联")


def draw_other_card(rng: random.Random, image: np.ndarray) -> None:
    """Lay a bank- or membership-like card (a chip, a 16-digit number, a name) somewhere on
    ``image``, in place: another card full of digits that a recogniser must not read as the ID."""
    fonts = fonts_covering("".join(BANK_WORDS))
    height, width = image.shape[:2]
    card_w = int(width * rng.uniform(0.2, 0.35))
    card_h = int(card_w * 54 / 85.6)
    if not fonts or card_h < 30:
        return
    colour = tuple(rng.randint(40, 230) for _ in range(3))
    tile = Image.new("RGBA", (card_w, card_h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(tile)
    draw.rounded_rectangle((0, 0, card_w - 1, card_h - 1), radius=card_h // 12, fill=(*colour, 255))
    chip = (card_w * 0.1, card_h * 0.35, card_w * 0.24, card_h * 0.55)
    draw.rounded_rectangle(chip, radius=3, fill=(214, 180, 90, 255))
    ink = (255, 255, 255, 255) if sum(colour) < 380 else (20, 20, 20, 255)
    title = load_font(rng.choice(fonts), max(8, card_h // 9))
    draw.text(
        (card_w * 0.08, card_h * 0.08),
        rng.choice(BANK_WORDS[:2]) + rng.choice(BANK_WORDS[2:5]),
        font=title,
        fill=ink,
    )
    digits = " ".join("".join(str(rng.randint(0, 9)) for _ in range(4)) for _ in range(4))
    draw.text(
        (card_w * 0.08, card_h * 0.66),
        digits,
        font=load_font(rng.choice(fonts), max(8, card_h // 9)),
        fill=ink,
    )
    turned = tile.rotate(rng.uniform(-30, 30), expand=True, resample=Image.Resampling.BICUBIC)
    x, y = rng.randint(0, max(0, width - turned.width)), rng.randint(0, max(0, height - turned.height))
    canvas = Image.fromarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    canvas.paste(turned, (x, y), turned)
    image[:] = cv2.cvtColor(np.asarray(canvas), cv2.COLOR_RGB2BGR)


def _clutter(rng: random.Random, width: int, height: int) -> np.ndarray:
    image = (_wood if rng.random() < 0.5 else _desk)(rng, width, height)
    for _ in range(rng.randint(1, 3)):  # sheets of printed paper, partly under or beside the card
        w, h = int(width * rng.uniform(0.25, 0.6)), int(height * rng.uniform(0.3, 0.8))
        x, y = rng.randint(-w // 3, width - w // 2), rng.randint(-h // 3, height - h // 2)
        x0, y0, x1, y1 = max(0, x), max(0, y), min(width, x + w), min(height, y + h)
        if x1 - x0 < 40 or y1 - y0 < 40:
            continue
        image[y0:y1, x0:x1] = _paper(rng, x1 - x0, y1 - y0)
        print_text_block(rng, image, (x0, y0, x1, y1))
    if rng.random() < 0.5:
        draw_other_card(rng, image)
    return image


def make_background(rng: random.Random, kind: str, width: int, height: int) -> np.ndarray:
    """A BGR background of ``kind`` (one of ``BACKGROUND_KINDS`` or ``scan``)."""
    if kind == "scan":
        level = rng.randint(238, 252)
        return np.full((height, width, 3), level, np.uint8)
    makers = {"wood": _wood, "cloth": _cloth, "paper": _paper, "desk": _desk, "clutter": _clutter}
    return makers[kind](rng, width, height)
