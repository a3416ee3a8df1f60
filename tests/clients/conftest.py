"""``idcard-ocr serve``, with the bundled models, on a loopback port for the programs in docs/clients/.

Each program runs as its own process, exactly as a reader would run it, and its output is
compared with the API's own answer for the same photo. A program whose runtime (node, java, curl)
is missing is skipped with the reason, unless ``IDCARD_TEST_REQUIRE_SERVICES=1`` (or
``CI=true``), when it fails instead; ``tools/ensure-client-runtimes.sh`` installs them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from idcard_ocr.api.access import sign_of
from idcard_ocr.settings import Settings
from idcard_ocr.storage.sql import SqlStore, open_store
from tests.web.chromium import free_loopback_port

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = ROOT / "docs" / "clients"
CARDS = ROOT / "tests" / "data" / "cards"


def services_required() -> bool:
    return os.environ.get("IDCARD_TEST_REQUIRE_SERVICES") == "1" or os.environ.get("CI") == "true"


def require_program(name: str, package: str) -> str:
    """The path of ``name``; skips (fails when services are required) when it is not installed."""
    found = shutil.which(name)
    if found:
        return found
    reason = f"{name} is missing; run tools/ensure-client-runtimes.sh (apt-get install {package})"
    if services_required():
        pytest.fail(reason + " (IDCARD_TEST_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def truth(file: str) -> dict[str, Any]:
    rows: list[dict[str, Any]] = json.loads((CARDS / "truth.json").read_text(encoding="utf-8"))
    return next(row for row in rows if row["file"] == file)


@dataclass
class LiveOcr:
    """The service on ``url`` with one account; ``answer`` is the API's own reply for a photo."""

    url: str
    app_id: str
    app_secret: str
    store: SqlStore
    _answers: dict[str, dict[str, Any]] = field(default_factory=dict)

    def env(self, secret: str | None = None) -> dict[str, str]:
        """The environment the programs read their settings from (no proxy for loopback)."""
        return {
            **os.environ,
            "OCR_URL": self.url,
            "OCR_APP_ID": self.app_id,
            "OCR_APP_SECRET": self.app_secret if secret is None else secret,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }

    def answer(self, photo: str) -> dict[str, Any]:
        """The API's answer to a plain signed upload of ``photo`` (asked once per photo)."""
        if photo not in self._answers:
            timestamp = str(int(time.time() * 1000))
            fields = {"appId": self.app_id, "timestamp": timestamp}
            fields["sign"] = sign_of(self.app_id, self.app_secret, timestamp)
            files = {"file": (photo, (CARDS / photo).read_bytes())}
            response = httpx.post(f"{self.url}/ocr/idcard-v1", data=fields, files=files, timeout=60)
            self._answers[photo] = response.json()
        return self._answers[photo]

    def balance(self) -> int:
        account = self.store.get_account(self.app_id)
        assert account is not None
        return account.balance


def _wait_until_ready(url: str, server: subprocess.Popen[bytes], log: Path, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"idcard-ocr serve exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"idcard-ocr serve did not become ready: {log.read_text(errors='replace')[-2000:]}")


@pytest.fixture(scope="module")
def live_ocr(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveOcr]:
    """``idcard-ocr serve`` (real models, SQLite) on a free loopback port, as an operator runs it."""
    data_dir = tmp_path_factory.mktemp("clients-data")
    store = open_store(Settings(data_dir=data_dir))
    account, secret = store.create_account(name="clients", balance=1000)
    port = free_loopback_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("IDCARD_")}
    log = data_dir / "serve.log"
    command = [str(Path(sys.executable).with_name("idcard-ocr")), "serve", "--port", str(port)]
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            command, env={**environment, "IDCARD_DATA_DIR": str(data_dir)}, stdout=log_file, stderr=log_file
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(url, server, log)
        yield LiveOcr(url, account.app_id, secret, store)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        store.close()
