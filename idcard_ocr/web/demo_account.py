"""The demo account's credentials file, ``<data_dir>/demo-account.json``.

``idcard-ocr demo`` creates (or reuses) an ordinary account for the demo page and writes its appId
and secret here as ``{"appId": ..., "appSecret": ...}``, readable by the file's owner alone. The
demo router hands them to the page on loopback so that the browser signs like any other client.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

DEMO_ACCOUNT_FILE = "demo-account.json"


@dataclass(frozen=True)
class DemoAccount:
    """The appId and secret the demo page signs with."""

    app_id: str
    secret: str

    def masked(self) -> dict[str, str]:
        """A form safe to print or log: the appId and only the secret's length."""
        return {"appId": self.app_id, "appSecret": "*" * len(self.secret)}


def demo_account_path(data_dir: Path) -> Path:
    """Where the demo account's credentials live under ``data_dir``."""
    return data_dir / DEMO_ACCOUNT_FILE


def write_demo_account(data_dir: Path, account: DemoAccount) -> Path:
    """Write the credentials file, mode 0600, replacing any earlier one atomically."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = demo_account_path(data_dir)
    partial = path.with_suffix(".json.partial")
    # Created 0600 from the start: the secret must never be readable by other users, even briefly.
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"appId": account.app_id, "appSecret": account.secret}, out)
        out.write("\n")
    os.replace(partial, path)
    return path


def read_demo_account(data_dir: Path) -> DemoAccount | None:
    """The credentials in ``data_dir``, or None when the file is absent or not a credentials object."""
    try:
        raw = json.loads(demo_account_path(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(raw, dict):
        return None
    app_id, secret = raw.get("appId"), raw.get("appSecret")
    if not isinstance(app_id, str) or not isinstance(secret, str) or not app_id or not secret:
        return None
    return DemoAccount(app_id=app_id, secret=secret)
