"""The identity capability: sign-in through OpenID providers, the API's check of their access tokens, and the
token endpoint for agency systems (client credentials with `private_key_jwt`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.capability import Capability
from hub.identity.client_credentials import ClientCredentials
from hub.identity.service import IdentityService

if TYPE_CHECKING:
    from hub.service import Hub


def install(hub: Hub) -> None:
    hub.identity = IdentityService(hub)
    hub.client_credentials = ClientCredentials(hub)
    hub.foreign_tokens = hub.identity.verify_access_token


IDENTITY = Capability(
    "identity", after=("registry",), install=install, api=("hub.identity.api:router",), web=("hub.identity.web:router",)
)
