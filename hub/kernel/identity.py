"""The hub's signing key and its bearer tokens (short-lived EdDSA JWTs); one verifier function for all callers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hub.kernel.keyfiles import load_or_create_key_file

ISSUER = "lv-referral-hub"
AUDIENCE = "hub-api"
SIGNING_KEY_FILE = "hub-signing-key.pem"
CLOCK_SKEW = timedelta(seconds=30)


def load_or_create_signing_key(key_dir: Path, filename: str = SIGNING_KEY_FILE) -> Ed25519PrivateKey:
    """Read one of the hub's Ed25519 keys, creating it (file mode 0600) on first start."""

    def generate() -> bytes:
        return Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    loaded = serialization.load_pem_private_key(load_or_create_key_file(key_dir, filename, generate), None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{key_dir / filename} is not an Ed25519 private key")
    return loaded


@dataclass(frozen=True)
class TokenClaims:
    username: str
    agency_code: str
    expires_at: datetime


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or not signed by this hub."""


def issue_token(key: Ed25519PrivateKey, username: str, agency_code: str, ttl: timedelta) -> str:
    now = datetime.now(UTC)
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": username,
        "agency": agency_code,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, key, algorithm="EdDSA")


def _unverified_claim(token: str, name: str) -> object:
    """A claim read before (or after) the signature is checked elsewhere; None if the token is no JWT."""
    try:
        return jwt.decode(token, options={"verify_signature": False}).get(name)
    except jwt.PyJWTError:
        return None


def token_issuer(token: str) -> str | None:
    """Who says they issued the token (read before its signature is checked, to pick the key to check it with)."""
    issuer = _unverified_claim(token, "iss")
    return issuer if isinstance(issuer, str) else None


def token_expiry(token: str) -> datetime | None:
    """When a token (already verified) expires."""
    expires = _unverified_claim(token, "exp")
    return datetime.fromtimestamp(expires, UTC) if isinstance(expires, int | float) else None


def _hub_claims(public_key: Ed25519PublicKey, token: str, check_expiry: bool = True) -> dict[str, object]:
    return dict(
        jwt.decode(
            token,
            public_key,
            algorithms=["EdDSA"],
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=CLOCK_SKEW,
            options={"verify_exp": check_expiry, "require": ["exp", "iat", "sub", "aud", "iss"]},
        )
    )


def expired_token_user(public_key: Ed25519PublicKey, token: str) -> str | None:
    """The username of a token this hub signed, even if it has expired (to keep a form its user sent too late)."""
    try:
        username = _hub_claims(public_key, token, check_expiry=False).get("sub")
    except jwt.PyJWTError:
        return None
    return username if isinstance(username, str) else None


def verify_token(public_key: Ed25519PublicKey, token: str) -> TokenClaims:
    """The hub's own tokens; tokens of configured OpenID providers are checked by `Core.foreign_tokens`."""
    try:
        claims = _hub_claims(public_key, token)
    except jwt.PyJWTError as error:
        raise InvalidToken(type(error).__name__) from error
    username, agency_code = claims.get("sub"), claims.get("agency")
    if not isinstance(username, str) or not isinstance(agency_code, str):
        raise InvalidToken("MissingIdentity")
    expires = claims["exp"]
    assert isinstance(expires, int)
    return TokenClaims(username, agency_code, datetime.fromtimestamp(expires, UTC))
