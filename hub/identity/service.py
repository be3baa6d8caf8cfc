"""People signing in through OpenID Connect: authorization code with PKCE, state and nonce, the ID token checked
against the provider's keys, the identity mapped to a registered user, and the web session renewed with the
provider's refresh token and ended at the provider (RP-initiated logout).

A sign-in under way and a signed-in session's provider tokens are sealed records in the store's database, so any
replica can finish or renew what another began. The API's check of the providers' access tokens is here too: it is
installed as the core's verifier of foreign tokens.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx2
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import OAuth2Client

from events.identity import SignInMethod
from hub.identity.providers import HTTP_TIMEOUT, ProviderClient, TokenRejected
from hub.identity.sign_in_log import record_sign_in
from hub.identity.users import UserRefused, usable_user
from hub.kernel.core import Core
from hub.kernel.errors import Forbidden, InvalidInput, NotFound, Unavailable
from hub.kernel.identity import InvalidToken, TokenClaims, token_issuer
from hub.kernel.sealed_records import SealedRecords

PENDING_LIFETIME = timedelta(minutes=10)  # from leaving for the provider to coming back
SESSION_LIFETIME = timedelta(hours=12)  # the longest a web session is renewed without signing in again


class SignInRefused(Forbidden):
    """The provider vouched for someone who may not act in the hub (the refusal is recorded)."""


class SessionEnded(Exception):
    """The session cannot be renewed (the provider's session ended, or it never had one)."""


@dataclass(frozen=True)
class SignedIn:
    token: str  # the hub's own bearer token, for the session cookie
    session_id: str  # the sealed record of the provider's tokens
    next: str


@dataclass(frozen=True)
class CitizenIdentity:
    """Who a citizens' provider vouches for: the personal code (kept only in memory, never logged or stored)."""

    provider: str
    personal_code: str | None
    id_token: str | None
    next: str


def _random() -> str:
    return secrets.token_urlsafe(32)


class IdentityService:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.providers = {config.name: ProviderClient(config) for config in core.settings.oidc_providers}
        # The API takes access tokens of staff providers only: a citizen's identity never becomes a staff user.
        self.by_issuer = {
            client.config.issuer: client for client in self.providers.values() if not client.config.citizens
        }
        self.pending = SealedRecords(core.store_db, "identity_pending_sign_ins", core.sealing_key)
        self.sessions = SealedRecords(core.store_db, "identity_sessions", core.sealing_key)

    def provider(self, name: str, citizens: bool = False) -> ProviderClient:
        """A configured provider of staff (or, with `citizens`, of citizens); the other kind is not found."""
        client = self.providers.get(name)
        if client is None or client.config.citizens != citizens:
            raise NotFound("unknown_identity_provider", f"no identity provider named {name!r}", "provider")
        return client

    def staff_providers(self) -> list[ProviderClient]:
        return [client for client in self.providers.values() if not client.config.citizens]

    def citizen_providers(self) -> list[ProviderClient]:
        return [client for client in self.providers.values() if client.config.citizens]

    def _oauth(self, client: ProviderClient, redirect_uri: str | None = None) -> OAuth2Client:
        return OAuth2Client(
            client_id=client.config.client_id,
            client_secret=client.client_secret,
            scope=client.config.scope,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            timeout=HTTP_TIMEOUT,
        )

    def begin(self, name: str, redirect_uri: str, next_path: str, citizens: bool = False) -> tuple[str, str]:
        """The provider's authorization URL and the state the browser must bring back (kept ten minutes)."""
        client = self.provider(name, citizens)
        state, nonce, verifier = _random(), _random(), secrets.token_urlsafe(64)
        with self._oauth(client, redirect_uri) as oauth:
            url, _ = oauth.create_authorization_url(
                client.endpoint("authorization_endpoint"), state=state, code_verifier=verifier, nonce=nonce
            )
        pending = {"provider": name, "nonce": nonce, "verifier": verifier, "redirect_uri": redirect_uri}
        self.pending.add(state, pending | {"next": next_path}, PENDING_LIFETIME)
        return url, state

    def _tokens(self, client: ProviderClient, oauth: OAuth2Client, **grant: str) -> dict[str, Any]:
        try:
            return dict(oauth.fetch_token(client.endpoint("token_endpoint"), **grant))
        except OAuthError as error:
            raise SessionEnded(error.error) from error
        except httpx2.HTTPError as error:
            raise Unavailable("identity_provider_unavailable", "the identity provider cannot be reached") from error

    def _answer(
        self, state: str, code: str, issuer: str | None, citizens: bool
    ) -> tuple[ProviderClient, dict[str, Any], dict[str, Any], dict[str, Any]]:
        """The provider, the pending sign-in, its tokens and the ID token's claims, once the code is exchanged."""
        pending = self.pending.take(state)
        if pending is None:
            raise InvalidInput("sign_in_expired", "the sign-in took too long or was already used; start again")
        client = self.provider(pending["provider"], citizens)
        if issuer is not None and issuer != client.config.issuer:
            raise InvalidInput("issuer_mismatch", "the answer came from another identity provider")
        with self._oauth(client, pending["redirect_uri"]) as oauth:
            try:
                tokens = self._tokens(client, oauth, code=code, code_verifier=pending["verifier"])
            except SessionEnded as ended:
                raise InvalidInput("sign_in_rejected", f"the identity provider refused the sign-in ({ended})") from None
        return client, pending, tokens, self._id_token_claims(client, tokens, nonce=pending["nonce"])

    def finish_citizen(self, state: str, code: str, issuer: str | None) -> CitizenIdentity:
        """A citizen's sign-in at a citizens' provider: the personal code it vouches for (None: it sent none)."""
        client, pending, tokens, claims = self._answer(state, code, issuer, citizens=True)
        value = claims.get(client.config.personal_code_claim)
        return CitizenIdentity(
            provider=client.config.name,
            personal_code=value if isinstance(value, str) and value else None,
            id_token=tokens.get("id_token"),
            next=pending["next"],
        )

    def record_citizen_sign_in(self, provider: str, reason: str | None = None) -> None:
        """A citizen's sign-in, permitted or refused (`nothing_held`): recorded without their code or name."""
        record_sign_in(self.core, SignInMethod.CITIZEN, provider, None, reason)

    def finish(self, state: str, code: str, issuer: str | None) -> SignedIn:
        """Exchange the code, check the ID token and map it to a user; a refusal is recorded and raised."""
        client, pending, tokens, claims = self._answer(state, code, issuer, citizens=False)
        user = self._admitted(client, client.username_in(claims))
        session_id = _random()
        self.sessions.add(session_id, self._session(client, user["username"], claims["sub"], tokens), SESSION_LIFETIME)
        return SignedIn(self.core.issue_token(user["username"]), session_id, pending["next"])

    def _id_token_claims(self, client: ProviderClient, tokens: dict[str, Any], **expected: str) -> dict[str, Any]:
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise InvalidInput("sign_in_rejected", "the identity provider sent no ID token")
        try:
            return client.verify(id_token, client.config.client_id, **expected)
        except TokenRejected as error:
            raise InvalidInput("sign_in_rejected", f"the ID token does not hold ({error})") from None

    def _admitted(self, client: ProviderClient, username: str | None) -> dict[str, Any]:
        try:
            user, _ = usable_user(self.core, username, client.config.agencies, issuer=client.config.issuer)
        except UserRefused as refused:
            record_sign_in(self.core, SignInMethod.OPENID_CONNECT, client.config.name, refused.user, refused.reason)
            raise SignInRefused(refused.reason, "this identity may not use the hub") from None
        record_sign_in(self.core, SignInMethod.OPENID_CONNECT, client.config.name, user)
        return user

    @staticmethod
    def _session(client: ProviderClient, username: str, subject: str, tokens: dict[str, Any]) -> dict[str, Any]:
        return {
            "provider": client.config.name,
            "username": username,
            "subject": subject,
            "refresh_token": tokens.get("refresh_token"),
            "id_token": tokens.get("id_token"),
        }

    def renew(self, session_id: str | None, username: str) -> str:
        """A new hub token while the provider's session lives (its refresh token still works); else SessionEnded."""
        session = self.sessions.get(session_id) if session_id else None
        if session is None or session["username"] != username or not session["refresh_token"]:
            raise SessionEnded("no_provider_session")
        client = self.provider(session["provider"])
        with self._oauth(client) as oauth:
            tokens = self._tokens(client, oauth, grant_type="refresh_token", refresh_token=session["refresh_token"])
        if "id_token" in tokens:
            self._id_token_claims(client, tokens, sub=session["subject"])
        try:
            usable_user(self.core, username, client.config.agencies, issuer=client.config.issuer)
        except UserRefused as refused:
            raise SessionEnded(refused.reason) from None
        renewed = session | {key: tokens[key] for key in ("refresh_token", "id_token") if tokens.get(key)}
        assert session_id is not None
        self.sessions.replace(session_id, renewed, SESSION_LIFETIME)
        return self.core.issue_token(username)

    def sign_out(self, session_id: str | None, after: str) -> str | None:
        """Forget the session; the provider's logout address to send the browser to (None: no provider session)."""
        session = self.sessions.take(session_id) if session_id else None
        if session is None:
            return None
        return self.logout_address(self.provider(session["provider"]), session["id_token"], after)

    @staticmethod
    def logout_address(client: ProviderClient, id_token: str | None, after: str) -> str | None:
        """Where to end the session at the provider (RP-initiated logout); None if it announces no such address."""
        end = client.metadata.get("end_session_endpoint")
        if not isinstance(end, str):
            return None
        query = {"post_logout_redirect_uri": after, "client_id": client.config.client_id}
        if id_token:
            query["id_token_hint"] = id_token
        return f"{end}?{urlencode(query)}"

    def verify_access_token(self, token: str) -> TokenClaims:
        """A configured provider's access token for the API (signature, issuer, audience, expiry, a usable user)."""
        client = self.by_issuer.get(token_issuer(token) or "")
        if client is None:
            raise InvalidToken("UnknownIssuer")
        if client.config.api_audience is None:
            raise InvalidToken("IssuerNotAcceptedByTheApi")
        try:
            claims = client.verify(token, client.config.api_audience)
        except TokenRejected as error:
            raise InvalidToken(str(error)) from None
        try:
            user, agency = usable_user(
                self.core, client.username_in(claims), client.config.agencies, active=False, issuer=client.config.issuer
            )
        except UserRefused as refused:
            raise InvalidToken(refused.reason) from None
        return TokenClaims(user["username"], agency["code"], datetime.fromtimestamp(claims["exp"], UTC))
