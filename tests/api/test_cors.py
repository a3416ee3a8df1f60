"""Browser pages on other origins (``IDCARD_CORS_ORIGINS``): headers on the contract endpoint only,
preflights answered for listed origins, never with credentials; unset, nothing changes."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from idcard_ocr.api.envelope import MSG_METHOD
from idcard_ocr.settings import Settings
from tests.api.support import ServiceFactory, jpeg_bytes

pytestmark = pytest.mark.anyio
# The headers are judged here, not the storage: one backend is enough.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PAGE = "http://pages.example:8080"
PATH = "/ocr/idcard-v1"


def preflight(origin: str, method: str = "POST", headers: str = "") -> dict[str, str]:
    asked = {"Origin": origin, "Access-Control-Request-Method": method}
    return asked | ({"Access-Control-Request-Headers": headers} if headers else {})


@sqlite_only
async def test_unset_means_no_cors_headers_and_preflight_gets_405(service_factory: ServiceFactory) -> None:
    service = service_factory()
    caller = service.account(balance=5)
    posted = await service.http.post(
        PATH, data=caller.signed(), files={"file": ("c.jpg", jpeg_bytes())}, headers={"Origin": PAGE}
    )
    assert posted.json()["code"] == 200  # answered (and billed) as always...
    assert "access-control-allow-origin" not in posted.headers  # ...but not readable by the page
    asked = await service.http.options(PATH, headers=preflight(PAGE))
    assert asked.status_code == 405 and asked.headers["allow"] == "POST"
    assert (asked.json()["code"], asked.json()["msg"]) == (400, MSG_METHOD)
    assert not [h for h in asked.headers if h.startswith("access-control-")]


@sqlite_only
async def test_a_listed_origin_reads_the_answer_without_credentials(service_factory: ServiceFactory) -> None:
    service = service_factory(cors_origins=f"https://other.example, {PAGE}")
    caller = service.account(balance=5)
    response = await service.http.post(
        PATH,
        data=caller.signed(),
        files={"file": ("card.jpg", jpeg_bytes())},
        headers={"Origin": PAGE, "Cookie": "session=abc"},
    )
    body = response.json()
    assert (body["code"], body["charge"], body["data"]["info"]["name"]) == (200, True, "赵宁宁")
    assert response.headers["access-control-allow-origin"] == PAGE
    assert "origin" in response.headers["vary"].lower()
    assert "access-control-allow-credentials" not in response.headers
    assert service.balance(caller) == 4


@sqlite_only
async def test_a_listed_origins_preflight_is_answered_and_costs_nothing(
    service_factory: ServiceFactory,
) -> None:
    service = service_factory(cors_origins=PAGE)
    caller = service.account(balance=5)
    asked = await service.http.options(PATH, headers=preflight(PAGE, headers="content-type,x-requested-with"))
    assert asked.status_code == 200
    assert asked.headers["access-control-allow-origin"] == PAGE
    assert asked.headers["access-control-allow-methods"] == "POST"
    assert asked.headers["access-control-allow-headers"].lower() == "content-type,x-requested-with"
    assert asked.headers["access-control-max-age"] == "600"
    assert "access-control-allow-credentials" not in asked.headers
    assert service.balance(caller) == 5 and service.billed(caller) == 0


@sqlite_only
@pytest.mark.parametrize(
    "asked",
    [
        preflight("http://elsewhere.example"),  # an origin not listed
        preflight("http://pages.example"),  # the listed host on another port is another origin
        preflight(PAGE, method="PUT"),  # a method the endpoint does not take
        {"Origin": PAGE},  # a plain OPTIONS, not a preflight
    ],
    ids=["other-origin", "other-port", "put", "plain-options"],
)
async def test_a_refused_preflight_gets_the_envelope_and_no_cors_headers(
    service_factory: ServiceFactory, asked: dict[str, str]
) -> None:
    service = service_factory(cors_origins=PAGE)
    response = await service.http.options(PATH, headers=asked)
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert response.json()["code"] == 400 and len(response.json()["taskNo"]) == 20
    assert not [h for h in response.headers if h.startswith("access-control-")]


@sqlite_only
async def test_an_unlisted_origin_is_served_but_cannot_read(service_factory: ServiceFactory) -> None:
    service = service_factory(cors_origins=PAGE)
    caller = service.account(balance=5)
    response = await service.http.post(
        PATH,
        data=caller.signed(),
        files={"file": ("card.jpg", jpeg_bytes())},
        headers={"Origin": "http://x.test"},
    )
    # CORS decides what a page may read, not who may call: the sign is what admits a caller.
    assert response.json()["code"] == 200 and service.balance(caller) == 4
    assert "access-control-allow-origin" not in response.headers


@sqlite_only
async def test_any_origin_with_a_star(service_factory: ServiceFactory) -> None:
    service = service_factory(cors_origins="*")
    caller = service.account()
    response = await service.http.post(
        PATH,
        data=caller.signed(),
        files={"file": ("card.jpg", jpeg_bytes())},
        headers={"Origin": "http://x.test"},
    )
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    asked = await service.http.options(PATH, headers=preflight("https://any.example"))
    assert asked.status_code == 200 and asked.headers["access-control-allow-origin"] == "*"


@sqlite_only
@pytest.mark.parametrize("path", ["/healthz", "/openapi.json", "/metrics", "/nowhere"])
async def test_only_the_contract_endpoint_gets_cors(service_factory: ServiceFactory, path: str) -> None:
    service = service_factory(cors_origins="*")
    response = await service.http.get(path, headers={"Origin": PAGE})
    assert response.status_code in (200, 404)
    assert "access-control-allow-origin" not in response.headers


def test_origins_are_read_as_browsers_send_them() -> None:
    assert Settings(cors_origins="").cors_origin_list == ()
    assert Settings(cors_origins=" HTTPS://Intra.Example:8443 ,http://a.test,").cors_origin_list == (
        "https://intra.example:8443",
        "http://a.test",
    )
    assert Settings(cors_origins="http://a.test, *").cors_origin_list == ("*",)


@pytest.mark.parametrize("bad", ["http://a.test/", "http://a.test/app", "a.test", "ftp://a.test", "http://"])
def test_an_origin_that_could_never_match_is_refused_at_start(bad: str) -> None:
    with pytest.raises(ValidationError, match="IDCARD_CORS_ORIGINS takes origins like"):
        Settings(cors_origins=f"http://ok.test,{bad}")
