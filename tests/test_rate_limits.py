"""Abuse limits and hygiene: request rates per user and per agency (429 with Retry-After), security headers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from hub.api.app import create_app
from hub.kernel.config import Settings
from hub.registry.demo import seed_demo
from hub.service import Hub


def test_a_user_over_the_limit_gets_429_and_others_are_unaffected(tmp_path: Path) -> None:
    settings = Settings(  # type: ignore[call-arg]
        store=str(tmp_path / "hub.sqlite"),
        key_dir=tmp_path / "keys",
        rate_limit_user_per_minute=3,
        rate_limit_agency_per_minute=5,
        _env_file=None,
    )
    hub = Hub(settings)
    try:
        seed_demo(hub)
        with TestClient(create_app(hub, follow_in_background=False)) as client:

            def inbox(user: str) -> int:
                token = hub.issue_token(user)
                return client.get("/v1/inbox", headers={"Authorization": f"Bearer {token}"}).status_code

            assert [inbox("tukums.cm") for _ in range(3)] == [200, 200, 200]
            token = hub.issue_token("tukums.cm")
            limited = client.get("/v1/inbox", headers={"Authorization": f"Bearer {token}"})
            assert limited.status_code == 429
            assert limited.json()["reason"] == "rate_limited"
            assert 1 <= int(limited.headers["Retry-After"]) <= 60
            assert inbox("daugavpils.cm") == 200  # another agency, another user
            assert [inbox("tukums.head") for _ in range(3)] == [200, 200, 429]  # the agency has 5 a minute
    finally:
        hub.close()


def test_every_response_carries_the_security_headers(client: TestClient, auth: Callable[[str], dict[str, str]]) -> None:
    for response in (
        client.get("/v1/inbox", headers=auth("tukums.cm")),
        client.get("/v1/inbox"),
        client.post("/v1/referrals", content=b"{", headers=auth("tukums.school")),
    ):
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
