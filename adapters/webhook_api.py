"""Webhook endpoints for an agency's head of service or administrator: register the URL, read the delivery log."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from adapters.webhook_outbox import DeliveryLog, DeliveryStatus
from adapters.webhook_signature import key_id
from hub.api.auth import HubDep, PrincipalDep
from hub.kernel.errors import Forbidden
from hub.registry.service import MAX_WEBHOOK_URL_LENGTH
from hub.service import Hub
from policies.access import Principal
from policies.roles import may_manage_webhooks

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


class WebhookDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=MAX_WEBHOOK_URL_LENGTH, description="https URL the hub POSTs signed messages to")


def _require_manager(principal: Principal) -> None:
    if not may_manage_webhooks(principal.roles):
        raise Forbidden("may_not_manage_webhooks", "only the agency's head of service or administrator may")


def webhook_document(hub: Hub, principal: Principal) -> dict[str, Any]:
    """The caller's agency's webhook and the key deliveries are signed with."""
    agency = hub.app.agency(principal.agency_id)
    public_key = hub.signing_key.public_key()
    return {
        "agency": agency.code,
        "url": agency.webhook_url,
        "signing_key_id": key_id(public_key),
        "signing_public_key": base64.b64encode(public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode(),
    }


@router.get("")
def read_webhook(hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    """The agency's webhook URL (null if none) and the hub's public key (Ed25519, raw, base64) to verify with."""
    _require_manager(principal)
    return webhook_document(hub, principal)


@router.put("")
def register_webhook(draft: WebhookDraft, hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    """Point the agency's webhook at an https URL; later outbound messages go there."""
    _require_manager(principal)
    hub.admin.register_webhook(hub.app.agency(principal.agency_id).code, draft.url)
    return webhook_document(hub, principal)


@router.delete("")
def remove_webhook(hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    """Switch the agency's webhook off: no new deliveries; queued ones fail with `no_webhook` in the delivery log."""
    _require_manager(principal)
    hub.admin.remove_webhook(hub.app.agency(principal.agency_id).code)
    return webhook_document(hub, principal)


@router.get("/deliveries")
def delivery_log(
    hub: HubDep,
    principal: PrincipalDep,
    status: DeliveryStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    """The agency's deliveries, newest first: status, attempts, last HTTP status or error, next attempt."""
    _require_manager(principal)
    return DeliveryLog(hub.views_db).entries(principal.agency_id, status, limit)
