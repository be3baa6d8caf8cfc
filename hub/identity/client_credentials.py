"""Agency systems at the token endpoint: OAuth 2.0 client credentials with `private_key_jwt` (RFC 7523, RFC 7521).

The client is an agency, its `client_id` the agency's registry code. It signs a short assertion (`iss` = `sub` = its
code, `aud` = the token endpoint's URL or the hub's issuer name, `exp`, `jti`) with one of the Ed25519 keys it
registered (`hub keys register`, the same keys its Kafka messages are signed with; `kid` may name the key). The hub
answers with a short-lived hub token of the agency's integration user, who carries that user's roles.

Wrong key, expired, wrong audience, replayed and otherwise broken assertions from a registered agency are refused and
recorded; a `client_id` no agency has is refused without a record (anyone could send one). An assertion id (`jti`)
is remembered until its assertion expires, in the store's database, so it cannot be used twice on any replica.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, NoReturn

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from events.identity import SignInMethod
from hub.identity.sign_in_log import record_sign_in
from hub.identity.users import UserRefused, usable_user
from hub.kernel.errors import DomainError
from hub.kernel.identity import CLOCK_SKEW, ISSUER
from hub.kernel.sealed_records import SealedRecords
from hub.registry.service import integration_username
from projections.viewdb import Row

if TYPE_CHECKING:  # the manifest imports this module while hub.service is being built
    from hub.service import Hub

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_ASSERTION_LIFETIME = timedelta(minutes=10)


class InvalidClient(DomainError):
    """RFC 6749 `invalid_client`: the assertion does not authenticate the agency (`reason` says why)."""

    status = 401


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int


class ClientCredentials:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.seen = SealedRecords(hub.store_db, "identity_seen_assertions", hub.sealing_key)

    def exchange(self, assertion: str, client_id: str | None, token_endpoint: str) -> IssuedToken:
        try:
            unverified = jwt.decode(assertion, options={"verify_signature": False})
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError:
            raise InvalidClient("malformed_assertion", "the client assertion is not a JWT") from None
        code = unverified.get("iss")
        if not isinstance(code, str) or (client_id is not None and client_id != code):
            raise InvalidClient("unknown_client", "the assertion's issuer is not the client")
        agency = self.hub.registry_queries.agency_by_code(code)
        if agency is None:
            raise InvalidClient("unknown_client", "no agency has this client id")
        username = integration_username(code)
        try:
            user, _ = usable_user(self.hub, username, (code,))
            self._check(assertion, code, header.get("kid"), token_endpoint)
        except UserRefused as refused:
            self._refuse(code, refused.user, refused.reason)
        except InvalidClient as error:
            self._refuse(code, self.hub.user_row(username), error.reason)
        record_sign_in(self.hub, SignInMethod.CLIENT_CREDENTIALS, code, user)
        ttl = timedelta(minutes=self.hub.settings.oauth_token_ttl_minutes)
        return IssuedToken(self.hub.issue_token(username, ttl), int(ttl.total_seconds()))

    def _refuse(self, code: str, user: Row | None, reason: str) -> NoReturn:
        record_sign_in(self.hub, SignInMethod.CLIENT_CREDENTIALS, code, user, reason)
        raise InvalidClient(reason, "the client assertion was refused")

    def _keys(self, code: str, key_id: object) -> list[Ed25519PublicKey]:
        registered = dict(self.hub.registry.agency(code).public_keys)
        chosen = [registered[key_id]] if isinstance(key_id, str) and key_id in registered else []
        if key_id is None:
            chosen = list(registered.values())
        return [Ed25519PublicKey.from_public_bytes(base64.b64decode(encoded)) for encoded in chosen]

    def _check(self, assertion: str, code: str, key_id: object, token_endpoint: str) -> None:
        claims = None
        for key in self._keys(code, key_id):
            try:
                claims = jwt.decode(
                    assertion,
                    key,
                    algorithms=["EdDSA"],
                    audience=[token_endpoint, ISSUER],
                    issuer=code,
                    leeway=CLOCK_SKEW,
                    options={"require": ["exp", "iat", "jti", "sub", "aud", "iss"]},
                )
                break
            except jwt.InvalidSignatureError:
                continue
            except jwt.ExpiredSignatureError:
                raise InvalidClient("expired_assertion", "the client assertion has expired") from None
            except jwt.InvalidAudienceError:
                raise InvalidClient("wrong_audience", "the client assertion is meant for someone else") from None
            except jwt.PyJWTError:
                raise InvalidClient("invalid_assertion", "the client assertion's claims do not hold") from None
        if claims is None:
            raise InvalidClient("wrong_key", "no key the agency registered signed the assertion")
        if claims["sub"] != code or not isinstance(claims["jti"], str) or not claims["jti"]:
            raise InvalidClient("invalid_assertion", "the assertion's subject is not the client")
        lifetime = timedelta(seconds=int(claims["exp"]) - int(claims["iat"]))
        if lifetime > MAX_ASSERTION_LIFETIME:
            raise InvalidClient("assertion_lifetime_too_long", "a client assertion lives at most ten minutes")
        remaining = datetime.fromtimestamp(int(claims["exp"]), UTC) - datetime.now(UTC) + CLOCK_SKEW
        if not self.seen.add(f"{code}:{claims['jti']}", {}, remaining):
            raise InvalidClient("replayed_assertion", "this client assertion was already used")
