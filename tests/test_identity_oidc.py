"""People sign in through a real OpenID provider (oidc-provider on Node.js, `tests/oidc.py`): authorization code
with PKCE, state and nonce; the identity maps to a registered user; unknown, suspended and other agencies' users are
refused and the refusals are in the auditor's replay; the session renews while the provider's lives and ends there
too; the API takes the provider's JWT access tokens and refuses a token of an issuer nobody configured.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from fastapi.testclient import TestClient
from joserfc.jwk import KeySet

from hub.api.app import create_app
from hub.audit.replay import ReplayFilter
from hub.kernel.config import Settings
from hub.registry.demo import seed_demo
from hub.registry.domain import IdentityProviderDraft, ReasonDraft
from hub.service import Hub
from hub.web.session import SESSION_COOKIE, SESSION_ID_COOKIE
from tests.conftest import head
from tests.oidc import (
    API_RESOURCE,
    CLIENT_ID,
    CLIENT_SECRET,
    openid_provider,
    provider_settings,
    sign_in_at_provider,
)
from tests.pg import free_port

CALLBACK = "http://testserver/oidc/callback"
DIRECT_CALLBACK = "http://127.0.0.1:9/direct"  # a redirect nobody serves: the test reads the code from it


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with openid_provider([CALLBACK, DIRECT_CALLBACK], ["http://testserver/signin"]) as url:
        yield url


def make_hub(directory: Path, issuer: str, **provider: Any) -> Hub:
    settings = Settings(  # type: ignore[call-arg]
        store=str(directory / "hub.sqlite"),
        key_dir=directory / "keys",
        oidc_providers=provider_settings(issuer, directory / "client-secret", **provider),
        _env_file=None,
    )
    hub = Hub(settings)
    seed_demo(hub)
    return hub


@pytest.fixture
def hub(tmp_path: Path, issuer: str) -> Iterator[Hub]:
    instance = make_hub(tmp_path, issuer)
    try:
        yield instance
    finally:
        instance.close()


@pytest.fixture
def browser(hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub, follow_in_background=False)) as client:
        yield client


def sign_in(browser: TestClient, issuer: str, login: str, provider: httpx.Client | None = None) -> Any:
    """The hub's sign-in through the provider, as a browser: returns the hub's answer to the provider's redirect."""
    start = browser.get("/signin/oidc/test-idp?next=/inbox", follow_redirects=False)
    assert start.status_code == 303
    with provider or httpx.Client(base_url=issuer) as at_provider:
        back = sign_in_at_provider(at_provider, start.headers["location"], login)
    parts = urlsplit(back)
    return browser.get(f"{parts.path}?{parts.query}", follow_redirects=False)


def test_a_person_signs_in_works_and_signs_out_at_the_provider(browser: TestClient, hub: Hub, issuer: str) -> None:
    answer = sign_in(browser, issuer, "tukums.intake")
    assert answer.status_code == 200
    assert 'http-equiv="refresh" content="0; url=/inbox"' in answer.text
    inbox = browser.get("/inbox")
    assert inbox.status_code == 200
    assert "tukums.intake" in inbox.text
    assert browser.get("/v1/inbox", headers={"Authorization": f"Bearer {browser.cookies[SESSION_COOKIE]}"}).is_success

    renewed = browser.post("/session/renew", data={"csrf": browser.cookies["hub_csrf"]})
    assert renewed.status_code == 200
    assert renewed.json()["seconds_left"] > 0

    out = browser.post("/signout", data={"csrf": browser.cookies["hub_csrf"]}, follow_redirects=False)
    assert out.status_code == 200
    logout = urlsplit(html.unescape(re.findall(r'<a href="([^"]+)" id="continue">', out.text)[0]))
    assert f"{logout.scheme}://{logout.netloc}" == issuer
    query = parse_qs(logout.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/signin"]
    assert query["id_token_hint"]
    assert SESSION_COOKIE not in browser.cookies
    assert browser.get("/inbox", follow_redirects=False).headers["location"].startswith("/signin")
    entries = hub.audit.replay(hub.principal_for("auditor"), ReplayFilter(user="tukums.intake"), "test")["entries"]
    sign_ins = [entry for entry in entries if entry["kind"] == "sign_in"]
    assert [(entry["action"], entry["decision"], entry["resource"]) for entry in sign_ins] == [
        ("sign_in", "permit", "openid_connect:test-idp")
    ]
    assert "inbox.read" in {entry["action"] for entry in entries}


def test_unknown_and_suspended_users_are_refused_and_the_refusals_are_replayed(
    browser: TestClient, hub: Hub, issuer: str
) -> None:
    hub.registry.set_user_suspended("tukums.cm", True, "left the service")
    unknown = sign_in(browser, issuer, "nobody.here")
    assert unknown.status_code == 403
    assert "not_registered" in unknown.text
    assert SESSION_COOKIE not in unknown.cookies
    suspended = sign_in(browser, issuer, "tukums.cm")
    assert suspended.status_code == 403
    assert "user_suspended" in suspended.text

    auditor = {"Authorization": f"Bearer {hub.issue_token('auditor')}"}
    replay = browser.get("/v1/audit/replay", params={"decision": "deny"}, headers=auditor).json()["entries"]
    refusals = [(entry["user"], entry["reason"]) for entry in replay if entry["kind"] == "sign_in"]
    assert refusals == [("", "not_registered"), ("tukums.cm", "user_suspended")]
    assert "nobody.here" not in str(replay)


def test_the_registry_decides_which_provider_a_user_signs_in_through_and_removed_users_are_refused(
    browser: TestClient, hub: Hub, issuer: str
) -> None:
    hub.registry_admin.set_identity_provider(
        None, "tukums.cm", IdentityProviderDraft(idp_issuer="https://id.example.lv")
    )
    elsewhere = sign_in(browser, issuer, "tukums.cm")
    assert elsewhere.status_code == 403
    assert "other_identity_provider" in elsewhere.text
    hub.registry_admin.set_identity_provider(None, "tukums.cm", IdentityProviderDraft(idp_issuer=issuer))
    assert sign_in(browser, issuer, "tukums.cm").status_code == 200
    hub.registry_admin.remove(None, "tukums.school", ReasonDraft(reason="left the school"))
    removed = sign_in(browser, issuer, "tukums.school")
    assert removed.status_code == 403
    assert "account_removed" in removed.text


def test_state_is_one_time_and_bound_to_the_browser(browser: TestClient, issuer: str) -> None:
    start = browser.get("/signin/oidc/test-idp", follow_redirects=False)
    with httpx.Client(base_url=issuer) as at_provider:
        back = urlsplit(sign_in_at_provider(at_provider, start.headers["location"], "tukums.intake"))
    other_browser = TestClient(browser.app)
    assert other_browser.get(f"{back.path}?{back.query}").status_code == 400
    assert browser.get(f"{back.path}?{back.query}").status_code == 200
    again = browser.get(f"{back.path}?{back.query}")
    assert again.status_code in (400, 422)
    assert "sign_in_expired" in again.text


def test_a_provider_for_one_agency_cannot_sign_in_another_agencys_user(tmp_path: Path, issuer: str) -> None:
    hub = make_hub(tmp_path, issuer, agencies=["TUK-SD"])
    try:
        with TestClient(create_app(hub, follow_in_background=False)) as browser:
            refused = sign_in(browser, issuer, "tukums.school")
            assert refused.status_code == 403
            assert "agency_not_served" in refused.text
            assert sign_in(browser, issuer, "tukums.intake").status_code == 200
    finally:
        hub.close()


def test_keys_the_hub_has_not_seen_are_fetched_again(browser: TestClient, hub: Hub, issuer: str) -> None:
    """A rotation: the cached keys do not hold the token's key id, so the hub fetches the provider's keys again."""
    client = hub.identity.provider("test-idp")
    client.forget_keys(KeySet.generate_key_set("RSA", 2048, count=1))
    assert sign_in(browser, issuer, "tukums.intake").status_code == 200


def provider_access_token(issuer: str, login: str) -> str:
    """An access token for the hub's API, straight from the provider (authorization code with PKCE)."""
    oauth = OAuth2Client(
        CLIENT_ID, CLIENT_SECRET, scope="openid profile", redirect_uri=DIRECT_CALLBACK, code_challenge_method="S256"
    )
    verifier = "v" * 64
    url, _ = oauth.create_authorization_url(f"{issuer}/auth", code_verifier=verifier, resource=API_RESOURCE)
    with httpx.Client(base_url=issuer) as at_provider:
        back = sign_in_at_provider(at_provider, url, login)
    code = parse_qs(urlsplit(back).query)["code"][0]
    tokens = oauth.fetch_token(f"{issuer}/token", code=code, code_verifier=verifier, resource=API_RESOURCE)
    return str(tokens["access_token"])


def test_the_api_takes_the_providers_access_tokens(browser: TestClient, hub: Hub, issuer: str) -> None:
    token = provider_access_token(issuer, "tukums.intake")
    assert browser.get("/v1/inbox", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    hub.registry.set_user_suspended("tukums.intake", True)
    assert browser.get("/v1/inbox", headers={"Authorization": f"Bearer {token}"}).status_code == 403
    unknown = provider_access_token(issuer, "nobody.here")
    refused = browser.get("/v1/inbox", headers={"Authorization": f"Bearer {unknown}"})
    assert refused.status_code == 401
    assert "not_registered" in refused.json()["detail"]


def test_a_token_from_an_issuer_nobody_configured_is_refused(browser: TestClient) -> None:
    with openid_provider([DIRECT_CALLBACK], []) as stranger:
        token = provider_access_token(stranger, "tukums.intake")
    refused = browser.get("/v1/inbox", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    assert refused.json()["reason"] == "unauthenticated"
    assert "UnknownIssuer" in refused.json()["detail"]


def test_an_id_token_is_not_an_access_token(browser: TestClient, issuer: str) -> None:
    oauth = OAuth2Client(CLIENT_ID, CLIENT_SECRET, scope="openid", redirect_uri=DIRECT_CALLBACK)
    verifier = "w" * 64
    oauth.code_challenge_method = "S256"
    url, _ = oauth.create_authorization_url(f"{issuer}/auth", code_verifier=verifier, nonce="n")
    with httpx.Client(base_url=issuer) as at_provider:
        code = parse_qs(urlsplit(sign_in_at_provider(at_provider, url, "tukums.intake")).query)["code"][0]
    id_token = oauth.fetch_token(f"{issuer}/token", code=code, code_verifier=verifier)["id_token"]
    refused = browser.get("/v1/inbox", headers={"Authorization": f"Bearer {id_token}"})
    assert refused.status_code == 401
    assert "Claim" in refused.json()["detail"]


def test_the_session_is_not_renewed_once_the_provider_session_is_gone(
    browser: TestClient, hub: Hub, issuer: str
) -> None:
    assert sign_in(browser, issuer, "tukums.intake").status_code == 200
    hub.identity.sessions.remove(browser.cookies[SESSION_ID_COOKIE])
    ended = browser.post("/session/renew", data={"csrf": browser.cookies["hub_csrf"]})
    assert ended.status_code == 401
    assert ended.json()["reason"] == "session_not_renewed"


def test_an_unreachable_provider_is_a_503_with_its_reason_not_a_hang(tmp_path: Path) -> None:
    silent = make_hub(tmp_path, f"http://127.0.0.1:{free_port()}")  # nothing listens there
    try:
        with TestClient(create_app(silent, follow_in_background=False)) as client:
            before = head(silent)
            page = client.get("/signin/oidc/test-idp", follow_redirects=False)
            assert page.status_code == 503
            assert "text/html" in page.headers["content-type"]
            client.cookies.set("hub_lang", "en")
            english = client.get("/signin/oidc/test-idp", follow_redirects=False)
            assert english.status_code == 503
            assert "The sign-in service cannot be reached now." in english.text
            assert head(silent) == before
    finally:
        silent.close()
