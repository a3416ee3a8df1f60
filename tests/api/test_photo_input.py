"""How the photo may arrive (file, base64, image, urlencoded) and the body rules around it."""

from __future__ import annotations

import base64
import io
import struct
import zlib

import pytest
from PIL import Image

from tests.api.support import Service, jpeg_bytes, png_bytes

pytestmark = pytest.mark.anyio


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def recognised(service: Service, data: dict[str, str], **files: tuple[str, bytes]) -> bytes:
    """Post, expect a billed 200, and return the bytes the recogniser was given."""
    body = await service.post(data, files=dict(files) or None)
    assert body["code"] == 200 and body["charge"] is True, body
    return service.recognizer.seen[-1]


async def refused(service: Service, data: dict[str, str], msg: str, **files: tuple[str, bytes]) -> None:
    body = await service.post(data, files=dict(files) or None)
    assert (body["code"], body["msg"], body["charge"]) == (400, msg, False), body


async def test_base64_with_data_prefix_and_line_breaks(service: Service) -> None:
    caller = service.account()
    photo = jpeg_bytes()
    encoded = b64(photo)
    wrapped = "data:image/jpeg;base64," + "\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))
    assert await recognised(service, caller.signed(base64=wrapped)) == photo


async def test_image_is_an_alias_of_base64(service: Service) -> None:
    caller = service.account()
    photo = png_bytes()
    assert await recognised(service, caller.signed(image=b64(photo))) == photo


async def test_first_present_of_file_base64_url_wins(service: Service) -> None:
    caller = service.account()
    file_photo, b64_photo = jpeg_bytes(100, 50), jpeg_bytes(60, 90)
    fields = caller.signed(base64=b64(b64_photo), url="http://192.0.2.1/x.jpg")
    assert await recognised(service, fields, file=("c.jpg", file_photo)) == file_photo
    assert (
        await recognised(service, caller.signed(base64=b64(b64_photo), url="http://192.0.2.1/")) == b64_photo
    )


async def test_urlencoded_body_with_unescaped_plus_in_base64(service: Service) -> None:
    caller = service.account()
    photo = next(p for p in (jpeg_bytes(w, 64) for w in range(60, 200)) if "+" in b64(p))
    fields = caller.signed()
    raw = "&".join(f"{k}={v}" for k, v in fields.items()) + "&base64=" + b64(photo)  # '+' left raw
    response = await service.http.post(
        "/ocr/idcard-v1", content=raw, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.json()["code"] == 200
    assert service.recognizer.seen[-1] == photo
    response = await service.http.post("/ocr/idcard-v1", data=caller.signed(base64=b64(photo)))
    assert response.json()["code"] == 200  # properly percent-encoded works too


@pytest.mark.parametrize(
    ("photo", "msg"),
    [
        (b"GIF89a" + b"\0" * 100, "照片格式不正确"),
        (b"just some text, named card.jpg", "照片格式不正确"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 50, "照片格式不正确"),  # JPEG magic, no real header
        (jpeg_bytes(8, 100), "照片宽高需大于8px且不超过4000px"),
        (png_bytes(100, 8), "照片宽高需大于8px且不超过4000px"),
        (png_bytes(4001, 9), "照片宽高需大于8px且不超过4000px"),
    ],
    ids=["gif", "text", "jpeg-magic-only", "jpeg-8px", "png-8px", "png-4001px"],
)
async def test_photo_rules_refuse_and_do_not_bill(service: Service, photo: bytes, msg: str) -> None:
    caller = service.account(balance=3)
    await refused(service, caller.signed(), msg, file=("card.jpg", photo))
    await refused(service, caller.signed(base64=b64(photo)), msg)
    assert service.recognizer.calls == 0
    assert service.balance(caller) == 3 and service.billed(caller) == 0


async def test_smallest_and_largest_sides_are_accepted(service: Service) -> None:
    caller = service.account()
    await recognised(service, caller.signed(), file=("a.png", png_bytes(9, 9)))
    await recognised(service, caller.signed(), file=("b.png", png_bytes(4000, 12)))


def giant_png_header(width: int, height: int) -> bytes:
    """A PNG whose header declares a huge image, with one tiny compressed row of data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = lambda kind, data: (  # noqa: E731
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    )
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


async def test_png_declaring_30000_square_is_refused_without_decoding(service: Service) -> None:
    caller = service.account()
    await refused(
        service,
        caller.signed(),
        "照片宽高需大于8px且不超过4000px",
        file=("g.png", giant_png_header(30000, 30000)),
    )


async def test_photo_over_2mb_is_refused_however_it_arrives(service: Service) -> None:
    caller = service.account(balance=3)
    big = jpeg_bytes() + b"\0" * (2 * 1024 * 1024)  # a valid JPEG with trailing padding
    await refused(service, caller.signed(), "照片大小不能超过2MB", file=("big.jpg", big))
    await refused(service, caller.signed(base64=b64(big)), "照片大小不能超过2MB")
    # Exactly 2 MB decoded is still fine: the limit is on image bytes, not on base64 text.
    exact = jpeg_bytes()
    exact += b"\0" * (2 * 1024 * 1024 - len(exact))
    await recognised(service, caller.signed(base64=b64(exact)))
    assert service.balance(caller) == 2


async def test_bad_base64_is_named(service: Service) -> None:
    caller = service.account()
    await refused(service, caller.signed(base64="@@not base64@@"), "参数错误: base64 格式不正确")
    await refused(service, caller.signed(image="%%%"), "参数错误: image 格式不正确")


async def test_body_over_the_cap_is_refused_while_streaming(service: Service) -> None:
    caller = service.account()
    sent = 0

    async def endless() -> object:
        nonlocal sent
        head = "".join(f"{k}={v}&" for k, v in caller.signed().items()) + "base64="
        yield head.encode()
        for _ in range(200):  # would be 12.8 MB if read to the end
            sent += 64 * 1024
            yield b"A" * 64 * 1024

    response = await service.http.post(
        "/ocr/idcard-v1", content=endless(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    body = response.json()
    assert (body["code"], body["msg"]) == (400, "参数错误: 请求体过大")
    assert sent <= 4 * 1024 * 1024 + 128 * 1024


async def test_declared_oversized_body_is_refused(service: Service) -> None:
    caller = service.account()
    big = b"x" * (4 * 1024 * 1024 + 1)
    response = await service.http.post("/ocr/idcard-v1", data=caller.signed(), files={"file": ("a.jpg", big)})
    assert response.json()["msg"] == "参数错误: 请求体过大"


async def test_malformed_multipart_and_unknown_content_type(service: Service) -> None:
    broken = b'--XYZ\r\nContent-Disposition: form-data; name="appId"\r\n\r\nabc\r\n--XYZ'  # no close
    response = await service.http.post(
        "/ocr/idcard-v1", content=broken, headers={"Content-Type": "multipart/form-data; boundary=XYZ"}
    )
    assert response.status_code == 200
    assert response.json()["msg"] == "参数错误: 请求体格式不正确"
    response = await service.http.post(
        "/ocr/idcard-v1", content=b"{}", headers={"Content-Type": "application/json"}
    )
    assert response.json()["msg"].startswith("参数错误: 请使用 multipart/form-data")
    response = await service.http.post(
        "/ocr/idcard-v1", content=b"x", headers={"Content-Type": "multipart/form-data"}
    )
    assert response.json()["code"] == 400


async def test_repeated_field_takes_the_first_and_non_utf8_is_refused(service: Service) -> None:
    caller = service.account()
    fields = caller.signed()
    raw = "&".join(f"{k}={v}" for k, v in fields.items()) + f"&appId=other&base64={b64(jpeg_bytes())}"
    response = await service.http.post(
        "/ocr/idcard-v1",
        content=raw.replace("+", "%2B"),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.json()["code"] == 200
    bad = "&".join(f"{k}={v}" for k, v in fields.items() if k != "appId") + "&appId=%FF%FE"
    response = await service.http.post(
        "/ocr/idcard-v1", content=bad, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.json()["msg"] == "参数错误: 字段不是有效的 UTF-8"


def test_exif_rotation_swaps_reported_sides() -> None:
    from idcard_ocr.contract.photo_rules import check_image

    checked = check_image(jpeg_bytes(300, 120, exif_orientation=6), 2 * 1024 * 1024)
    assert (checked.format, checked.width, checked.height) == ("JPEG", 120, 300)
    plain = check_image(jpeg_bytes(300, 120), 2 * 1024 * 1024)
    assert (plain.width, plain.height) == (300, 120)


def test_png_named_jpeg_is_judged_by_content() -> None:
    from idcard_ocr.contract.photo_rules import check_image

    out = io.BytesIO()
    Image.new("L", (50, 40)).save(out, "PNG")
    assert check_image(out.getvalue(), 2 * 1024 * 1024).format == "PNG"
