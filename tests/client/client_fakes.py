"""Shared test data and a scripted stand-in for the service, plugged in through ``httpx.MockTransport``."""

from __future__ import annotations

from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qsl

import httpx

from idcard_ocr.contract import sample

APP_ID = "xyzxy2121zxyz"
APP_SECRET = "efcefcef1121cefcefc1212121"
BASE_URL = "http://ocr.test"

FRONT_BODY: dict[str, Any] = {
    "code": 200,
    "msg": "成功",
    "taskNo": "65605503936940344488",
    "charge": True,
    "data": {
        "result": 0,
        "side": "front",
        "info": dict(sample.FRONT_INFO),
        "validity": dict(sample.FRONT_VALIDITY),
    },
}

BACK_BODY: dict[str, Any] = {
    "code": 200,
    "msg": "成功",
    "taskNo": "65605503936940344489",
    "charge": True,
    "data": {
        "result": 0,
        "side": "back",
        "rotate": "cw90",
        "info": dict(sample.BACK_INFO),
        "validity": dict(sample.BACK_VALIDITY),
    },
}


def error_body(code: int, msg: str, task_no: str = "12345678901234567890") -> dict[str, Any]:
    """A non-200 answer shaped as the contract's error sample."""
    return {"code": code, "msg": msg, "taskNo": task_no, "charge": False}


@dataclass
class ReceivedRequest:
    """One request as the server saw it: its form fields and uploaded files."""

    url: str
    content_type: str
    headers: httpx.Headers
    fields: dict[str, str]
    files: dict[str, tuple[str, bytes, str]]  # name -> (filename, content, content type)


def parse_form(request: httpx.Request) -> ReceivedRequest:
    """Decode a urlencoded or multipart body with the standard library, independently of the SDK."""
    content_type = request.headers.get("content-type", "")
    body = request.read()
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes, str]] = {}
    if content_type.startswith("application/x-www-form-urlencoded"):
        fields = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    elif content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
        )
        for part in message.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            filename = part.get_filename()
            if filename is None:
                fields[name] = payload.decode("utf-8")
            else:
                files[name] = (filename, payload, part.get_content_type())
    return ReceivedRequest(str(request.url), content_type, request.headers, fields, files)


Answer = dict[str, Any] | httpx.Response | Exception


@dataclass
class ScriptedApi:
    """Answers requests in turn from ``answers`` (the last one repeats) and records each request."""

    answers: list[Answer]
    requests: list[ReceivedRequest] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(parse_form(request))
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, json=answer)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)
