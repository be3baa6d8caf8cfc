"""The web pages through TestClient: sign-in, CSRF, language, audited page views, escaping, errors, the flow
without JavaScript. The browser tests (test_web_browser.py) drive the same pages in Chromium."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub.service import Hub
from hub.web.app import web_routers
from hub.web.rendering import WebRoute
from tests.conftest import head
from tests.test_inbox_and_access import access_events
from tests.web import csrf, post_form, referral_form, referral_id_of, sign_in

TEMPLATES = Path(__file__).parent.parent / "hub" / "web" / "templates"


def submit_by_form(client: TestClient, hub: Hub, user: str = "tukums.school", **overrides: object) -> str:
    sign_in(client, hub, user)
    response = post_form(client, "/referrals/new", referral_form(**overrides))
    assert response.status_code == 303, response.text
    return referral_id_of(response.headers["location"])


def test_pages_need_a_session_and_send_the_browser_to_sign_in(client: TestClient, hub: Hub) -> None:
    before = head(hub)
    for path in ("/inbox", "/referrals/new", "/supervision", f"/referrals/{uuid.uuid4()}", "/subjects/candidates"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/signin?next=%2F"), path
    response = post_form(client, f"/referrals/{uuid.uuid4()}/actions/acknowledge")
    assert response.status_code == 303
    client.cookies.set("hub_session", "not-a-token")
    assert client.get("/inbox", follow_redirects=False).status_code == 303
    assert head(hub) == before


def test_every_form_is_refused_without_its_csrf_token(client: TestClient, hub: Hub) -> None:
    sign_in(client, hub, "tukums.cm")
    before = head(hub)
    posts = [route for router in web_routers() for route in router.routes if "POST" in getattr(route, "methods", ())]
    assert len(posts) >= 8
    fill = {"action": "accept", "decision": "confirm"}
    for route in posts:
        path = re.sub(r"{(\w+)}", lambda match: fill.get(match.group(1), str(uuid.uuid4())), route.path)
        for data in ({}, {"csrf": "forged"}):
            response = client.post(path, data=data, follow_redirects=False)
            assert response.status_code == 403, path
            assert 'class="reason">csrf_rejected<' in response.text, path
    assert head(hub) == before


def test_latvian_by_default_english_on_request_and_no_open_redirect(client: TestClient, hub: Hub) -> None:
    sign_in(client, hub, "tukums.intake")
    page = client.get("/inbox")
    assert '<html lang="lv">' in page.text
    assert "Iesūtne" in page.text
    switched = client.get("/lang/en", params={"next": "/inbox?direction=outgoing"}, follow_redirects=False)
    assert switched.headers["location"] == "/inbox?direction=outgoing"
    page = client.get("/inbox")
    assert '<html lang="en">' in page.text
    assert "No referrals." in page.text
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.get("/lang/lv", params={"next": target}, follow_redirects=False)
        assert response.headers["location"] == "/inbox", target
    unknown = client.get("/lang/de")
    assert unknown.status_code == 404
    assert "unknown_language" in unknown.text


def test_page_views_are_audited_like_the_api(client: TestClient, hub: Hub) -> None:
    referral_id = submit_by_form(client, hub)
    sign_in(client, hub, "tukums.intake")
    assert client.get(f"/referrals/{referral_id}").status_code == 200
    assert client.get(f"/referrals/{referral_id}/timeline").status_code == 200
    sign_in(client, hub, "riga.cm")
    denied = client.get(f"/referrals/{referral_id}")
    assert denied.status_code == 404
    assert "referral_not_found" in denied.text
    assert "Elza" not in denied.text
    reads = [event for event in access_events(hub) if event.resource == f"referral:{referral_id}"]
    assert [(event.actor.user_id, event.action, event.decision) for event in reads] == [
        ("tukums.intake", "referral.read", "permit"),
        ("tukums.intake", "referral.timeline", "permit"),
        ("riga.cm", "referral.read", "deny"),
    ]
    assert all(event.subjects for event in reads)


def test_user_content_is_escaped(client: TestClient, hub: Hub) -> None:
    attack = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    referral_id = submit_by_form(client, hub, "tukums.school", summary=attack, **{"family.0.given_name": attack[:99]})
    sign_in(client, hub, "tukums.intake")
    page = client.get(f"/referrals/{referral_id}").text
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in page


def test_headers_cookies_and_templates_allow_no_inline_script(client: TestClient, hub: Hub) -> None:
    sign_in(client, hub, "tukums.intake")
    session = next(cookie for cookie in client.cookies.jar if cookie.name == "hub_session")
    assert session.has_nonstandard_attr("HttpOnly")
    assert session.get_nonstandard_attr("SameSite") == "strict"
    response = client.get("/inbox")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert client.get("/static/htmx.min.js").status_code == 200
    for template in TEMPLATES.glob("*.html"):
        source = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", source), template.name
        assert not re.search(r"\son[a-z]+=", source), template.name
        assert " style=" not in source, template.name


def test_a_bad_form_shows_its_errors_in_latvian_and_sends_nothing(client: TestClient, hub: Hub) -> None:
    sign_in(client, hub, "tukums.school")
    before = head(hub)
    response = post_form(
        client,
        "/referrals/new",
        referral_form(**{"child.personal_code": "120415-20002", "concerns": [], "summary": "Tikai <b>šis</b>"}),
    )
    assert response.status_code == 422
    assert "Nederīgs Latvijas personas kods." in response.text
    assert 'data-reason="invalid_personal_code"' in response.text  # for machines; the reader sees the sentence
    assert "Izvēlieties vismaz vienu." in response.text
    assert '<a href="#child-personal_code">Bērns: Personas kods</a>' in response.text
    assert 'aria-describedby="child-personal_code-error child-personal_code-check"' in response.text
    assert 'id="child-personal_code-error"' in response.text
    assert 'id="concerns" aria-invalid="true" aria-describedby="concerns-error"' in response.text
    visible = re.sub(r"<[^>]+>", " ", response.text)
    for code in ("invalid_personal_code", "too_short", "child.personal_code", "value_error"):
        assert code not in visible
    assert 'value="Elza"' in response.text
    assert "Tikai &lt;b&gt;šis&lt;/b&gt;" in response.text
    assert head(hub) == before
    checked = post_form(client, "/referrals/check-code?field=child.personal_code", {"child.personal_code": "12"})
    assert "Nederīgs Latvijas personas kods." in checked.text
    valid = post_form(
        client, "/referrals/check-code?field=child.personal_code", {"child.personal_code": "120415-20001"}
    )
    assert "invalid" not in valid.text


def test_the_referral_flow_works_without_javascript(client: TestClient, hub: Hub) -> None:
    referral_id = submit_by_form(client, hub)
    again = post_form(client, "/referrals/new", referral_form())
    assert referral_id_of(again.headers["location"]) == referral_id

    sign_in(client, hub, "tukums.intake")
    inbox = client.get("/inbox").text
    assert f'action="/referrals/{referral_id}/actions/acknowledge"' in inbox
    assert post_form(client, f"/referrals/{referral_id}/actions/acknowledge", {"back": "inbox"}).status_code == 303
    assert post_form(client, f"/referrals/{referral_id}/actions/assign", {"worker": "tukums.cm"}).status_code == 303
    sign_in(client, hub, "tukums.cm")
    assert post_form(client, f"/referrals/{referral_id}/actions/accept").status_code == 303
    bad_outcome = post_form(
        client, f"/referrals/{referral_id}/actions/close", {"outcome": "solved", "form_id": "close"}
    )
    assert bad_outcome.status_code == 422
    assert 'data-reason="enum"' in bad_outcome.text
    assert '<a href="#close-outcome">Iznākums</a>: Izvēlieties vienu no iespējām.' in bad_outcome.text
    assert 'id="form-errors"' in bad_outcome.text  # the referral page again, with the error summary on top
    closed = post_form(client, f"/referrals/{referral_id}/actions/close", {"outcome": "services_provided"})
    assert closed.status_code == 303
    full = client.get(f"/referrals/{referral_id}/timeline").text
    assert "tukums.intake" in full
    assert "Sniegti pakalpojumi" in full

    sign_in(client, hub, "tukums.school")
    before = head(hub)
    refused = post_form(client, f"/referrals/{referral_id}/actions/close", {"outcome": "services_provided"})
    assert refused.status_code == 403
    assert "action_not_permitted" in refused.text
    assert "Jums nav atļauts veikt šo darbību ar šo ziņojumu." in refused.text
    assert head(hub) == before
    school = client.get(f"/referrals/{referral_id}").text
    assert "Slēgts" in school
    assert "Bērns nav apmeklējis skolu" not in school
    assert "tukums.cm" not in school
    timeline = client.get(f"/referrals/{referral_id}/timeline").text
    assert "tukums.intake" not in timeline
    assert "Sniegti pakalpojumi" in timeline
    sent = client.get("/inbox").text
    assert "Slēgts" in sent


def test_consents_are_recorded_listed_and_withdrawn_from_the_pages(client: TestClient, hub: Hub) -> None:
    referral_id = submit_by_form(client, hub)
    sign_in(client, hub, "tukums.cm")
    child = hub.app.referral(uuid.UUID(referral_id)).child
    subject_id = child.subject_id
    page = client.get(f"/subjects/{subject_id}/consents")
    assert "Šai personai nav reģistrētu piekrišanu." in page.text
    assert f"{child.given_name} {child.family_name}" in page.text
    assert f"{child.given_name} {child.family_name}" in client.get(f"/subjects/{subject_id}/access-report").text
    missing = post_form(client, f"/subjects/{subject_id}/consents", {"grantor": "Inga Kalniņa", "evidence": "X"})
    assert missing.status_code == 422
    granted = post_form(
        client,
        f"/subjects/{subject_id}/consents",
        {
            "grantor": "Inga Kalniņa",
            "relationship": "mother",
            "recipient_agencies": ["TUK-SKOLA"],
            "purposes": ["education_support"],
            "categories": ["school_attendance"],
            "valid_until": "2030-12-31",
            "evidence": "TUK-SD/2026/117",
        },
    )
    assert granted.status_code == 303, granted.text
    listed = client.get(f"/subjects/{subject_id}/consents").text
    assert "TUK-SD/2026/117" in listed
    consent_id = re.search(r'action="/consents/([0-9a-f-]+)/withdraw"', listed)
    assert consent_id is not None
    withdrawn = post_form(client, f"/consents/{consent_id.group(1)}/withdraw", {"reason": "mātes lūgums"})
    assert withdrawn.status_code == 303
    assert "Atsaukts" in client.get(f"/subjects/{subject_id}/consents").text
    reads = [event for event in access_events(hub) if event.action == "consents.read"]
    assert len(reads) == 4  # the refused form came back on the page with the list, which is a read too
    assert all(event.subjects == (subject_id,) for event in reads)
    names_shown = [event for event in access_events(hub) if event.action == "person.read"]
    assert len(names_shown) == 5
    assert all(event.subjects == (subject_id,) for event in names_shown)


def test_supervision_dashboard_draws_charts_for_the_ministry_only(client: TestClient, hub: Hub) -> None:
    submit_by_form(client, hub)
    sign_in(client, hub, "ministry.supervisor")
    page = client.get("/supervision")
    assert page.status_code == 200
    assert page.text.count('<svg role="img"') == 4
    assert "Tukuma novads" in page.text
    assert "Elza" not in page.text
    sign_in(client, hub, "tukums.head")
    refused = client.get("/supervision")
    assert refused.status_code == 403
    assert "access_denied" in refused.text
    decisions = [event.decision for event in access_events(hub) if event.action == "supervision.read"]
    assert decisions == ["permit", "deny"]


@pytest.mark.parametrize("demo", [True, False])
def test_demo_user_picker_only_in_demo_mode(client: TestClient, hub: Hub, demo: bool) -> None:
    hub.settings.demo = demo
    page = client.get("/signin").text
    assert ('data-user="tukums.school"' in page) is demo
    response = client.post("/signin", data={"csrf": csrf(client), "username": "tukums.school"}, follow_redirects=False)
    if demo:
        assert response.status_code == 303
        assert client.get("/inbox").status_code == 200
    else:
        assert response.status_code == 401
        assert "sign_in_failed" in response.text


def test_web_routes_are_not_part_of_the_api_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert all(path.startswith(("/v1/", "/scim/v2/", "/healthz", "/readyz")) for path in paths)
    assert all(isinstance(route, WebRoute) for router in web_routers() for route in router.routes)
