"""Staff track a person's written requests (GDPR Art. 12(3)): record, extend once with a reason, answer, list."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from hub.api.auth import HubDep, PrincipalDep
from hub.api.schemas import WrittenRequestDocument
from hub.citizens.domain import ExtensionDraft, WrittenRequestDraft

router = APIRouter(prefix="/v1/written-requests", tags=["written requests"])


@router.post("", status_code=201, response_model=WrittenRequestDocument)
def record_written_request(draft: WrittenRequestDraft, hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    """The person asked in writing: the answer is due a calendar month after the day the letter arrived."""
    return hub.written_requests.record(principal, draft)


@router.get("", response_model=list[WrittenRequestDocument])
def list_written_requests(hub: HubDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """The requests the caller's social service answers (the data protection officer: every agency's)."""
    return hub.written_requests.listing(principal)


@router.post("/{request_id}/extend", response_model=WrittenRequestDocument)
def extend_written_request(
    request_id: UUID, draft: ExtensionDraft, hub: HubDep, principal: PrincipalDep
) -> dict[str, Any]:
    """Two further months, once, with the reason the person is told."""
    return hub.written_requests.extend(principal, request_id, draft)


@router.post("/{request_id}/answer", response_model=WrittenRequestDocument)
def answer_written_request(request_id: UUID, hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    """The person has been answered; the clock stops."""
    return hub.written_requests.answer(principal, request_id)
