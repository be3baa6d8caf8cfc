"""Agency systems get hub tokens with OAuth 2.0 client credentials and `private_key_jwt` (RFC 7523), signed with the
Ed25519 key the agency registered; wrong key, expired, wrong audience and replayed assertions are refused and the
refusals are in the auditor's replay. A used assertion stays used for another hub process on the same store."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from hub.api.app import create_app
from hub.audit.replay import ReplayFilter
from hub.identity.client_credentials import ASSERTION_TYPE
from hub.kernel.config import Settings
from hub.service import Hub
from tests.conftest import child_referral

TOKEN_URL = "http://testserver/v1/oauth/token"
NOW = datetime.now(UTC)


@pytest.fixture
def agency_key(hub: Hub) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    hub.registry.register_key("TUK-SKOLA", raw)
    return key


def assertion(key: Ed25519PrivateKey, code: str = "TUK-SKOLA", **overrides: Any) -> str:
    now = datetime.now(UTC)
    claims = {
        "iss": code,
        "sub": code,
        "aud": TOKEN_URL,
        "iat": now,
        "exp": now + timedelta(minutes=2),
        "jti": str(uuid.uuid4()),
    } | overrides
    return jwt.encode(claims, key, algorithm="EdDSA")


def exchange(client: TestClient, signed: str, client_id: str | None = "TUK-SKOLA") -> Any:
    form = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE, "client_assertion": signed}
    if client_id:
        form["client_id"] = client_id
    return client.post("/v1/oauth/token", data=form)


def test_an_agency_system_gets_a_token_and_submits_a_referral(
    client: TestClient, hub: Hub, agency_key: Ed25519PrivateKey
) -> None:
    answer = exchange(client, assertion(agency_key))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= hub.settings.oauth_token_ttl_minutes * 60
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    submitted = client.post("/v1/referrals", json=child_referral(), headers=headers)
    assert submitted.status_code == 201, submitted.text
    assert hub.authenticate(body["access_token"]).username == "integration.tuk-skola"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"exp": NOW - timedelta(minutes=5), "iat": NOW - timedelta(minutes=6)}, "expired_assertion"),
        ({"aud": "https://elsewhere.example/token"}, "wrong_audience"),
        ({"exp": NOW + timedelta(hours=1)}, "assertion_lifetime_too_long"),
        ({"sub": "TUK-SD"}, "invalid_assertion"),
    ],
)
def test_broken_assertions_are_refused_and_recorded(
    client: TestClient, hub: Hub, agency_key: Ed25519PrivateKey, change: dict[str, Any], reason: str
) -> None:
    refused = exchange(client, assertion(agency_key, **change))
    assert refused.status_code == 401
    assert refused.json() == {
        "error": "invalid_client",
        "error_description": "the client assertion was refused",
        "reason": reason,
    }
    entries = hub.audit.replay(hub.principal_for("auditor"), ReplayFilter(user="integration.tuk-skola"), "t")["entries"]
    assert [(entry["action"], entry["decision"], entry["reason"]) for entry in entries] == [
        ("token_exchange", "deny", reason)
    ]


def test_a_key_the_agency_did_not_register_is_refused(client: TestClient, agency_key: Ed25519PrivateKey) -> None:
    other = Ed25519PrivateKey.generate()
    assert exchange(client, assertion(other)).json()["reason"] == "wrong_key"
    another_agency = assertion(agency_key, code="TUK-SD")
    assert exchange(client, another_agency, client_id="TUK-SD").json()["reason"] == "not_registered"


def test_an_unknown_client_is_refused_without_a_record(client: TestClient, hub: Hub) -> None:
    before = hub.app.recorder.max_notification_id()
    refused = exchange(client, assertion(Ed25519PrivateKey.generate(), code="NOBODY"), client_id="NOBODY")
    assert refused.status_code == 401
    assert refused.json()["reason"] == "unknown_client"
    assert exchange(client, "not-a-jwt").json()["reason"] == "malformed_assertion"
    assert hub.app.recorder.max_notification_id() == before


def test_a_used_assertion_is_refused_by_every_hub_process(
    client: TestClient, hub: Hub, settings: Settings, agency_key: Ed25519PrivateKey
) -> None:
    signed = assertion(agency_key)
    assert exchange(client, signed).status_code == 200
    assert exchange(client, signed).json()["reason"] == "replayed_assertion"
    other_process = Hub(settings)
    try:
        with TestClient(create_app(other_process, follow_in_background=False)) as other:
            assert exchange(other, signed).json()["reason"] == "replayed_assertion"
            assert exchange(other, assertion(agency_key)).status_code == 200
    finally:
        other_process.close()
    reasons = [
        entry["reason"]
        for entry in hub.audit.replay(hub.principal_for("auditor"), ReplayFilter(), "t")["entries"]
        if entry["kind"] == "sign_in"
    ]
    assert reasons == [None, "replayed_assertion", "replayed_assertion", None]


def test_the_grant_and_assertion_type_are_checked(client: TestClient, agency_key: Ed25519PrivateKey) -> None:
    wrong_grant = client.post(
        "/v1/oauth/token",
        data={"grant_type": "password", "client_assertion_type": ASSERTION_TYPE, "client_assertion": "x"},
    )
    assert wrong_grant.status_code == 400
    assert wrong_grant.json()["error"] == "unsupported_grant_type"
    wrong_type = client.post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_assertion_type": "basic", "client_assertion": "x"},
    )
    assert wrong_type.json()["reason"] == "unsupported_assertion_type"
    assert client.post("/v1/oauth/token", data={}).status_code == 422
