"""The caller's notifications: items with read/unread and counters, marking read, e-mail preferences."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from hub.api.auth import HubDep, PrincipalDep
from hub.notifications.domain import PreferenceDraft

router = APIRouter(prefix="/v1/notifications", tags=["notifications"])


class ReadMarks(BaseModel):
    item_ids: list[UUID] = Field(max_length=500)


@router.get("")
def notifications(hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    """The caller's items, newest first (kind, reference, urgent, read), with the header's counters."""
    items = hub.notifications.items(principal)  # waits for the views: the counters then see the caller's writes
    return {"counters": hub.notifications.counters(principal), "items": items}


@router.post("/read")
def mark_read(hub: HubDep, principal: PrincipalDep, body: ReadMarks) -> dict[str, int]:
    return {"marked": hub.notifications.mark_read(principal, tuple(body.item_ids))}


@router.get("/preferences")
def preferences(hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    return hub.notifications.preference(principal)


@router.put("/preferences")
def set_preferences(hub: HubDep, principal: PrincipalDep, body: PreferenceDraft) -> dict[str, Any]:
    return hub.notifications.set_preference(principal, body)
