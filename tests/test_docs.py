"""The README keeps up with the code: every setting, command and make target it names exists,
and everything that exists is named (a new setting or option fails here until it is documented)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from idcard_ocr.cli import main
from idcard_ocr.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_in_the_readme(field: str) -> None:
    assert f"`IDCARD_{field.upper()}`" in README, f"IDCARD_{field.upper()} is not documented in README.md"


def test_the_readme_names_no_setting_that_does_not_exist() -> None:
    named = set(re.findall(r"`IDCARD_([A-Z_]+)`", README))
    test_only = {"TEST_POSTGRES_URL", "TEST_REDIS_URL"}
    assert named - test_only == {name.upper() for name in Settings.model_fields}


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found.extend(_commands(command, path + " "))
        else:
            found.append((path, command))
    return found


@pytest.mark.parametrize(("path", "command"), _commands(main), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_and_option_is_in_the_readme(path: str, command: click.Command) -> None:
    group = path.split()[0]
    usage = [line for line in README.splitlines() if f"idcard-ocr {group}" in line or line.startswith(" ")]
    assert any(path.split()[-1] in line for line in usage), f"`idcard-ocr {path}` is not in README.md"
    for param in command.params:
        if isinstance(param, click.Option) and param.name != "help":
            flags = [flag for flag in param.opts + param.secondary_opts if flag.startswith("--")]
            assert any(flag in README for flag in flags), f"{path} {flags} is not in README.md"


def test_every_make_target_the_readme_names_exists() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.M))
    for target in set(re.findall(r"`make ([a-z-]+)`", README)):
        assert target in targets, f"README names `make {target}`, which the Makefile lacks"
