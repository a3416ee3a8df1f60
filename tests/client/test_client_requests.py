"""What goes over the wire: one image source, multipart or urlencoded, options, the endpoint."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from client_fakes import APP_ID, APP_SECRET, BASE_URL, FRONT_BODY

from idcard_ocr import __version__
from idcard_ocr.client import Client

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def client_for(api, base_url: str = BASE_URL) -> Client:
    return Client(APP_ID, APP_SECRET, base_url, transport=api.transport())


@pytest.mark.parametrize(
    "sources",
    [{}, {"file": PNG, "base64": "aGk="}, {"base64": "aGk=", "url": "https://x.test/a.jpg"}],
)
def test_exactly_one_source_or_value_error_before_any_request(scripted, sources) -> None:
    api = scripted(FRONT_BODY)
    with client_for(api) as client, pytest.raises(ValueError, match="exactly one"):
        client.recognize(**sources)
    assert api.requests == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"file": b""},
        {"file": "https://x.test/a.jpg"},
        {"base64": "  "},
        {"url": "ftp://x.test/a.jpg"},
        {"base64": "aGk=", "sign": "forged"},
        {"base64": "aGk=", "image": "aGk="},
    ],
)
def test_empty_sources_bad_urls_and_reserved_options_are_refused_locally(scripted, kwargs) -> None:
    api = scripted(FRONT_BODY)
    with client_for(api) as client, pytest.raises(ValueError):
        client.recognize(**kwargs)
    assert api.requests == []


def test_file_bytes_go_as_multipart_with_options(scripted) -> None:
    api = scripted(FRONT_BODY)
    with client_for(api) as client:
        client.recognize(file=PNG, detail=1, side="front", crops=True, skip=None)
    sent = api.requests[0]
    assert sent.content_type.startswith("multipart/form-data")
    assert sent.files == {"file": ("image.png", PNG, "image/png")}
    assert sent.fields["appId"] == APP_ID
    assert {"timestamp", "sign"} <= sent.fields.keys()
    assert (sent.fields["detail"], sent.fields["side"], sent.fields["crops"]) == ("1", "front", "1")
    assert "skip" not in sent.fields


def test_file_as_path_pathlike_or_open_file_sends_its_bytes_and_name(scripted, tmp_path: Path) -> None:
    photo = tmp_path / "card.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"\x01" * 32)
    api = scripted(FRONT_BODY)
    with client_for(api) as client, photo.open("rb") as handle:
        client.recognize(file=str(photo))
        client.recognize(file=photo)
        client.recognize(file=handle)
        client.recognize(file=io.BytesIO(photo.read_bytes()))
    uploads = [request.files["file"] for request in api.requests]
    assert uploads[:3] == [("card.jpg", photo.read_bytes(), "image/jpeg")] * 3
    assert uploads[3] == ("image.jpg", photo.read_bytes(), "image/jpeg")


def test_text_mode_file_is_refused(scripted, tmp_path: Path) -> None:
    photo = tmp_path / "card.jpg"
    photo.write_text("not binary")
    with client_for(scripted(FRONT_BODY)) as client, photo.open("r") as handle, pytest.raises(TypeError):
        client.recognize(file=handle)  # type: ignore[arg-type]  # the mistake under test


@pytest.mark.parametrize(
    ("source", "value"), [("base64", "data:image/png;base64,aGk="), ("url", "https://x.test/a.jpg")]
)
def test_base64_and_url_go_urlencoded(scripted, source: str, value: str) -> None:
    api = scripted(FRONT_BODY)
    with client_for(api) as client:
        client.recognize(**{source: value}, detail=1)
    sent = api.requests[0]
    assert sent.content_type.startswith("application/x-www-form-urlencoded")
    assert sent.files == {}
    assert sent.fields[source] == value and sent.fields["detail"] == "1"
    assert sent.fields["appId"] == APP_ID


@pytest.mark.parametrize(
    ("base_url", "endpoint"),
    [
        ("http://ocr.test", "http://ocr.test/ocr/idcard-v1"),
        ("http://ocr.test:8000/", "http://ocr.test:8000/ocr/idcard-v1"),
        ("https://gw.test/idcard", "https://gw.test/idcard/ocr/idcard-v1"),
        ("https://gw.test/ocr/idcard-v1", "https://gw.test/ocr/idcard-v1"),
    ],
)
def test_requests_post_to_the_endpoint_under_base_url(scripted, base_url: str, endpoint: str) -> None:
    api = scripted(FRONT_BODY)
    with client_for(api, base_url) as client:
        client.recognize(base64="aGk=")
    assert api.requests[0].url == endpoint
    assert api.requests[0].headers["user-agent"] == f"idcard-ocr-python/{__version__}"


def test_bad_arguments_to_the_constructor_are_refused() -> None:
    with pytest.raises(ValueError):
        Client(APP_ID, APP_SECRET, "ocr.test")
    with pytest.raises(ValueError):
        Client("", APP_SECRET, BASE_URL)
    with pytest.raises(ValueError):
        Client(APP_ID, APP_SECRET, BASE_URL, retries=-1)


def test_context_manager_closes_and_repr_hides_the_secret(scripted) -> None:
    with client_for(scripted(FRONT_BODY)) as client:
        assert APP_SECRET not in repr(client) and APP_ID in repr(client)
    with pytest.raises(RuntimeError):
        client.recognize(base64="aGk=")
