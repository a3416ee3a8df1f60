"""Headless Chromium driven through chromedriver (W3C WebDriver over plain HTTP with httpx).

Debian's ``chromium`` and ``chromium-driver`` packages provide both programs
(``tools/ensure-chromium.sh`` installs them). Used by the demo page's browser tests and by
``tools/screenshot_demo.py``.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"  # the W3C name of an element reference
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
)


class WebDriverError(RuntimeError):
    """chromedriver answered a command with an error."""


def find_chromium() -> tuple[str, str] | str:
    """``(chromium, chromedriver)`` paths, or a sentence saying what is missing."""
    browser = (
        os.environ.get("IDCARD_TEST_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    driver = os.environ.get("IDCARD_TEST_CHROMEDRIVER") or shutil.which("chromedriver")
    missing = [name for name, path in (("chromium", browser), ("chromium-driver", driver)) if not path]
    if browser and driver:
        return browser, driver
    return f"missing {', '.join(missing)}; run tools/ensure-chromium.sh (apt-get install {' '.join(missing)})"


def free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Browser:
    """One WebDriver session: a fresh Chromium profile, closed by :meth:`quit`."""

    def __init__(
        self, http: httpx.Client, session_id: str, profile: tempfile.TemporaryDirectory[str]
    ) -> None:
        self._http = http
        self._base = f"/session/{session_id}"
        self._profile = profile

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self._http.request(method, self._base + path, json=body)
        value = response.json().get("value")
        if response.status_code != 200:
            message = value.get("message", "") if isinstance(value, dict) else value
            raise WebDriverError(f"{method} {path}: {str(message)[:500]}")
        return value

    def open(self, url: str) -> None:
        """Load ``url`` and wait for it."""
        self._call("POST", "/url", {"url": url})

    @property
    def url(self) -> str:
        """The address the page ended up at (after redirects)."""
        return str(self._call("GET", "/url"))

    def find(self, css: str) -> str:
        """The element matching ``css`` (its WebDriver reference)."""
        found = self._call("POST", "/element", {"using": "css selector", "value": css})
        return str(found[ELEMENT_KEY])

    def choose_file(self, css: str, path: Path) -> None:
        """Pick ``path`` in the ``<input type=file>`` at ``css``, as a user would."""
        self._call("POST", f"/element/{self.find(css)}/value", {"text": str(path.resolve())})

    def run(self, script: str, *args: Any) -> Any:
        """Run ``script`` (a function body) in the page and return what it returns."""
        return self._call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def wait_for(self, script: str, timeout_s: float = 20.0) -> Any:
        """Poll ``script`` until it returns something truthy; its value, or TimeoutError."""
        deadline = time.monotonic() + timeout_s
        while True:
            value = self.run(script)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"page never satisfied: {script}")
            time.sleep(0.1)

    def screenshot(self) -> bytes:
        """The viewport as PNG bytes."""
        return base64.b64decode(self._call("GET", "/screenshot"))

    def set_window(self, width: int, height: int) -> None:
        self._call("POST", "/window/rect", {"width": width, "height": height})

    def quit(self) -> None:
        try:
            self._call("DELETE", "")
        finally:
            self._profile.cleanup()


class Chromedriver:
    """A running chromedriver that opens headless Chromium sessions."""

    def __init__(self, chromium: str, chromedriver: str) -> None:
        self.chromium = chromium
        port = free_loopback_port()
        self._process = subprocess.Popen(
            [chromedriver, f"--port={port}", "--allowed-ips=127.0.0.1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60.0)
        self._wait_ready()

    def _wait_ready(self, timeout_s: float = 15.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise WebDriverError(f"chromedriver exited with {self._process.returncode}")
            try:
                if self._http.get("/status").json()["value"]["ready"]:
                    return
            except (httpx.HTTPError, ValueError, KeyError):
                pass
            time.sleep(0.1)
        self.stop()
        raise WebDriverError("chromedriver did not become ready")

    def browser(self, width: int = 1280, height: int = 900) -> Browser:
        """A new Chromium with a fresh profile and a ``width`` × ``height`` window."""
        profile = tempfile.TemporaryDirectory(prefix="idcard-chromium-")
        args = [*CHROMIUM_ARGS, f"--user-data-dir={profile.name}", f"--window-size={width},{height}"]
        capabilities = {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": self.chromium, "args": args},
        }
        response = self._http.post("/session", json={"capabilities": {"alwaysMatch": capabilities}})
        value = response.json().get("value", {})
        if response.status_code != 200:
            profile.cleanup()
            raise WebDriverError(f"cannot start Chromium: {str(value.get('message', value))[:500]}")
        return Browser(self._http, value["sessionId"], profile)

    def stop(self) -> None:
        self._http.close()
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()


@contextmanager
def chromium_session(width: int = 1280, height: int = 900) -> Iterator[Browser]:
    """chromedriver plus one browser, both stopped afterwards; RuntimeError when not installed."""
    found = find_chromium()
    if isinstance(found, str):
        raise RuntimeError(found)
    driver = Chromedriver(*found)
    try:
        browser = driver.browser(width, height)
        try:
            yield browser
        finally:
            browser.quit()
    finally:
        driver.stop()
