"""Hypothesis strategies for hostile bodies, multipart framing and image headers.

``FUZZ_EXAMPLES`` (environment ``IDCARD_FUZZ_EXAMPLES``, default small) sets how many examples
each property tries: the test command keeps it brief, ``bench/fuzz.py`` runs it long.
"""

from __future__ import annotations

import os
import struct
import zlib

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ_EXAMPLES = int(os.environ.get("IDCARD_FUZZ_EXAMPLES", "25"))
FUZZ_SETTINGS = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=2000,  # ms per example; a shared 2-core machine is noisy
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=os.environ.get("IDCARD_FUZZ_RANDOM") != "1",  # reproducible in the test command
    database=None,
)

FIELD_NAMES = ["appId", "timestamp", "sign", "file", "base64", "image", "url", "x", "", "appid"]
boundaries = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126, exclude_characters='"\\'),
    min_size=0,
    max_size=80,
)
header_lines = st.lists(
    st.one_of(
        st.sampled_from(
            [
                b'Content-Disposition: form-data; name="appId"',
                b'Content-Disposition: form-data; name="file"; filename="a.jpg"',
                b"Content-Disposition: form-data; name=base64",
                b"Content-Disposition: attachment",
                b"Content-Type: image/jpeg",
                b"Content-Transfer-Encoding: base64",
            ]
        ),
        st.binary(max_size=60),
    ),
    max_size=3,
)


@st.composite
def multipart_bodies(draw: st.DrawFn) -> tuple[str, bytes]:
    """A Content-Type and a multipart body, well-formed or broken in a drawn way."""
    boundary = draw(boundaries)
    declared = draw(st.one_of(st.just(boundary), boundaries))
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        headers = draw(header_lines)
        if draw(st.booleans()):
            name = draw(st.sampled_from(FIELD_NAMES))
            headers = [f'Content-Disposition: form-data; name="{name}"'.encode(), *headers]
        value = draw(st.binary(max_size=200))
        newline = draw(st.sampled_from([b"\r\n", b"\n", b"\r"]))
        parts.append(
            b"--" + boundary.encode() + newline + newline.join(headers) + newline * 2 + value + newline
        )
    closing = draw(st.sampled_from([b"--" + boundary.encode() + b"--\r\n", b"", b"--" + boundary.encode()]))
    content_type = draw(
        st.sampled_from(
            [
                f"multipart/form-data; boundary={declared}",
                f'multipart/form-data; boundary="{declared}"',
                "multipart/form-data",
                f"multipart/form-data; boundary={declared}; charset=latin-1",
            ]
        )
    )
    return content_type, b"".join(parts) + closing


@st.composite
def urlencoded_bodies(draw: st.DrawFn) -> tuple[str, bytes]:
    """A urlencoded body of drawn pairs, with stray '%', '+', '&' and '=' mixed in."""
    pairs = draw(
        st.lists(
            st.tuples(
                st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=10)),
                st.one_of(st.text(max_size=40), st.sampled_from(["%", "%zz", "%FF%FE", "+", "a=b=c"])),
            ),
            max_size=6,
        )
    )
    raw = "&".join(f"{k}={v}" for k, v in pairs).encode("utf-8", "surrogatepass")
    return "application/x-www-form-urlencoded", raw


request_bodies = st.one_of(
    multipart_bodies(),
    urlencoded_bodies(),
    # Anything at all (header values reach the app as latin-1 text, so no wider characters).
    st.tuples(st.text(st.characters(max_codepoint=255), max_size=60), st.binary(max_size=300)),
)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@st.composite
def png_headers(draw: st.DrawFn) -> bytes:
    """A PNG signature and IHDR with drawn size, depth and colour type, then drawn bytes."""
    ihdr = struct.pack(
        ">IIBBBBB",
        draw(st.integers(0, 2**32 - 1)),
        draw(st.integers(0, 2**32 - 1)),
        draw(st.sampled_from([0, 1, 2, 4, 8, 16, 3, 255])),
        draw(st.sampled_from([0, 2, 3, 4, 6, 7])),
        draw(st.integers(0, 1)),
        0,
        draw(st.integers(0, 1)),
    )
    crc_ok = draw(st.booleans())
    chunk = _png_chunk(b"IHDR", ihdr) if crc_ok else struct.pack(">I", 13) + b"IHDR" + ihdr + b"\0\0\0\0"
    return b"\x89PNG\r\n\x1a\n" + chunk + draw(st.binary(max_size=200))


@st.composite
def jpeg_headers(draw: st.DrawFn) -> bytes:
    """SOI, a drawn frame header (size, components), then drawn bytes."""
    marker = draw(st.sampled_from([b"\xff\xc0", b"\xff\xc1", b"\xff\xc2", b"\xff\xc3", b"\xff\xe1"]))
    width, height = draw(st.integers(0, 65535)), draw(st.integers(0, 65535))
    components = draw(st.integers(0, 5))
    body = struct.pack(">BHHB", 8, height, width, components) + b"\x11\x00" * components
    segment = marker + struct.pack(">H", len(body) + 2) + body
    return b"\xff\xd8" + segment + draw(st.binary(max_size=200))


image_bytes = st.one_of(png_headers(), jpeg_headers(), st.binary(max_size=300))
