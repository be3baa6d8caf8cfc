"""Web pages under the API's request limits (one counter for both, a 429 page with Retry-After), and bad input on
every web route answered by a 4xx page in the reader's language with a way back, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.values import DataCategory
from hub.api.app import create_app
from hub.kernel.config import Settings
from hub.registry.demo import seed_demo
from hub.service import Hub
from hub.web.app import web_routers
from tests.conftest import child_referral
from tests.web import csrf, post_form, referral_form, sign_in

BAD_VALUES = (
    "99999999999999999999999",
    "-1",
    "0",
    "1e309",
    "NaN",
    "not-a-uuid",
    "00000000-0000-0000-0000-000000000000",
    "bogus",
    "",
    "2026-13-45",
    "x" * 2001,
    "a\x00b",
    "a\r\nb",
    "\x1b[31m",
    "\u202egpj.exe",
    "ā",
    "%00",
    "../../etc/passwd",
)
# Every field name the web forms read, including those named per data category.
FORM_FIELDS = (
    *[
        "back",
        "basis",
        "evidence",
        "family_name",
        "given_name",
        "grantor",
        "idempotency_key",
        "municipality",
        "next",
        "note",
        "reason",
        "relationship",
        "summary",
        "token",
        "urgency",
        "username",
        "valid_until",
        "birth_date",
        "personal_code",
        "agencies",
        "categories",
        "concerns",
        "purposes",
        "recipient_agencies",
        "recipient_kinds",
        "worker",
        "question",
        "answer",
        "outcome",
        "justification",
    ],
    *(
        f"{prefix}.{category.value}"
        for prefix in ("forward_to", "note", "outcome", "reason", "text", "title")
        for category in DataCategory
    ),
    *(f"child.{name}" for name in ("given_name", "family_name", "birth_date", "personal_code", "municipality")),
    *(f"family.0.{name}" for name in ("given_name", "family_name", "relationship", "personal_code")),
)
PATH_DEFAULTS = {
    "action": "assign",
    "decision": "confirm",
    "language": "lv",
    "provider": "test-idp",
    "username": "tukums.intake",
    "code": "TUK-SD",
}
# Signing out ends the probe's session; `/session...` answers the page's script in JSON (tests/test_identity_oidc.py).
WEB_ROUTES = [
    route
    for router in web_routers()
    for route in router.routes
    if isinstance(route, APIRoute) and route.path != "/signout" and not route.path.startswith("/session")
]


def limited_settings(tmp_path: Path, per_user: int, per_agency: int) -> Settings:
    return Settings(  # type: ignore[call-arg]
        store=str(tmp_path / "hub.sqlite"),
        key_dir=tmp_path / "keys",
        rate_limit_user_per_minute=per_user,
        rate_limit_agency_per_minute=per_agency,
        _env_file=None,
    )


def test_web_pages_count_against_the_same_limits_as_the_api(tmp_path: Path) -> None:
    hub = Hub(limited_settings(tmp_path, per_user=4, per_agency=5))
    try:
        seed_demo(hub)
        with TestClient(create_app(hub, follow_in_background=False)) as client:
            sign_in(client, hub, "tukums.cm")
            bearer = {"Authorization": f"Bearer {hub.issue_token('tukums.cm')}"}
            assert [client.get("/v1/inbox", headers=bearer).status_code for _ in range(2)] == [200, 200]
            assert [client.get("/inbox").status_code for _ in range(2)] == [200, 200]
            limited = client.get("/inbox")
            assert limited.status_code == 429
            assert limited.headers["content-type"].startswith("text/html")
            assert 1 <= int(limited.headers["Retry-After"]) <= 60
            assert "Pārāk daudz pieprasījumu" in limited.text
            assert "rate_limited" in limited.text
            assert '<a href="/">' in limited.text
            assert "Iesūtne" not in limited.text.split("<main")[1]  # no inbox data on the refusal
            assert client.get("/v1/inbox", headers=bearer).json()["reason"] == "rate_limited"
            form = post_form(client, "/referrals/check-code", {"child.personal_code": "120415-20001"})
            assert form.status_code == 429
            client.cookies.set("hub_lang", "en")
            assert "Too many requests in a short time" in client.get("/inbox").text

            # The agency's limit counts its other users' pages too.
            sign_in(client, hub, "tukums.head")
            assert [client.get("/inbox").status_code for _ in range(2)] == [200, 429]
            sign_in(client, hub, "daugavpils.cm")
            assert client.get("/inbox").status_code == 200
    finally:
        hub.close()


def assert_error_page(response: Any) -> None:
    """A 4xx page a person can read: HTML in a language, a reason code, and a way back; or a redirect/success."""
    assert response.status_code < 500 or response.status_code == 503, (response.status_code, response.text[:300])
    if 400 <= response.status_code < 500 and response.status_code != 413:
        assert response.headers["content-type"].startswith("text/html"), response.text[:300]
        assert '<html lang="lv">' in response.text
        assert '<a href="/">' in response.text
        assert "Traceback" not in response.text


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Hub, str]]:
    """One hub for the probes (SQLite), a referral the case manager can see, and limits off."""
    directory = tmp_path_factory.mktemp("probe")
    hub = Hub(limited_settings(directory, per_user=0, per_agency=0))
    seed_demo(hub)
    try:
        with TestClient(create_app(hub, follow_in_background=False), raise_server_exceptions=False) as client:
            school = {"Authorization": f"Bearer {hub.issue_token('tukums.school')}"}
            referral_id = client.post("/v1/referrals", json=child_referral(), headers=school).json()["id"]
            yield client, hub, referral_id
    finally:
        hub.close()


def url_of(route: APIRoute, referral_id: str, bad_target: str | None, bad: str) -> str:
    path = route.path
    for param in route.dependant.path_params:
        if param.alias == bad_target:
            value = bad
        elif param.alias.endswith("_id"):
            value = referral_id
        else:
            value = PATH_DEFAULTS[param.alias]
        path = path.replace("{" + param.alias + "}", quote(value, safe=""))
    return path


@pytest.mark.parametrize("user", ["tukums.cm", "auditor"])
@pytest.mark.parametrize("route", WEB_ROUTES, ids=[f"{sorted(route.methods)[0]} {route.path}" for route in WEB_ROUTES])
def test_bad_input_on_every_web_route_is_a_4xx_page(
    probed: tuple[TestClient, Hub, str], route: APIRoute, user: str
) -> None:
    client, hub, referral_id = probed
    client.cookies.clear()
    sign_in(client, hub, user)
    method = sorted(route.methods)[0]
    targets = [param.alias for param in (*route.dependant.path_params, *route.dependant.query_params)]
    for bad in BAD_VALUES:
        for target in [*targets, None]:
            url = url_of(route, referral_id, target, bad)
            query = {target: bad} if target in [param.alias for param in route.dependant.query_params] else {}
            if method == "GET":
                response = client.get(url, params=query, follow_redirects=False)
            else:
                form = {name: bad for name in FORM_FIELDS} if target is None and len(bad) < 100 else {}
                response = client.post(url, params=query, data={"csrf": csrf(client), **form}, follow_redirects=False)
            assert_error_page(response)


def test_an_out_of_range_inbox_cursor_is_a_422_page(probed: tuple[TestClient, Hub, str]) -> None:
    client, hub, _ = probed
    sign_in(client, hub, "tukums.cm")
    response = client.get("/inbox", params={"cursor": "99999999999999999999999"})
    assert response.status_code == 422
    assert_error_page(response)
    assert "Daļa ievadīto datu nav derīgi" in response.text


def test_an_unknown_web_path_is_a_404_page_and_an_unknown_api_path_a_problem(
    probed: tuple[TestClient, Hub, str],
) -> None:
    client, _, _ = probed
    page = client.get("/nowhere")
    assert page.status_code == 404
    assert_error_page(page)
    problem = client.get("/v1/nowhere")
    assert (problem.status_code, problem.json()["reason"]) == (404, "not_found")


FORMS = {
    "/referrals/new": referral_form(),
    "/records/new": {
        "municipality": "daugavpils",
        "given_name": "Elza",
        "family_name": "Kalniņa",
        "basis": "GDPR-6-1-c",
        "categories": ["assessment"],
    },
    "/referrals/{referral_id}/actions/redirect": {"municipality": "daugavpils", "reason": "Ģimene pārcēlās"},
    "/referrals/{referral_id}/actions/close": {"outcome": "services_provided"},
    "/referrals/{referral_id}/emergency-read": {"justification": "Policija naktī lūdz steidzami pārbaudīt"},
    "/referrals/check-code": {"child.personal_code": "120415-20001"},
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(sorted(FORMS)),
    field=st.sampled_from(FORM_FIELDS),
    value=st.one_of(st.sampled_from(BAD_VALUES), st.text(max_size=300)),
)
def test_one_bad_field_in_an_otherwise_good_form_is_never_a_500(
    probed: tuple[TestClient, Hub, str], path: str, field: str, value: str
) -> None:
    client, hub, referral_id = probed
    client.cookies.clear()
    sign_in(client, hub, "daugavpils.cm" if "emergency" in path else "tukums.cm")
    form = {**FORMS[path], field: value}
    assert_error_page(post_form(client, path.replace("{referral_id}", referral_id), form))
