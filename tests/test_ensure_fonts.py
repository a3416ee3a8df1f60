"""``tools/ensure-fonts.sh``, which the test command runs: it installs exactly the packages the
font finder reports missing, as root, and says what to install otherwise.

apt-get, ``id`` and the finder's answer are stand-ins on PATH here, so nothing is installed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = "fonts-wqy-microhei fonts-ocr-b"


@pytest.fixture
def fake_machine(tmp_path: Path) -> dict[str, str]:
    """A PATH with apt-get and id stand-ins, and a finder that reports what ``missing`` holds."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    missing = tmp_path / "missing"
    missing.write_text(PACKAGES)
    log = tmp_path / "apt.log"
    scripts = {
        # "install" empties the missing list unless the machine is told the files stay absent.
        "apt-get": f'echo "$*" >> {log}\n'
        f'case "$*" in *" install "*) [ -n "${{FILES_STAY_ABSENT:-}}" ] || : > {missing};; esac\n',
        "id": 'echo "${FAKE_UID:-0}"\n',
        "finder": f"cat {missing}; echo\n",
    }
    for name, body in scripts.items():
        path = bin_dir / name
        path.write_text("#!/bin/sh\n" + body)
        path.chmod(0o755)
    return {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "FONT_FINDER_PYTHON": str(bin_dir / "finder"),
        "LOG": str(log),
    }


def ensure(env: dict[str, str], **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / "tools" / "ensure-fonts.sh")],
        env={**os.environ, **env, **extra},
        capture_output=True,
        text=True,
        timeout=60,
    )


def apt_calls(env: dict[str, str]) -> list[str]:
    log = Path(env["LOG"])
    return log.read_text().splitlines() if log.exists() else []


def test_as_root_it_installs_what_the_finder_misses(fake_machine: dict[str, str]) -> None:
    done = ensure(fake_machine)
    assert done.returncode == 0, done.stderr
    assert apt_calls(fake_machine)[-1].endswith(f"install -y -qq --no-install-recommends {PACKAGES}")
    assert f"installed: {PACKAGES}" in done.stdout


def test_without_root_it_names_the_packages_and_fails(fake_machine: dict[str, str]) -> None:
    done = ensure(fake_machine, FAKE_UID="1000")
    assert done.returncode == 1
    assert f"apt-get install -y --no-install-recommends {PACKAGES}" in done.stderr
    assert apt_calls(fake_machine) == []


def test_fonts_still_missing_after_installing_fail_loudly(fake_machine: dict[str, str]) -> None:
    done = ensure(fake_machine, FILES_STAY_ABSENT="1")
    assert done.returncode == 1
    assert f"fonts still missing after installing: {PACKAGES}" in done.stderr


def test_nothing_missing_installs_nothing(fake_machine: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "missing").write_text("")
    done = ensure(fake_machine)
    assert done.returncode == 0 and apt_calls(fake_machine) == []
