"""Every program in docs/clients/ signs, sends a real card photo to the real service and prints
what the API answered: the same code, message, side, fields and validity as the API's own answer
for that photo, which in turn is the card's known truth. A wrong secret is reported, not crashed on.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from idcard_ocr.api.envelope import MSG_BAD_CREDENTIALS
from tests.clients.conftest import CARDS, CLIENTS, LiveOcr, require_program, truth

pytestmark = [pytest.mark.models, pytest.mark.slow]

# A phone photo of a front and a hand-held back: both read exactly by the bundled models.
PHOTOS = ["front_0009.jpg", "back_0005.jpg"]


def _python() -> list[str]:
    return [sys.executable]


def _java() -> list[str]:
    require_program("javac", "openjdk-17-jdk-headless")  # `java File.java` compiles: a JRE cannot
    return [require_program("java", "openjdk-17-jdk-headless")]


# Program -> how to run it (the command before the photo's path), as docs/clients.md says.
PROGRAMS: dict[str, Callable[[], list[str]]] = {
    "python_requests.py": lambda: [*_python(), str(CLIENTS / "python_requests.py")],
    "python_sdk.py": lambda: [*_python(), str(CLIENTS / "python_sdk.py")],
    "node_fetch.mjs": lambda: [require_program("node", "nodejs"), str(CLIENTS / "node_fetch.mjs")],
    "IdcardOcr.java": lambda: [*_java(), str(CLIENTS / "IdcardOcr.java")],
}


def run(command: list[str], live_ocr: LiveOcr, photo: str, secret: str | None = None) -> tuple[int, str]:
    done = subprocess.run(
        [*command, str(CARDS / photo)],
        env=live_ocr.env(secret),
        capture_output=True,
        timeout=120,
        check=False,
    )
    # Nothing on stderr but Node 18's note that fetch is experimental (Debian 12 ships Node 18).
    complaints = [
        line
        for line in done.stderr.decode(errors="replace").splitlines()
        if line.strip() and "ExperimentalWarning" not in line and "--trace-warnings" not in line
    ]
    assert not complaints or done.returncode != 0, complaints
    return done.returncode, done.stdout.decode("utf-8")


def printed(stdout: str) -> dict[str, str]:
    """The program's ``key: value`` lines, in order."""
    lines = [line.split(": ", 1) for line in stdout.splitlines() if line.strip()]
    assert all(len(pair) == 2 for pair in lines), stdout
    keys = [key for key, _ in lines]
    assert len(keys) == len(set(keys)), stdout
    return {key: value for key, value in lines}


def expected_lines(answer: dict[str, Any]) -> dict[str, str]:
    data = answer["data"]
    return {
        "code": str(answer["code"]),
        "msg": answer["msg"],
        "side": data["side"],
        **{f"info.{key}": value for key, value in data["info"].items()},
        **{f"validity.{key}": "true" if valid else "false" for key, valid in data["validity"].items()},
    }


def test_the_reference_answers_are_the_cards_truth(live_ocr: LiveOcr) -> None:
    for photo in PHOTOS:
        answer = live_ocr.answer(photo)
        assert (answer["code"], answer["data"]["result"]) == (200, 0), answer
        assert answer["data"]["side"] == truth(photo)["side"]
        assert answer["data"]["info"] == truth(photo)["info"]
        assert all(answer["data"]["validity"].values())


@pytest.mark.parametrize("photo", PHOTOS)
@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_the_program_prints_the_apis_answer(live_ocr: LiveOcr, program: str, photo: str) -> None:
    command = PROGRAMS[program]()
    before = live_ocr.balance()
    returncode, stdout = run(command, live_ocr, photo)
    assert returncode == 0, stdout
    shown = printed(stdout)
    assert shown == expected_lines(live_ocr.answer(photo))
    assert list(shown) == list(expected_lines(live_ocr.answer(photo)))  # and in the API's order
    assert live_ocr.balance() == before - 1  # the program's own request was billed once


@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_the_program_reports_a_refusal(live_ocr: LiveOcr, program: str) -> None:
    command = PROGRAMS[program]()
    before = live_ocr.balance()
    returncode, stdout = run(command, live_ocr, PHOTOS[0], secret="not-the-secret")
    assert returncode == 1
    assert printed(stdout) == {"code": "400", "msg": MSG_BAD_CREDENTIALS}
    assert live_ocr.balance() == before


@pytest.mark.parametrize("photo", PHOTOS)
def test_the_curl_script_prints_the_apis_body(live_ocr: LiveOcr, photo: str) -> None:
    require_program("curl", "curl")
    before = live_ocr.balance()
    returncode, stdout = run(["bash", str(CLIENTS / "curl.sh")], live_ocr, photo)
    assert returncode == 0, stdout
    body = json.loads(stdout)
    assert len(body.pop("taskNo")) == 20
    reference = dict(live_ocr.answer(photo))
    reference.pop("taskNo")
    assert body == reference
    assert live_ocr.balance() == before - 1

