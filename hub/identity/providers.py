"""One configured OpenID provider as the hub talks to it: its discovery document, its signing keys (fetched again
when a token names a key the hub has not seen, at most once per `KEY_REFETCH_INTERVAL`, so rotation needs no restart
and a flood of made-up key ids costs the provider nothing), and the checks of the JWTs it signs.

Network failures become `Unavailable` (503 `identity_provider_unavailable`), never a hang: every call has a timeout.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx2
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from hub.kernel.config import OidcProvider
from hub.kernel.errors import Unavailable

HTTP_TIMEOUT = httpx2.Timeout(5.0)
KEY_REFETCH_INTERVAL = 30.0  # seconds between two fetches of a provider's keys for an unseen key id
CLOCK_SKEW_SECONDS = 30
# Asymmetric algorithms only: never `none`, never a shared-secret HMAC.
SIGNING_ALGORITHMS = ("RS256", "PS256", "ES256", "EdDSA", "Ed25519")


class TokenRejected(Exception):
    """A JWT the provider did not sign, or whose claims do not hold (the message is a short machine reason)."""


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = httpx2.get(url, timeout=HTTP_TIMEOUT, follow_redirects=False)
        response.raise_for_status()
        document = response.json()
    except (httpx2.HTTPError, ValueError) as error:
        raise Unavailable("identity_provider_unavailable", "the identity provider cannot be reached") from error
    if not isinstance(document, dict):
        raise Unavailable("identity_provider_unavailable", "the identity provider answered with no JSON object")
    return document


class ProviderClient:
    """Discovery, keys and token checks for one provider; thread-safe, shared by all requests."""

    def __init__(self, config: OidcProvider, fetch: Callable[[str], dict[str, Any]] = _get_json) -> None:
        self.config = config
        self.client_secret = config.client_secret_file.read_text(encoding="utf-8").strip()
        self._fetch = fetch
        self._lock = threading.RLock()
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._key_ids: frozenset[str] = frozenset()
        self._keys_fetched_at = float("-inf")

    @property
    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (read once; its issuer must be the configured one)."""
        with self._lock:
            if self._metadata is None:
                document = self._fetch(self.config.issuer.rstrip("/") + "/.well-known/openid-configuration")
                if document.get("issuer") != self.config.issuer:
                    raise Unavailable("identity_provider_misconfigured", "its discovery document names another issuer")
                self._metadata = document
            return self._metadata

    def endpoint(self, name: str) -> str:
        value = self.metadata.get(name)
        if not isinstance(value, str):
            raise Unavailable("identity_provider_misconfigured", f"the provider announces no {name}")
        return value

    def _key_set(self, key_id: str | None) -> KeySet:
        with self._lock:
            stale = self._keys is None or (key_id is not None and key_id not in self._key_ids)
            due = time.monotonic() - self._keys_fetched_at >= KEY_REFETCH_INTERVAL
            if stale and (due or self._keys is None):
                self._load_keys()
            assert self._keys is not None
            return self._keys

    def _load_keys(self) -> None:
        self._keys_fetched_at = time.monotonic()
        document = self._fetch(self.endpoint("jwks_uri"))
        try:
            self._keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError) as error:
            raise Unavailable("identity_provider_misconfigured", "the provider's keys cannot be read") from error
        self._key_ids = frozenset(str(key.kid) for key in self._keys.keys if key.kid)

    def forget_keys(self, keys: KeySet) -> None:
        """Replace the cached keys (tests use it to stand for a rotation the hub has not seen yet)."""
        with self._lock:
            self._keys, self._key_ids = keys, frozenset(str(key.kid) for key in keys.keys if key.kid)
            self._keys_fetched_at = float("-inf")

    def verify(self, token: str, audience: str, **expected: str) -> dict[str, Any]:
        """The claims of a JWT this provider signed for `audience`, unexpired, with `expected` claim values."""
        self.metadata  # noqa: B018 - discovery first, for the keys' address
        try:
            header = jws.extract_compact(token.encode()).protected
        except JoseError as error:
            raise TokenRejected("MalformedToken") from error
        key_id = header.get("kid")
        keys = self._key_set(key_id if isinstance(key_id, str) else None)
        try:
            decoded = jwt.decode(token, keys, algorithms=list(SIGNING_ALGORITHMS))
        except JoseError as error:
            raise TokenRejected(type(error).__name__) from error
        registry = jwt.JWTClaimsRegistry(
            leeway=CLOCK_SKEW_SECONDS,
            iss={"essential": True, "value": self.config.issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            sub={"essential": True},
        )
        try:
            registry.validate(decoded.claims)
        except JoseError as error:
            raise TokenRejected(type(error).__name__) from error
        for name, value in expected.items():
            if not hmac.compare_digest(str(decoded.claims.get(name, "")).encode(), value.encode()):
                raise TokenRejected(f"Invalid_{name}")
        return dict(decoded.claims)

    def username_in(self, claims: dict[str, Any]) -> str | None:
        value = claims.get(self.config.user_claim)
        return value if isinstance(value, str) and value else None
