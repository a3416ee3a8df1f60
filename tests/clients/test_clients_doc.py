"""docs/clients.md shows each program in docs/clients/ verbatim, so the tested file is the doc."""

from __future__ import annotations

import re

import pytest

from tests.clients.conftest import CLIENTS, ROOT

DOC = (ROOT / "docs" / "clients.md").read_text(encoding="utf-8")
EMBEDDED = re.compile(r"<!-- file: docs/clients/(?P<name>[\w.]+) -->\n```\w+\n(?P<text>.*?)```\n", re.S)


@pytest.mark.parametrize("program", sorted(p.name for p in CLIENTS.iterdir()))
def test_every_program_is_in_the_doc_verbatim(program: str) -> None:
    shown = {match["name"]: match["text"] for match in EMBEDDED.finditer(DOC)}
    assert program in shown, f"docs/clients.md does not show docs/clients/{program}"
    assert shown[program] == (CLIENTS / program).read_text(encoding="utf-8"), (
        f"docs/clients.md shows an old copy of docs/clients/{program}"
    )


def test_the_doc_shows_no_program_that_is_not_a_file() -> None:
    names = [match["name"] for match in EMBEDDED.finditer(DOC)]
    assert sorted(names) == sorted(p.name for p in CLIENTS.iterdir())
    assert DOC.count("<!-- file: ") == len(names)  # no marker the pattern failed to read
