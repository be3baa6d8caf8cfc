"""Authentication: every failure of a bearer token is a 401; a suspended user gets 403."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from hub.kernel.identity import AUDIENCE, ISSUER, issue_token
from hub.service import Hub


def _claims(**overrides: object) -> dict[str, object]:
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "tukums.cm",
        "agency": "TUK-SD",
        "iat": now,
        "exp": now + timedelta(minutes=5),
    }
    claims.update(overrides)
    return claims


def test_missing_token(client: TestClient) -> None:
    response = client.get("/v1/inbox")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["reason"] == "unauthenticated"


@pytest.mark.parametrize("header", ["Bearer", "Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer a.b.c"])
def test_malformed_token(client: TestClient, header: str) -> None:
    assert client.get("/v1/inbox", headers={"Authorization": header}).status_code == 401


def test_expired_token(client: TestClient, hub: Hub) -> None:
    past = datetime.now(UTC) - timedelta(hours=1)
    token = jwt.encode(_claims(iat=past, exp=past + timedelta(minutes=1)), hub.signing_key, algorithm="EdDSA")
    response = client.get("/v1/inbox", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "ExpiredSignature" in response.json()["detail"]


def test_forged_token_signed_by_another_key(client: TestClient) -> None:
    forged = issue_token(Ed25519PrivateKey.generate(), "tukums.cm", "TUK-SD", timedelta(minutes=5))
    assert client.get("/v1/inbox", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_unsigned_token_is_rejected(client: TestClient) -> None:
    token = jwt.encode(_claims(), key=None, algorithm="none")  # type: ignore[arg-type]
    assert client.get("/v1/inbox", headers={"Authorization": f"Bearer {token}"}).status_code == 401


@pytest.mark.parametrize(
    "overrides",
    [{"aud": "other-api"}, {"iss": "someone-else"}, {"sub": "nobody"}, {"agency": "DAU-SD"}],
)
def test_token_with_wrong_claims(client: TestClient, hub: Hub, overrides: dict[str, object]) -> None:
    token = jwt.encode(_claims(**overrides), hub.signing_key, algorithm="EdDSA")
    assert client.get("/v1/inbox", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_suspended_user_is_refused_and_reinstated_user_is_let_back(
    client: TestClient, hub: Hub, auth: Callable[[str], dict[str, str]]
) -> None:
    headers = auth("tukums.cm")
    assert client.get("/v1/inbox", headers=headers).status_code == 200
    hub.registry.set_user_suspended("tukums.cm", True, "left the service")
    response = client.get("/v1/inbox", headers=headers)
    assert response.status_code == 403
    assert response.json()["reason"] == "forbidden"
    hub.registry.set_user_suspended("tukums.cm", False)
    assert client.get("/v1/inbox", headers=headers).status_code == 200


def test_signing_key_file_is_private(hub: Hub) -> None:
    key_file = hub.settings.key_dir / "hub-signing-key.pem"
    assert key_file.stat().st_mode & 0o777 == 0o600
