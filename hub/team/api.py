"""The family's inter-agency team at the API: team and responsible worker, agreed tasks, home visits, case-file
review (every read recorded; every change decided by `policies/team.cedar`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query

from hub.api.auth import HubDep, PrincipalDep
from hub.team.domain import ReviewDraft, TaskDraft, TaskFinish, TaskReport, VisitDraft, VisitOutcome, WorkerDraft
from hub.team.schemas import (
    PlannedVisit,
    ReviewDocument,
    ReviewPrefill,
    ReviewSample,
    TaskDocument,
    TaskEnvelope,
    TeamDocument,
    VisitDocument,
)

router = APIRouter(prefix="/v1/people/{subject_id}", tags=["team"])
tasks_router = APIRouter(prefix="/v1/team", tags=["team"])
reviews_router = APIRouter(prefix="/v1/case-reviews", tags=["team"])
Purpose = Annotated[str, Header(alias="X-Purpose", max_length=200)]


@router.get("/team", response_model=TeamDocument, response_model_exclude_unset=True)
def read_team(subject_id: UUID, hub: HubDep, principal: PrincipalDep, purpose: Purpose = "coordination") -> Any:
    """Which agencies are involved now, since when and how, and the named responsible worker (no content)."""
    return hub.team.team(principal, subject_id, purpose)


@router.put("/team/worker", response_model=TeamDocument, response_model_exclude_unset=True)
def name_worker(subject_id: UUID, draft: WorkerDraft, hub: HubDep, principal: PrincipalDep) -> Any:
    """The lead social service names the family's responsible worker (one of its own users)."""
    return hub.team.name_worker(principal, subject_id, draft.username)


@router.get("/team/tasks", response_model=list[TaskDocument])
def read_tasks(subject_id: UUID, hub: HubDep, principal: PrincipalDep, purpose: Purpose = "coordination") -> Any:
    """The tasks the caller's agency leads or is assigned, with their notes."""
    return hub.team.tasks(principal, subject_id, purpose)


@router.post("/team/tasks", status_code=201, response_model=TaskDocument)
def agree_task(subject_id: UUID, draft: TaskDraft, hub: HubDep, principal: PrincipalDep) -> Any:
    """Who does what by when (working days): recorded by the lead social service."""
    return hub.team.agree_task(principal, subject_id, draft)


@router.post("/team/tasks/{task_id}/accept", response_model=TaskDocument)
def accept_task(subject_id: UUID, task_id: UUID, hub: HubDep, principal: PrincipalDep) -> Any:
    return hub.team.act_on_task(principal, subject_id, task_id, "accept")


@router.post("/team/tasks/{task_id}/report", response_model=TaskDocument)
def report_task(subject_id: UUID, task_id: UUID, draft: TaskReport, hub: HubDep, principal: PrincipalDep) -> Any:
    return hub.team.act_on_task(principal, subject_id, task_id, "report", draft)


@router.post("/team/tasks/{task_id}/finish", response_model=TaskDocument)
def finish_task(subject_id: UUID, task_id: UUID, draft: TaskFinish, hub: HubDep, principal: PrincipalDep) -> Any:
    return hub.team.act_on_task(principal, subject_id, task_id, "finish", draft)


@router.get("/team/visits", response_model=list[VisitDocument], response_model_exclude_unset=True)
def read_visits(subject_id: UUID, hub: HubDep, principal: PrincipalDep, purpose: Purpose = "coordination") -> Any:
    """Planned and past home visits: when and which agency (purpose and findings to the visiting agencies)."""
    return hub.team.visits(principal, subject_id, purpose)


@router.post("/team/visits", status_code=201, response_model=PlannedVisit, response_model_exclude_unset=True)
def plan_visit(subject_id: UUID, draft: VisitDraft, hub: HubDep, principal: PrincipalDep) -> Any:
    """Plan a home visit; `warnings` lists other agencies' visits planned close to it."""
    return hub.team.plan_visit(principal, subject_id, draft)


@router.post("/team/visits/{visit_id}/join", response_model=VisitDocument, response_model_exclude_unset=True)
def join_visit(subject_id: UUID, visit_id: UUID, hub: HubDep, principal: PrincipalDep) -> Any:
    return hub.team.act_on_visit(principal, subject_id, visit_id, "join")


@router.post("/team/visits/{visit_id}/done", response_model=VisitDocument, response_model_exclude_unset=True)
def visit_done(subject_id: UUID, visit_id: UUID, draft: VisitOutcome, hub: HubDep, principal: PrincipalDep) -> Any:
    return hub.team.act_on_visit(principal, subject_id, visit_id, "done", draft)


@router.post("/team/visits/{visit_id}/cancel", response_model=VisitDocument, response_model_exclude_unset=True)
def cancel_visit(subject_id: UUID, visit_id: UUID, hub: HubDep, principal: PrincipalDep) -> Any:
    return hub.team.act_on_visit(principal, subject_id, visit_id, "cancel")


@router.get("/case-review", response_model=ReviewPrefill)
def review_prefill(subject_id: UUID, hub: HubDep, principal: PrincipalDep, purpose: Purpose = "case review") -> Any:
    """The criteria catalogue with the answers the hub pre-fills from the log."""
    return hub.team.prefill(principal, subject_id, purpose)


@router.get("/case-reviews", response_model=list[ReviewDocument])
def read_reviews(subject_id: UUID, hub: HubDep, principal: PrincipalDep, purpose: Purpose = "case review") -> Any:
    """The reviewer's service's reviews of this case file, with the remarks on each answer."""
    return hub.team.reviews(principal, subject_id, purpose)


@router.post("/case-review", status_code=201, response_model=ReviewDocument)
def record_review(subject_id: UUID, draft: ReviewDraft, hub: HubDep, principal: PrincipalDep) -> Any:
    """One case-file review, criterion by criterion; left-out criteria take the pre-filled answer."""
    return hub.team.review(principal, subject_id, draft)


@reviews_router.get("/sample", response_model=ReviewSample)
def review_sample(
    hub: HubDep,
    principal: PrincipalDep,
    size: Annotated[int, Query(ge=1, le=50)] = 5,
    since: Annotated[date | None, Query()] = None,
    until: Annotated[date | None, Query()] = None,
    purpose: Purpose = "case review",
) -> Any:
    """A repeatable random sample of the cases the service led in the period (Riga days), not yet reviewed
    under the current catalogue."""
    return hub.team.sample(principal, size, since, until, purpose)


@tasks_router.get("/tasks", response_model=list[TaskEnvelope])
def agency_tasks(hub: HubDep, principal: PrincipalDep, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> Any:
    """The tasks the caller's agency leads or is assigned: envelopes only."""
    return hub.team.tasks_of_agency(principal, limit)
