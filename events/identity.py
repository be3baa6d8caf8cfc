"""Sign-in stream: every sign-in through an identity provider and every agency system's token exchange, permitted
or refused, is an event (one stream per attempt, like access events).

The actor is the hub user when the identity maps to one (`user_id` the username, `agency_id` its agency); an identity
the registry does not know is recorded with an empty `user_id` and no agency, so nothing beyond what access events
already hold is kept. No token, claim or subject identifier of the provider is stored.
"""

from __future__ import annotations

from enum import StrEnum

from events.base import DomainEvent
from events.values import Decision


class SignInMethod(StrEnum):
    OPENID_CONNECT = "openid_connect"  # a person through an OpenID provider (authorization code with PKCE)
    CLIENT_CREDENTIALS = "client_credentials"  # an agency system with a signed assertion (RFC 7523 private_key_jwt)
    CITIZEN = "citizen_openid_connect"  # a person for themselves, through a citizens' provider (never their code)


class SignInRecorded(DomainEvent):
    """One sign-in or token exchange: through which provider (its configured name, or the agency's code for an agency
    system), the outcome, and for a refusal the machine-readable reason (`unknown_user`, `user_suspended`, ...)."""

    method: SignInMethod
    provider: str
    decision: Decision
    reason: str | None = None
