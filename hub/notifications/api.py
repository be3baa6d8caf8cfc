"""The caller's notifications: items with read/unread and counters, marking read, e-mail preferences, and what the
caller's agency requires of them (set by its administrator)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from events.notifications import DeliveryMode, NoticeKind
from hub.api.auth import HubDep, PrincipalDep
from hub.notifications.domain import PreferenceDraft, RequirementDraft

router = APIRouter(prefix="/v1/notifications", tags=["notifications"])


class ReadMarks(BaseModel):
    item_ids: list[UUID] = Field(max_length=500)


class Counters(BaseModel):
    unread: int
    urgent: int
    new: int
    due_soon: int
    overdue: int
    to_review: int


class NotificationItem(BaseModel):
    id: UUID
    kind: NoticeKind
    urgent: bool
    reference: UUID
    raised_at: datetime
    read: bool


class Notifications(BaseModel):
    counters: Counters
    items: list[NotificationItem]


class Marked(BaseModel):
    marked: int


class Preference(BaseModel):
    address: str | None
    mode: DeliveryMode
    urgent_mode: DeliveryMode
    language: str


class Requirement(BaseModel):
    urgent_at_least: DeliveryMode
    others_at_least: DeliveryMode


@router.get("", response_model=Notifications)
def notifications(hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    """The caller's items, newest first (kind, reference, urgent, read), with the header's counters."""
    items = hub.notifications.items(principal)  # waits for the views: the counters then see the caller's writes
    return {"counters": hub.notifications.counters(principal), "items": items}


@router.post("/read", response_model=Marked)
def mark_read(hub: HubDep, principal: PrincipalDep, body: ReadMarks) -> dict[str, int]:
    return {"marked": hub.notifications.mark_read(principal, tuple(body.item_ids))}


@router.get("/preferences", response_model=Preference)
def preferences(hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    return hub.notifications.preference(principal)


@router.put("/preferences", response_model=Preference)
def set_preferences(hub: HubDep, principal: PrincipalDep, body: PreferenceDraft) -> dict[str, Any]:
    return hub.notifications.set_preference(principal, body)


@router.get("/requirement", response_model=Requirement)
def requirement(hub: HubDep, principal: PrincipalDep) -> dict[str, str]:
    """What the caller's agency requires of its users' e-mail: the least mode for urgent items and for the rest."""
    return hub.notifications.requirement(principal)


@router.put("/requirement", response_model=Requirement)
def set_requirement(hub: HubDep, principal: PrincipalDep, body: RequirementDraft) -> dict[str, str]:
    """Set what the caller's agency requires (its administrators only; recorded as an event)."""
    return hub.notifications.set_requirement(principal, body)
