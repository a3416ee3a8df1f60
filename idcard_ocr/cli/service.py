"""``idcard-ocr service``: the global switches every server obeys within about a second."""

from __future__ import annotations

import click

from idcard_ocr.cli import main
from idcard_ocr.cli.db import emit, json_errors, open_cli_store
from idcard_ocr.storage.base import Switches, SwitchName

_ON_OFF = click.Choice(["on", "off"])


def _switches_json(switches: Switches) -> dict[str, bool]:
    return {"maintenance": switches.maintenance, "product": switches.product_enabled}


def _set(name: SwitchName, state: str) -> None:
    store = open_cli_store()
    try:
        emit(_switches_json(store.set_switch(name, state == "on")))
    finally:
        store.close()


@main.group()
def service() -> None:
    """Switch maintenance mode (every call gets 500) or the product (every call gets 604)."""


@service.command("maintenance")
@click.argument("state", type=_ON_OFF)
@json_errors
def maintenance(state: str) -> None:
    """Turn maintenance mode on (answer 500 to everyone) or off."""
    _set("maintenance", state)


@service.command("product")
@click.argument("state", type=_ON_OFF)
@json_errors
def product(state: str) -> None:
    """Turn the idcard product on, or off (answer 604 to everyone)."""
    _set("product", state)


@service.command("status")
@json_errors
def status() -> None:
    """Print both switches."""
    store = open_cli_store()
    try:
        emit(_switches_json(store.get_switches()))
    finally:
        store.close()
