"""Helpers for the web page tests: signing in with the API's token model, the CSRF token, the referral form."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from hub.service import Hub
from hub.web.security import CSRF_COOKIE


def csrf(client: TestClient) -> str:
    """The browser's CSRF token (any page sets it)."""
    if CSRF_COOKIE not in client.cookies:
        client.get("/signin")
    return str(client.cookies[CSRF_COOKIE])


def sign_in(client: TestClient, hub: Hub, username: str) -> None:
    """Sign in with a token from `hub tokens issue`, as the sign-in page allows without demo mode."""
    response = client.post(
        "/signin", data={"csrf": csrf(client), "token": hub.issue_token(username)}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def post_form(client: TestClient, path: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(path, data={"csrf": csrf(client), **(data or {})}, follow_redirects=False)


def referral_form(**overrides: Any) -> dict[str, Any]:
    """The referral form as a browser posts it (the same referral as conftest's `child_referral`)."""
    form: dict[str, Any] = {
        "idempotency_key": "form-1",
        "child.given_name": "Elza",
        "child.family_name": "Kalniņa",
        "child.birth_date": "2015-04-12",
        "child.personal_code": "120415-20001",
        "child.municipality": "tukuma-novads",
        "concerns": ["neglect", "school_absence"],
        "urgency": "urgent",
        "summary": "Bērns nav apmeklējis skolu divas nedēļas.",
        "family.0.given_name": "Inga",
        "family.0.family_name": "Kalniņa",
        "family.0.relationship": "mother",
    }
    form.update(overrides)
    return form


def referral_id_of(location: str) -> str:
    """The referral id from the redirect after a submission (`/referrals/{id}?notice=...`)."""
    return location.split("/")[2].split("?")[0]
