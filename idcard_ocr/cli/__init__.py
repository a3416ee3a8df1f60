"""The ``idcard-ocr`` command. Storage commands print JSON on stdout; ``scan`` prints a table (JSON
lines with ``--json``); ``serve`` and ``demo`` print log lines; usage errors are click's text."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="idcard-ocr")
def main() -> None:
    """Read Chinese resident ID cards: serve the HTTP API, manage accounts, scan files."""


def _register() -> None:
    # Each sub-command lives in its own module; importing it adds it to ``main``.
    from idcard_ocr.cli import commands  # noqa: F401


_register()
