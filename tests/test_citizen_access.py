"""A person signs in with a citizen's identity at a real OpenID provider (oidc-provider on Node.js, `tests/oidc.py`,
configured as a citizens' provider with a personal-code claim), matched to their record through the blind index:
they see their own access report (open police work withheld, the reporter not named), check a line's proof offline
with the published key, and download what the hub holds about them. Their session reaches nothing else: no staff
route, no other person. An unknown code gets a plain page, and the attempt is recorded without the code.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from events.access import AccessRecorded
from events.identity import SignInRecorded
from events.written_requests import RequestedRight
from hub.api.ratelimit import RateLimits
from hub.citizens.domain import WrittenRequestDraft
from hub.citizens.web import CITIZEN_COOKIE
from hub.cli import app as cli_app
from hub.kernel.config import Settings
from hub.kernel.errors import Forbidden
from hub.registry.demo import seed_demo
from hub.service import Hub
from hub.web.session import SESSION_COOKIE
from policies.clocks import RIGA
from policies.decision import Citizen
from tests.conftest import child_referral, fresh_code, log_of
from tests.oidc import openid_provider, provider_settings, sign_in_at_provider
from tests.page_checks import PageChecks, node_tools_missing
from tests.test_audit_api import scenario

CALLBACK = "http://testserver/my/oidc/callback"
CHILD_CODE = child_referral()["child"]["personal_code"]


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with openid_provider([CALLBACK], ["http://testserver/my/signin"]) as url:
        yield url


@pytest.fixture
def hub(settings: Settings, issuer: str, tmp_path: Path) -> Iterator[Hub]:
    providers = provider_settings(
        issuer, tmp_path / "client-secret", name="eid", title="eID", citizens=True, api_audience=None
    )
    configured = Settings(  # type: ignore[call-arg]
        store=settings.store, key_dir=settings.key_dir, oidc_providers=providers, _env_file=None
    )
    instance = Hub(configured)
    seed_demo(instance)
    try:
        yield instance
    finally:
        instance.close()


def auth(hub: Hub) -> Any:
    return lambda user: {"Authorization": f"Bearer {hub.issue_token(user)}"}


def citizen_sign_in(client: TestClient, issuer: str, code: str) -> Any:
    start = client.get("/my/signin/eid", follow_redirects=False)
    assert start.status_code == 303, start.text
    with httpx.Client(base_url=issuer) as at_provider:
        back = urlsplit(sign_in_at_provider(at_provider, start.headers["location"], code))
    assert back.path == "/my/oidc/callback"
    return client.get(f"{back.path}?{back.query}", follow_redirects=False)


def signed_in_citizen(client: TestClient, hub: Hub, issuer: str) -> tuple[str, UUID]:
    """The school's referral about the child, read by several agencies; an open police investigation; sealed.
    Then the child's representative signs in with the child's code: their session token and the child's record."""
    _, child = scenario(client, auth(hub))
    opened = client.post(
        "/v1/investigations", json={"subjects": [str(child)], "reference": "VP-1"}, headers=auth(hub)("police.officer")
    )
    assert opened.status_code == 201
    assert hub.audit.seal() is not None
    answer = citizen_sign_in(client, issuer, CHILD_CODE)
    assert answer.status_code == 200, answer.text
    assert 'url=/my"' in answer.text
    return client.cookies[CITIZEN_COOKIE], child


def test_a_citizen_sees_their_report_checks_a_proof_offline_and_downloads_their_data(
    client: TestClient, hub: Hub, issuer: str, tmp_path: Path
) -> None:
    token, child = signed_in_citizen(client, hub, issuer)
    page = client.get("/my")
    assert page.status_code == 200
    assert "Kas ir piekļuvis jūsu datiem" in page.text  # Latvian first
    assert "iestāde, kas ziņoja par apdraudējumu (neizpausta)" in page.text  # the reporting school is not named
    assert "Valsts policija" not in page.text
    assert "TUK-SKOLA" not in page.text
    assert "/transparency/checkpoint-key" in page.text
    assert "hub audit check-proof" in page.text
    assert "Pienākums ziņot par apdraudētu bērnu" in page.text  # the basis in plain words, not its id
    client.cookies.set("hub_lang", "en")
    english = client.get("/my").text
    assert "Who has accessed your data" in english
    assert "an agency that reported a concern (withheld)" in english
    assert "A person&#39;s request to see their own data" in english or "A person's request" in english
    client.cookies.delete("hub_lang")

    report = client.get("/v1/me/access-report", headers={"Authorization": f"Bearer {token}"})
    assert report.status_code == 200, report.text
    entries = report.json()["entries"]
    assert report.json()["subject_id"] == str(child)
    codes = [entry["agency"].get("code") if entry["agency"] else "you" for entry in entries]
    assert "VP" not in codes  # the investigating police's reads are withheld while the investigation is open
    assert all(entry["recipient"] is None for entry in entries)  # so is the disclosure to the police
    assert any(entry["agency"] and entry["agency"].get("withheld") for entry in entries)

    key = client.get("/transparency/checkpoint-key")
    assert key.status_code == 200
    assert key.text.strip() == hub.audit.verifier.vkey()
    proven = next(entry for entry in entries if entry["proof"])
    (tmp_path / "proof.json").write_text(json.dumps(proven["proof"]))
    (tmp_path / "key.txt").write_text(key.text)
    checked = CliRunner().invoke(
        cli_app,
        ["audit", "check-proof", "--proof", str(tmp_path / "proof.json"), "--public-key", str(tmp_path / "key.txt")],
    )
    assert checked.exit_code == 0, checked.output
    assert "OK: inclusion proof verifies" in checked.output

    downloaded = client.get("/my/export.json")
    assert downloaded.status_code == 200
    assert "attachment" in downloaded.headers["content-disposition"]
    export = downloaded.json()
    assert export["person"]["record_id"] == str(child)
    assert [detail["personal_code"] for detail in export["person"]["details_recorded"]] == [CHILD_CODE.replace("-", "")]
    [referral] = export["referrals"]
    assert set(referral["concerns"]) == {"neglect", "offence"}
    named = [agency["code"] for agency in referral["agencies"]]
    assert "VP" not in named
    assert "TUK-SKOLA" not in named
    assert "TUK-SD" in named
    assert set(referral) == {"received_at", "status", "urgency", "concerns", "lead_agency", "agencies"}  # no reporter
    assert child_referral()["summary"] not in downloaded.text
    assert "Inga" not in downloaded.text
    assert client.get("/v1/me/export", headers={"Authorization": f"Bearer {token}"}).json()["referrals"] == [referral]
    printable = client.get("/my/export?view=print")
    assert printable.status_code == 200
    assert "Elza" in printable.text

    exports = [event for event in log_of(hub, AccessRecorded, 0) if event.action == "citizen.export"]
    assert len(exports) == 3
    assert all(event.actor.user_id == "citizen" for event in exports)
    assert all(event.subjects == (child,) and event.basis == "GDPR-15" for event in exports)
    sign_ins = [event for event in log_of(hub, SignInRecorded, 0) if event.provider == "eid"]
    assert [(event.decision, event.reason) for event in sign_ins] == [("permit", None)]


def test_an_unknown_code_learns_the_hub_holds_nothing_and_the_attempt_is_recorded_without_it(
    client: TestClient, hub: Hub, issuer: str
) -> None:
    code = fresh_code()
    answer = citizen_sign_in(client, issuer, code)
    assert answer.status_code == 200
    assert "Centrā nav" in answer.text or "nav nekā" in answer.text
    assert CITIZEN_COOKIE not in client.cookies
    [refused] = [event for event in log_of(hub, SignInRecorded, 0) if event.provider == "eid"]
    assert (refused.decision, refused.reason, refused.actor.user_id) == ("deny", "nothing_held", "citizen")
    assert code not in refused.model_dump_json()
    assert client.get("/my", follow_redirects=False).headers["location"] == "/my/signin"


def test_a_citizen_session_reaches_only_their_own_report_and_export(client: TestClient, hub: Hub, issuer: str) -> None:
    token, child = signed_in_citizen(client, hub, issuer)
    other = hub.app.referral(
        UUID(
            client.post(
                "/v1/referrals",
                json=child_referral(child={**child_referral()["child"], "personal_code": fresh_code()}),
                headers=auth(hub)("tukums.school"),
            ).json()["id"]
        )
    ).child.subject_id
    as_bearer = {"Authorization": f"Bearer {token}"}
    for path in (
        "/v1/inbox",
        f"/v1/subjects/{child}/access-report",
        f"/v1/subjects/{other}/access-report",
        f"/v1/consents?subject_id={child}",
        "/v1/audit/checkpoint",
        "/v1/notifications",
    ):
        assert client.get(path, headers=as_bearer).status_code == 401, path
    client.cookies.set(SESSION_COOKIE, token)
    for page in ("/inbox", f"/subjects/{child}/access-report", f"/subjects/{other}/consents", "/audit"):
        assert client.get(page, follow_redirects=False).headers["location"].startswith("/signin"), page
    client.cookies.delete(SESSION_COOKIE)
    # The staff sign-in does not offer the citizens' provider, and a staff token is no citizen's session.
    assert client.get("/signin/oidc/eid", follow_redirects=False).status_code == 404
    assert 'href="/signin/oidc/eid"' not in client.get("/signin").text
    assert client.get("/v1/me/export", headers=auth(hub)("tukums.cm")).status_code == 401

    # Asking the service for another person's record (an id tried by hand) is refused by policy and recorded.
    citizen = hub.citizens.authenticate(token)
    assert citizen == Citizen(child, "eid")
    for subject_id in (other, uuid4()):
        before = hub.app.recorder.max_notification_id() or 0
        with pytest.raises(Forbidden):
            hub.citizens.report(citizen, subject_id)
        with pytest.raises(Forbidden):
            hub.citizens.export(citizen, subject_id)
        denials = log_of(hub, AccessRecorded, before)
        assert [(event.action, event.decision) for event in denials] == [
            ("citizen.access-report", "deny"),
            ("citizen.export", "deny"),
        ]

    out = client.post("/my/signout", data={"csrf": client.cookies["hub_csrf"]}, follow_redirects=False)
    assert out.status_code == 200
    assert issuer in out.text
    assert CITIZEN_COOKIE not in client.cookies
    assert client.get("/v1/me/access-report", headers=as_bearer).status_code == 401


def test_a_citizen_counts_against_the_per_user_request_limit(client: TestClient, hub: Hub, issuer: str) -> None:
    token, _ = signed_in_citizen(client, hub, issuer)
    client.app.state.rate_limits = RateLimits(per_user_per_minute=2, per_agency_per_minute=0)  # type: ignore[attr-defined]
    assert client.get("/my").status_code == 200
    assert client.get("/v1/me/access-report", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/my").status_code == 429


def test_a_citizens_pages_and_the_written_requests_page_are_valid_html(
    client: TestClient, hub: Hub, issuer: str
) -> None:
    if node_tools_missing() is not None:
        pytest.skip(str(node_tools_missing()))
    checks = PageChecks()
    _, child = signed_in_citizen(client, hub, issuer)
    today = hub.now().astimezone(RIGA).date()
    draft = WrittenRequestDraft(subject_id=child, right=RequestedRight.ACCESS, received_on=today)
    hub.written_requests.record(hub.principal_for("tukums.cm"), draft)
    for index, path in enumerate(("/my", "/my/export", "/my/export?view=print", "/my/signin", "/signin")):
        checks.documents[f"page-{index}"] = (path, client.get(path).text)
    checks.documents["nothing-held"] = ("/my/oidc/callback", citizen_sign_in(client, issuer, fresh_code()).text)
    client.cookies.set(SESSION_COOKIE, hub.issue_token("tukums.cm"))
    checks.documents["written-requests"] = ("/written-requests", client.get("/written-requests").text)
    checks.validate_documents()
    assert checks.findings == [], "\n".join(checks.findings)
