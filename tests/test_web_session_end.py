"""When a web session has ended: the page's scripts get 401 JSON (the as-you-type check pastes no sign-in page into
the form), and a form sent too late is kept, sealed, and offered back filled in to its author after signing in
again, once, with a fresh CSRF token; nobody else gets it and nothing is appended before it is sent."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from fastapi.testclient import TestClient

from hub.kernel.identity import issue_token
from hub.service import Hub
from hub.web.session import SESSION_COOKIE
from tests.conftest import head
from tests.web import csrf, post_form, referral_form, sign_in


def end_session(client: TestClient, hub: Hub, username: str, agency: str) -> None:
    """Put an expired session (signed by the hub) in the browser, as if the person had been away too long."""
    client.cookies.delete(SESSION_COOKIE)
    client.cookies.set(SESSION_COOKIE, issue_token(hub.signing_key, username, agency, timedelta(minutes=-5)))


def test_scripts_get_401_json_not_the_sign_in_page(client: TestClient, hub: Hub) -> None:
    sign_in(client, hub, "tukums.school")
    end_session(client, hub, "tukums.school", "TUK-SKOLA")
    check = client.post(
        "/referrals/check-code",
        data={"csrf": csrf(client), "child.personal_code": "120415-20002"},
        headers={"HX-Request": "true"},
        follow_redirects=False,
    )
    assert check.status_code == 401
    assert check.json()["reason"] == "signed_out"
    status = client.get("/session", headers={"Accept": "application/json"})
    assert status.status_code == 401


def test_a_form_sent_after_the_session_ended_is_kept_and_sent_after_signing_in(client: TestClient, hub: Hub) -> None:
    sign_in(client, hub, "tukums.school")
    end_session(client, hub, "tukums.school", "TUK-SKOLA")
    before = head(hub)
    late = post_form(client, "/referrals/new", referral_form())
    assert late.status_code == 303
    target = late.headers["location"]
    assert target.startswith("/signin?next=%2Fforms%2Fkept%2F")
    assert head(hub) == before
    kept_path = "/forms/kept/" + target.rsplit("%2F", 1)[1]

    sign_in(client, hub, "tukums.intake")
    assert client.get(kept_path).status_code == 404  # someone else signed in: not theirs

    sign_in(client, hub, "tukums.school")
    page = client.get(kept_path)
    assert page.status_code == 200
    assert 'action="/referrals/new"' in page.text
    assert 'value="Bērns nav apmeklējis skolu divas nedēļas."' in page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    assert fields["csrf"] == csrf(client)
    assert client.get(kept_path).status_code == 404  # offered once

    values: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text):
        values.setdefault(name, []).append(html.unescape(value))
    sent = client.post("/referrals/new", data=values, follow_redirects=False)
    assert sent.status_code == 303, re.findall(r"class=\"reason\">([^<]+)<", sent.text)
    assert "notice=submitted" in sent.headers["location"]


def test_a_late_form_without_its_csrf_token_or_a_hub_session_is_not_kept(client: TestClient, hub: Hub) -> None:
    sign_in(client, hub, "tukums.school")
    end_session(client, hub, "tukums.school", "TUK-SKOLA")
    forged = client.post("/referrals/new", data={"csrf": "forged", **referral_form()}, follow_redirects=False)
    assert forged.headers["location"] == "/signin?next=%2Freferrals%2Fnew"
    client.cookies.delete(SESSION_COOKIE)
    client.cookies.set(SESSION_COOKIE, "not-a-token")
    unsigned = post_form(client, "/referrals/new", referral_form())
    assert unsigned.headers["location"] == "/signin?next=%2Freferrals%2Fnew"
