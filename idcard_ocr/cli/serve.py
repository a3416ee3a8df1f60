"""``idcard-ocr serve`` (the HTTP service) and ``idcard-ocr demo`` (an account, a sample call, serve)."""

from __future__ import annotations

import copy
import os
import shlex
from pathlib import Path
from typing import Any

import click

from idcard_ocr.cli import main
from idcard_ocr.settings import Settings, get_settings
from idcard_ocr.web.demo_account import DemoAccount, demo_account_path, read_demo_account, write_demo_account

APP_FACTORY = "idcard_ocr.api.factory:make_app"
# uvicorn's faster default parser (httptools) drops the body of a request that offers an upgrade
# to HTTP/2 over plain http (`Upgrade: h2c`), and Java's HttpClient and Spring's RestClient offer
# it by default: the caller got a 400 for a missing appId. h11 ignores the offer and reads the
# body, as RFC 9110 allows. Its pure-Python parsing costs about 0.1 ms for a typical photo and
# 1 ms for a 2 MB body (httptools: 0.2 ms), next to some 70 ms of recognition.
HTTP_PROTOCOL = "h11"
DEMO_BALANCE = 1000


def _log_config(level: str) -> dict[str, Any]:
    # uvicorn applies this in every worker process, so the service's own one-line-per-request
    # log reaches stderr beside uvicorn's.
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["idcard_ocr"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return config


def run_server(host: str, port: int, workers: int, forwarded_allow_ips: str | None, log_level: str) -> None:
    """Serve the app with uvicorn; each worker builds its own store and recogniser."""
    import uvicorn

    if workers > 1:
        from idcard_ocr.observability import prepare_multiprocess_dir

        prepare_multiprocess_dir()  # before the workers import prometheus_client
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        http=HTTP_PROTOCOL,
        host=host,
        port=port,
        workers=workers,
        # The client IP (for whitelists) is the socket peer unless a trusted proxy is named.
        proxy_headers=bool(forwarded_allow_ips),
        forwarded_allow_ips=forwarded_allow_ips or None,
        access_log=False,  # the service logs one line per request itself, without personal data
        log_config=_log_config(log_level),
        log_level=log_level,
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: all).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="TCP port.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes; each loads the models once.",
)
@click.option(
    "--forwarded-allow-ips",
    default=None,
    metavar="IPS",
    help="Comma-separated reverse-proxy addresses whose X-Forwarded-For is trusted "
    "(default: none; the client IP is the socket peer).",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
)
def serve(host: str, port: int, workers: int, forwarded_allow_ips: str | None, log_level: str) -> None:
    """Serve POST /ocr/idcard-v1 (and GET /healthz, GET /metrics) with uvicorn.

    Settings come from IDCARD_* environment variables (database, Redis, limits, pool sizes).
    """
    run_server(host, port, workers, forwarded_allow_ips, log_level)


def demo_account(settings: Settings) -> tuple[str, str, bool]:
    """The demo account's (appId, appSecret, created_now), creating it on the first run only.

    The secret is normally shown once and never stored in the clear; the demo keeps it in
    ``<data_dir>/demo-account.json`` (mode 0600) so that a re-run can print it again.
    """
    from idcard_ocr.storage.sql import open_store

    store = open_store(settings)
    try:
        saved = read_demo_account(settings.data_dir)
        if saved and store.get_account(saved.app_id) and store.get_secret(saved.app_id) == saved.secret:
            return saved.app_id, saved.secret, False
        account, secret = store.create_account(name="demo", balance=DEMO_BALANCE)
    finally:
        store.close()
    write_demo_account(settings.data_dir, DemoAccount(app_id=account.app_id, secret=secret))
    return account.app_id, secret, True


def sample_photo() -> Path | None:
    """A synthetic front-side photo shipped with the test data, if this is a source checkout."""
    for root in (Path.cwd(), Path(__file__).resolve().parents[2]):
        found = sorted((root / "tests" / "data" / "cards").glob("front_*.jpg"))
        if found:
            return found[0]
    return None


def demo_instructions(app_id: str, secret: str, base_url: str, photo: Path | None) -> str:
    """What the demo prints: credentials, a signed curl line and a Python snippet."""
    photo_arg = shlex.quote(str(photo)) if photo else "card.jpg"
    curl = (
        f"TS=$(($(date +%s)*1000)); "
        f"SIGN=$(printf '%s' {shlex.quote(app_id + secret)}\"$TS\" | sha256sum | cut -d' ' -f1); "
        f"curl -s -F appId={shlex.quote(app_id)} -F timestamp=$TS -F sign=$SIGN "
        f"-F file=@{photo_arg} {base_url}/ocr/idcard-v1"
    )
    python = "\n".join(
        [
            "from idcard_ocr.client import Client",
            f"with Client({app_id!r}, {secret!r}, {base_url!r}) as ocr:",
            f"    card = ocr.recognize(file={str(photo) if photo else 'card.jpg'!r})",
            "    print(card)  # name, number and address print masked (赵宁宁 as 赵**) to keep logs private",
            "    if card.front:  # the attributes hold the values as read",
            "        print(card.front.name, card.front.number, card.front.address)",
        ]
    )
    return "\n".join(
        [
            f"appId:     {app_id}",
            f"appSecret: {secret}",
            "",
            "Sign and send a sample photo (on macOS use `shasum -a 256` for sha256sum):",
            curl,
            "",
            "Or from Python:",
            python,
            "",
        ]
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="TCP port.")
def demo(host: str, port: int) -> None:
    """Create a demo account (balance 1000) once, print how to call it, then serve.

    The demo account's secret is kept in <data_dir>/demo-account.json (mode 0600) so that a
    re-run can show it again; real accounts' secrets are shown once and stored only encrypted.
    """
    settings = get_settings()
    app_id, secret, created = demo_account(settings)
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    saved_at = demo_account_path(settings.data_dir)
    click.echo(("Created" if created else "Reusing") + f" the demo account ({saved_at}).")
    click.echo(demo_instructions(app_id, secret, f"http://{shown_host}:{port}", sample_photo()))
    # The demo serves its page too; the worker re-reads the settings, so say it in the environment.
    os.environ["IDCARD_DEMO_PAGE"] = "1"
    get_settings.cache_clear()
    click.echo(f"Demo page: http://{shown_host}:{port}/demo")
    run_server(host, port, 1, None, "info")
