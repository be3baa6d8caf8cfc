"""The verified-token cache: a token's signature is checked once, the entry ends with the token's expiry, the cache
is bounded, and revoking a user (suspended, removed, moved) still refuses their very next request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from hub.kernel import core as core_module
from hub.kernel.identity import TokenClaims
from hub.kernel.token_cache import VerifiedTokens
from hub.service import Hub

Auth = Callable[[str], dict[str, str]]
START = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def claims(minutes: int = 10) -> TokenClaims:
    return TokenClaims("tukums.cm", "TUK-SD", START + timedelta(minutes=minutes))


def test_a_remembered_token_is_known_until_it_expires_and_not_after() -> None:
    clock = Clock()
    tokens = VerifiedTokens(clock)
    assert tokens.known("a.b.c") is None
    tokens.remember("a.b.c", claims())
    assert tokens.known("a.b.c") == claims()
    assert tokens.known("a.b.d") is None
    clock.now = START + timedelta(minutes=10)
    assert tokens.known("a.b.c") is None
    clock.now = START
    assert tokens.known("a.b.c") is None  # forgotten, not merely hidden


def test_the_cache_keeps_at_most_its_bound_the_least_recently_used_go_first() -> None:
    tokens = VerifiedTokens(Clock(), max_entries=2)
    tokens.remember("one", claims())
    tokens.remember("two", claims())
    assert tokens.known("one") is not None  # "two" is now the least recently used
    tokens.remember("three", claims())
    assert tokens.known("two") is None
    assert tokens.known("one") is not None
    assert tokens.known("three") is not None


def test_a_token_is_verified_once_then_served_from_the_cache(
    client: TestClient, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[str] = []
    original = core_module.verify_token

    def counting(public_key: object, token: str) -> TokenClaims:
        verified.append(token)
        return original(public_key, token)  # type: ignore[arg-type]

    monkeypatch.setattr(core_module, "verify_token", counting)
    headers = auth("tukums.cm")
    for _ in range(3):
        assert client.get("/v1/inbox", headers=headers).status_code == 200
    assert len(verified) == 1


def test_a_cached_token_of_a_suspended_removed_or_moved_user_is_refused_at_once(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    admin = auth("registry.admin")
    intake, case_manager = auth("tukums.intake"), auth("tukums.cm")
    for headers in (intake, case_manager):  # both tokens verified and cached
        assert client.get("/v1/inbox", headers=headers).status_code == 200
    assert client.post("/v1/admin/users/tukums.intake/suspend", json={"reason": "x"}, headers=admin).status_code == 200
    assert client.get("/v1/inbox", headers=intake).status_code == 403
    assert client.post("/v1/admin/users/tukums.intake/reinstate", headers=admin).status_code == 200
    assert client.get("/v1/inbox", headers=intake).status_code == 200
    assert client.post("/v1/admin/users/tukums.intake/remove", json={"reason": "x"}, headers=admin).status_code == 200
    assert client.get("/v1/inbox", headers=intake).status_code == 403
    moved = client.post("/v1/admin/users/tukums.cm/move", json={"agency": "DAU-SD"}, headers=admin)
    assert moved.status_code == 200
    assert client.get("/v1/inbox", headers=case_manager).status_code == 401


def test_only_a_verified_token_of_a_cached_user_is_resolved_without_verifying_or_waiting(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    token = hub.issue_token("tukums.intake")
    assert hub.authenticate_known(token) is None  # not verified yet
    principal = hub.authenticate(token)
    assert hub.authenticate_known(token) == principal
    admin = auth("registry.admin")
    assert client.post("/v1/admin/users/tukums.intake/suspend", json={"reason": "x"}, headers=admin).status_code == 200
    assert hub.authenticate_known(token) is None  # the registry moved: the full check decides (and refuses)
    assert client.get("/v1/inbox", headers={"Authorization": f"Bearer {token}"}).status_code == 403
