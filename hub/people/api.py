"""Subject records: candidate matches to settle, and personal codes that changed."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header
from pydantic import StringConstraints

from events.subjects import ErasureReason
from hub.api.auth import HubDep, PrincipalDep
from hub.api.schemas import CandidateMatch, Erasure, SubjectChange
from hub.kernel.drafts import DraftModel

router = APIRouter(prefix="/v1/subjects", tags=["subjects"])


class NewCode(DraftModel):
    personal_code: Annotated[str, StringConstraints(strict=True, max_length=20)]


@router.get("/candidates", response_model=list[CandidateMatch])
def pending_candidates(
    hub: HubDep,
    principal: PrincipalDep,
    purpose: Annotated[str, Header(alias="X-Purpose", max_length=200)] = "record-matching",
) -> list[dict[str, str]]:
    """Possible matches (same name and birth date, no code) waiting for the caller's agency to decide."""
    return hub.subjects.pending_candidates(principal, purpose)


@router.post("/{subject_id}/candidates/{candidate_id}/confirm", response_model=SubjectChange)
def confirm(subject_id: UUID, candidate_id: UUID, hub: HubDep, principal: PrincipalDep) -> dict[str, str]:
    """The two records are the same person."""
    return hub.subjects.confirm(principal, subject_id, candidate_id)


@router.post("/{subject_id}/candidates/{candidate_id}/reject", response_model=SubjectChange)
def reject(subject_id: UUID, candidate_id: UUID, hub: HubDep, principal: PrincipalDep) -> dict[str, str]:
    """The two records are different people."""
    return hub.subjects.reject(principal, subject_id, candidate_id)


@router.post("/{subject_id}/codes", response_model=SubjectChange)
def add_code(subject_id: UUID, body: NewCode, hub: HubDep, principal: PrincipalDep) -> dict[str, str]:
    """Record a person's new personal code (after a change on request or adoption); old codes keep matching."""
    return hub.subjects.add_code(principal, subject_id, body.personal_code)


class ErasureRequest(DraftModel):
    reason: ErasureReason


@router.post("/{subject_id}/erase", response_model=Erasure)
def erase(
    subject_id: UUID,
    body: ErasureRequest,
    hub: HubDep,
    principal: PrincipalDep,
    purpose: Annotated[str, Header(alias="X-Purpose", max_length=200)] = "erasure",
) -> dict[str, object]:
    """Erase a person: their data key is destroyed, so every personal field about them becomes unreadable; the
    log itself is untouched and still verifies."""
    return hub.erasure.erase(principal, subject_id, body.reason, purpose)
