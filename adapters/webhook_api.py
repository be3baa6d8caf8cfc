"""Webhook endpoints for an agency's head of service or administrator: register the URL, read the delivery log."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

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


class WebhookDocument(BaseModel):
    agency: str = Field(description="the agency's code")
    url: str | None = Field(description="where deliveries go; null when the webhook is off")
    signing_key_id: str
    signing_public_key: str = Field(description="the hub's Ed25519 public key deliveries are signed with, raw, base64")


class DeliveryEntry(BaseModel):
    """One envelope's delivery to the agency's webhook (the envelope itself is not shown)."""

    event_id: str
    event_type: str
    referral_id: UUID
    status: DeliveryStatus
    attempts: int
    queued_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None = Field(description="while the delivery is pending")
    delivered_at: datetime | None
    last_status: int | None = Field(description="the webhook's last HTTP status")
    last_error: str | None


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


@router.get("", response_model=WebhookDocument)
def read_webhook(hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    """The agency's webhook URL (null if none) and the hub's public key (Ed25519, raw, base64) to verify with."""
    _require_manager(principal)
    return webhook_document(hub, principal)


@router.put("", response_model=WebhookDocument)
def register_webhook(draft: WebhookDraft, hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    """Point the agency's webhook at an https URL; later outbound messages go there."""
    _require_manager(principal)
    hub.registry.register_webhook(hub.app.agency(principal.agency_id).code, draft.url)
    return webhook_document(hub, principal)


@router.delete("", response_model=WebhookDocument)
def remove_webhook(hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    """Switch the agency's webhook off: no new deliveries; queued ones fail with `no_webhook` in the delivery log."""
    _require_manager(principal)
    hub.registry.remove_webhook(hub.app.agency(principal.agency_id).code)
    return webhook_document(hub, principal)


@router.get("/deliveries", response_model=list[DeliveryEntry])
def delivery_log(
    hub: HubDep,
    principal: PrincipalDep,
    status: DeliveryStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    """The agency's deliveries, newest first: status, attempts, last HTTP status or error, next attempt."""
    _require_manager(principal)
    return DeliveryLog(hub.views_db).entries(principal.agency_id, status, limit)
