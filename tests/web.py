"""Helpers for the web page tests: signing in with the API's token model, the CSRF token, the referral form, and
for the browser tests the hub served on a loopback port and Debian's Chromium."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import uvicorn
from fastapi.testclient import TestClient

from hub.api.app import create_app
from hub.service import Hub
from hub.web.security import CSRF_COOKIE

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = shutil.which("chromium")


@contextmanager
def served(hub: Hub, port: int) -> Iterator[str]:
    """The hub's app served by uvicorn on a loopback port in a thread; yields its base URL."""
    server = uvicorn.Server(
        uvicorn.Config(create_app(hub, follow_in_background=False), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="web-under-test", daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.05)
        assert thread.is_alive(), "the server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright (its own browser download does not work here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            yield instance
        finally:
            instance.close()


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
