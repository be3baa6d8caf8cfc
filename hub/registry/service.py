"""Registry services the rest of the hub uses: agencies by code, agency systems' keys and webhooks, integration
users (administration itself is `hub.registry.admin_service`)."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
from urllib.parse import urlsplit
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from events.registry import (
    AgencyKeyRegistered,
    WebhookRegistered,
    WebhookRemoved,
    user_id_for,
)
from events.values import Role
from hub.kernel.core import Core
from hub.kernel.errors import InvalidInput
from hub.registry.admin_service import RegistryAdminService
from hub.registry.bulk_import import RegistryImport
from hub.registry.domain import Agency, ReasonDraft
from policies import roles

ED25519_PUBLIC_KEY_BYTES = 32
MAX_WEBHOOK_URL_LENGTH = 2000


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_webhook_url(url: str) -> None:
    """An absolute https URL without credentials or fragment (plain http only to this machine, for testing)."""
    if len(url) > MAX_WEBHOOK_URL_LENGTH:
        raise InvalidInput("url_too_long", f"a webhook URL has at most {MAX_WEBHOOK_URL_LENGTH} characters", "url")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise InvalidInput("invalid_url", "the webhook URL cannot be parsed", "url") from None
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidInput("invalid_url", "a webhook URL is an absolute http(s) URL", "url")
    if parts.username is not None or parts.password is not None or parts.fragment:
        raise InvalidInput("invalid_url", "a webhook URL carries no credentials and no fragment", "url")
    if parts.scheme == "http" and not _is_loopback(host):
        raise InvalidInput("insecure_url", "a webhook URL uses https (http only to a loopback address)", "url")


def provisioning_username(agency_code: str) -> str:
    """The user an agency's identity provider provisions its staff as (SCIM)."""
    return f"scim.{agency_code.lower()}"


def integration_username(agency_code: str) -> str:
    """The user an agency's systems (Kafka, CSV, FHIR) act as."""
    return f"integration.{agency_code.lower()}"


def key_id_of(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()[:16]


class RegistryService:
    def __init__(self, core: Core, admin: RegistryAdminService) -> None:
        self.core = core
        self.admin = admin

    def register_user(self, username: str, display_name: str, agency_code: str, user_roles: list[Role]) -> UUID:
        """Register a user once inside an agency (as the console); registering the same user again changes nothing."""
        row = {"record": "user", "username": username, "display_name": display_name, "agency": agency_code}
        result = RegistryImport(self.admin).run(None, [{**row, "roles": " ".join(user_roles)}])
        if result.problems:
            problem = result.problems[0]
            raise InvalidInput(problem.reason, problem.message, problem.field)
        return user_id_for(username)

    def set_user_suspended(self, username: str, suspended: bool, reason: str = "") -> None:
        """Suspend or reinstate a user as the console operator (`hub users suspend|reinstate`)."""
        if suspended:
            self.admin.suspend(None, username, ReasonDraft(reason=reason or "suspended at the console"))
        else:
            self.admin.reinstate(None, username)

    def agency(self, code: str) -> Agency:
        return self.admin.agency(code)

    def register_key(self, code: str, public_key: bytes) -> str:
        """Register an agency system's raw Ed25519 public key; returns its key id (registering it again is a no-op)."""
        if len(public_key) != ED25519_PUBLIC_KEY_BYTES:
            raise InvalidInput("invalid_public_key", "an Ed25519 public key is 32 bytes", "public_key")
        Ed25519PublicKey.from_public_bytes(public_key)
        agency = self.agency(code)
        key_id = key_id_of(public_key)
        if key_id not in dict(agency.public_keys):
            self.core.app.append(
                AgencyKeyRegistered(
                    originator_id=agency.id,
                    originator_version=agency.version + 1,
                    key_id=key_id,
                    public_key=base64.b64encode(public_key).decode(),
                )
            )
        self.integration_user(code)
        return key_id

    def register_webhook(self, code: str, url: str) -> bool:
        """Point an agency's webhook at `url`; returns whether anything changed (the same URL again is a no-op)."""
        check_webhook_url(url)
        agency = self.agency(code)
        if agency.webhook_url == url:
            return False
        self.core.app.append(WebhookRegistered(originator_id=agency.id, originator_version=agency.version + 1, url=url))
        return True

    def remove_webhook(self, code: str) -> bool:
        """Switch off an agency's webhook; returns whether anything changed (none registered: a no-op)."""
        agency = self.agency(code)
        if agency.webhook_url is None:
            return False
        self.core.app.append(WebhookRemoved(originator_id=agency.id, originator_version=agency.version + 1))
        return True

    def integration_user(self, code: str) -> str:
        """The agency's integration user (registered on first use) under the submitting role of its kind."""
        agency = self.agency(code)
        role = roles.INTEGRATION_ROLE_OF_KIND.get(agency.kind)
        if role is None:
            raise InvalidInput("agency_may_not_submit", f"a {agency.kind.value} does not submit referrals", "agency")
        username = integration_username(code)
        self.register_user(username, f"System integration ({code})", code, [role])
        self.core.wait_for_views()
        return username

    def provisioning_client(self, code: str) -> str:
        """The agency's SCIM provisioning client: a user administering the agency's users (registered on first use)."""
        self.agency(code)
        username = provisioning_username(code)
        self.register_user(username, f"Provisioning client ({code})", code, [Role.AGENCY_ADMIN])
        self.core.wait_for_views()
        return username
