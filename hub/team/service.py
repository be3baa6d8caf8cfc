"""The family's inter-agency team: who is involved now (from the relationship view) with the named responsible
worker, agreed tasks, coordinated home visits and case-file reviews. Every change is decided by
`policies/team.cedar` with the caller's relationships to the person; every read is recorded, permitted or not."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from events.base import DomainEvent
from events.ids import new_stream_id
from events.team import TEAM_EVENTS, CaseReviewed, TaskStatus
from events.values import Role
from hub.kernel.core import Core, actor_for, agency_summary
from hub.kernel.errors import Forbidden, InvalidInput
from hub.people.relationship_service import RelationshipService
from hub.team import domain
from hub.team.domain import Task, Team, Visit
from policies import roles
from policies.case_review import catalogue
from policies.decision import AccessDecision, Principal
from policies.engine import PersonAction
from projections.record_requests import RecordRequestQueries, utc_text
from projections.referrals import ReferralQueries, instant
from projections.team import TeamQueries

TASK_ACTIONS: dict[str, Callable[..., DomainEvent]] = {
    "accept": lambda team, task, actor, draft, now: domain.accept_task(team, task, actor, now),
    "report": domain.report_task,
    "finish": domain.finish_task,
}

TEAM_ROLES = frozenset({Role.SOCIAL_PEDAGOGUE, Role.HEALTH_PROFESSIONAL})  # besides casework (policies/team.cedar)


class TeamService:
    def __init__(self, core: Core, relationships: RelationshipService) -> None:
        self.core = core
        self.relationships = relationships
        self.queries = TeamQueries(core.views_db)
        self.requests = RecordRequestQueries(core.views_db)
        self.referrals = ReferralQueries(core.views_db)

    # --- the team ---------------------------------------------------------------------------------------------

    def team(self, principal: Principal, subject_id: UUID, purpose: str) -> dict[str, Any]:
        """Which agencies are involved now, since when and how, and the responsible worker; no content."""
        decision = self._authorize(principal, PersonAction.VIEW_TEAM, subject_id, "team.read")
        self.core.record_access(principal, decision, "team.read", f"team:{subject_id}", purpose, (subject_id,))
        records = self.relationships.records_of(subject_id)
        members: dict[str, dict[str, Any]] = {}
        for row in self.relationships.queries.involved(records, self.core.now()):
            member = members.setdefault(row["agency_id"], {"agency": self._agency(UUID(row["agency_id"])), "ties": []})
            member["ties"].append({"tie": row["tie"], "since": row["since"]})
        return {
            "subject_id": str(subject_id),
            "responsible_worker": self.responsible_worker(subject_id),
            "agencies": list(members.values()),
        }

    def responsible_worker(self, subject_id: UUID) -> dict[str, Any] | None:
        """The current worker's display name and agency (for the team and the family's access report)."""
        row = self.queries.worker(self.relationships.records_of(subject_id))
        if row is None:
            return None
        users = self.core.registry_queries.users(UUID(row["agency_id"]))
        name = next((user["display_name"] for user in users if user["id"] == row["user_id"]), None)
        return {"display_name": name, "agency": self._agency(UUID(row["agency_id"])), "since": row["since"]}

    def name_worker(self, principal: Principal, subject_id: UUID, username: str) -> dict[str, Any]:
        decision = self._authorize(principal, PersonAction.NAME_WORKER, subject_id, "team.name-worker")
        user = self.core.registry_queries.user_by_username(username)
        if user is None or user["agency_id"] != str(principal.agency_id):
            raise InvalidInput("unknown_worker", "name a worker of your own agency", "username")
        team = self._team(subject_id)
        event = domain.name_worker(
            team, actor_for(principal, decision.role), principal.agency_id, UUID(user["id"]), self.core.now()
        )
        self.core.app.append(event)
        self.core.wait_for_views()
        return {"subject_id": str(subject_id), "responsible_worker": self.responsible_worker(subject_id)}

    # --- tasks ------------------------------------------------------------------------------------------------

    def agree_task(self, principal: Principal, subject_id: UUID, draft: domain.TaskDraft) -> dict[str, Any]:
        decision = self._authorize(principal, PersonAction.AGREE_TASK, subject_id, "team.agree-task")
        agency = self.core.recipient_agency(draft.agency_code, "agency_code")
        team = self._team(subject_id)
        event = domain.agree_task(
            team, actor_for(principal, decision.role), principal.agency_id, UUID(agency["id"]), draft, self.core.now()
        )
        self.core.app.append(event)
        return self._task_document(self._team(subject_id).tasks[event.task_id], principal)

    def act_on_task(
        self, principal: Principal, subject_id: UUID, task_id: UUID, action: str, draft: Any = None
    ) -> dict[str, Any]:
        """Accept, report progress, finish: only the assigned agency, while it is involved with the person."""
        decision = self._authorize(principal, PersonAction.WORK_TASK, subject_id, f"team.task.{action}")
        team = self._team(subject_id)
        task = domain.task_of(team, task_id)
        if task.agency_id != principal.agency_id:
            raise Forbidden("not_assigned_agency", "only the agency the task is assigned to works it")
        event = TASK_ACTIONS[action](team, task, actor_for(principal, decision.role), draft, self.core.now())
        self.core.app.append(event)
        return self._task_document(self._team(subject_id).tasks[task_id], principal)

    def tasks(self, principal: Principal, subject_id: UUID, purpose: str) -> list[dict[str, Any]]:
        """The tasks the caller's agency leads or is assigned (with their notes); recorded."""
        decision = self._authorize(principal, PersonAction.VIEW_TEAM, subject_id, "team.tasks.read")
        self.core.record_access(
            principal, decision, "team.tasks.read", f"team:{subject_id}/tasks", purpose, (subject_id,)
        )
        team = self._team(subject_id)
        return [
            self._task_document(task, principal)
            for task in team.tasks.values()
            if principal.agency_id in (task.agency_id, task.lead_agency_id)
        ]

    def tasks_of_agency(self, principal: Principal, limit: int) -> list[dict[str, Any]]:
        """Envelopes of the tasks the agency leads or is assigned (no text, no name): for its staff only."""
        if roles.casework_role(principal.roles) is None and not principal.roles & TEAM_ROLES:
            raise Forbidden("access_denied", "none of the caller's roles works with families")
        self.core.wait_for_views()
        return [
            {
                "task_id": row["task_id"],
                "subject_id": row["subject_id"],
                "agency": self._agency(UUID(row["agency_id"])),
                "lead": self._agency(UUID(row["lead_agency_id"])),
                "due_at": row["due_at"],
                "status": row["status"],
                "overdue": bool(row["overdue"]),
            }
            for row in self.queries.tasks_of_agency(principal.agency_id, limit)
        ]

    def tick(self, now: datetime | None = None) -> int:
        """Overdue and escalation events for every open task past its due time; returns how many were appended."""
        moment = now or self.core.now()
        self.core.wait_for_views()
        appended = 0
        for subject in self.queries.subjects_with_open_tasks_due(utc_text(moment)):
            events = domain.clock_events(self._team(UUID(subject)), moment)
            if events:
                self.core.app.append(*events)
                appended += len(events)
        return appended

    # --- visits -----------------------------------------------------------------------------------------------

    def plan_visit(self, principal: Principal, subject_id: UUID, draft: domain.VisitDraft) -> dict[str, Any]:
        """Plan a home visit; the answer warns of other agencies' visits planned within the configured days."""
        decision = self._authorize(principal, PersonAction.PLAN_VISIT, subject_id, "team.visit.plan")
        team = self._team(subject_id)
        nearby = domain.nearby_visits(team, draft, self.core.settings.visit_warning_days, principal.agency_id)
        event = domain.plan_visit(
            team, actor_for(principal, decision.role), principal.agency_id, draft, self.core.now()
        )
        self.core.app.append(event)
        document = self._visit_document(self._team(subject_id).visits[event.visit_id], principal)
        document["warnings"] = [self._visit_document(visit, principal) for visit in nearby]
        return document

    def visits(self, principal: Principal, subject_id: UUID, purpose: str) -> list[dict[str, Any]]:
        """Planned and past visits: when and which agency; the purpose and findings to the visiting agencies only."""
        decision = self._authorize(principal, PersonAction.PLAN_VISIT, subject_id, "team.visits.read")
        self.core.record_access(
            principal, decision, "team.visits.read", f"team:{subject_id}/visits", purpose, (subject_id,)
        )
        return [self._visit_document(visit, principal) for visit in self._team(subject_id).visits.values()]

    def act_on_visit(
        self, principal: Principal, subject_id: UUID, visit_id: UUID, action: str, draft: Any = None
    ) -> dict[str, Any]:
        """Join (any involved agency), mark done or cancel (the planning agency)."""
        decision = self._authorize(principal, PersonAction.PLAN_VISIT, subject_id, f"team.visit.{action}")
        team = self._team(subject_id)
        visit = domain.visit_of(team, visit_id)
        actor, now = actor_for(principal, decision.role), self.core.now()
        if action == "join":
            event: DomainEvent = domain.join_visit(team, visit, actor, principal.agency_id, now)
        elif visit.agency_id != principal.agency_id:
            raise Forbidden("not_visiting_agency", "only the agency that planned the visit closes it")
        elif action == "done":
            event = domain.complete_visit(team, visit, actor, draft or domain.VisitOutcome(), now)
        else:
            event = domain.cancel_visit(team, visit, actor, now)
        self.core.app.append(event)
        return self._visit_document(self._team(subject_id).visits[visit_id], principal)

    # --- case-file review -------------------------------------------------------------------------------------

    def prefill(self, principal: Principal, subject_id: UUID, purpose: str) -> dict[str, Any]:
        """The catalogue with what the hub can answer from the log, marked as pre-filled; recorded."""
        decision = self._authorize(principal, PersonAction.REVIEW_CASE, subject_id, "case_review.prefill")
        self.core.record_access(
            principal, decision, "case_review.prefill", f"case_review:{subject_id}", purpose, (subject_id,)
        )
        answers = self._prefilled(principal, subject_id)
        return {
            "catalogue": catalogue().version,
            "criteria": [
                {
                    "criterion": criterion.id,
                    "group": criterion.group,
                    "lv": criterion.lv,
                    "en": criterion.en,
                    "prefilled": known.verdict if (known := answers.get(criterion.id)) else None,
                    "reason": reason_document(known.reason) if known else None,
                }
                for criterion in catalogue().criteria
            ],
        }

    def review(
        self, principal: Principal, subject_id: UUID, draft: domain.ReviewDraft, reviewed_on: date | None = None
    ) -> dict[str, Any]:
        """Record one case-file review; criteria the reviewer left out take the hub's pre-filled answer."""
        decision = self._authorize(principal, PersonAction.REVIEW_CASE, subject_id, "case_review.record")
        answers = domain.review_answers(draft, self._prefilled(principal, subject_id))
        own = self.core.registry_queries.agency(principal.agency_id)
        assert own is not None
        now = self.core.now()
        event = CaseReviewed(
            originator_id=new_stream_id(),
            originator_version=1,
            timestamp=now,
            actor=actor_for(principal, decision.role),
            subject_id=subject_id,
            reviewer_agency_id=principal.agency_id,
            municipality=own["municipality"],
            reviewed_on=reviewed_on or domain.riga_day(now),
            catalogue=catalogue().version,
            answers=answers,
            remarks=draft.remarks,
        )
        self.core.app.append(event)
        return review_document(event)

    def reviews(self, principal: Principal, subject_id: UUID, purpose: str) -> list[dict[str, Any]]:
        """The agency's own reviews of this case file, newest first, with each answer's remark; recorded."""
        decision = self._authorize(principal, PersonAction.REVIEW_CASE, subject_id, "case_review.read")
        self.core.record_access(
            principal, decision, "case_review.read", f"case_review:{subject_id}/reviews", purpose, (subject_id,)
        )
        return [
            review_document(event)
            for review_id in self.queries.reviews_of(principal.agency_id, subject_id)
            for event in self.core.app.stream(UUID(review_id))
            if isinstance(event, CaseReviewed)
        ]

    def sample(
        self, principal: Principal, size: int, since: date | None, until: date | None, purpose: str
    ) -> dict[str, Any]:
        """A deterministic random sample of the cases the reviewer's service led in the period (Riga days,
        inclusive), leaving out those it already reviewed under the current catalogue. Each sampled case is
        decided by the policy (`review-case`, with the service's ties to the child); the listing is recorded."""
        if Role.CASE_REVIEWER not in principal.roles:
            raise Forbidden("access_denied", "only the service's case-file reviewer draws a sample")
        self.core.wait_for_views()
        start, end = domain.riga_period(since, until)
        version = catalogue().version
        done = self.queries.reviewed_subjects(principal.agency_id, version)
        candidates = [child for child in self.referrals.cases_led(principal.agency_id, start, end) if child not in done]
        seed = f"{principal.agency_id}/{version}/{since}/{until}"
        chosen = [UUID(child) for child in domain.sample_cases(candidates, size, seed)]
        if chosen:
            decision = self.relationships.authorize(
                principal, PersonAction.REVIEW_CASE, chosen, "case_review:sample", "case_review.sample"
            )
            self.core.record_access(
                principal, decision, "case_review.sample", "case_review:sample", purpose, tuple(chosen)
            )
        return {
            "catalogue": version,
            "since": since,
            "until": until,
            "candidates": len(candidates),
            "cases": [{"subject_id": str(child)} for child in chosen],
        }

    # --- helpers ----------------------------------------------------------------------------------------------

    def _prefilled(self, principal: Principal, subject_id: UUID) -> dict[str, domain.Prefilled]:
        return domain.prefill(self._team(subject_id), self._facts(principal.agency_id, subject_id))

    def _facts(self, agency_id: UUID, subject_id: UUID) -> domain.CaseFacts:
        """Prior-residence requests the agency sent about the person, and whether the answers it owed about her
        (its referral clocks, record requests asked of it) came within their clocks (`policies/clocks.py`)."""
        records, now = self.relationships.records_of(subject_id), self.core.now()
        asked = self.requests.about(agency_id, records)
        owed = [
            domain.timely(row["due_at"], row["stopped_at"], row["overdue_at"] is not None, instant(now))
            for row in self.referrals.clocks_about(agency_id, records)
        ] + [
            domain.timely(row["due_at"], row["answered_at"], bool(row["overdue"]), utc_text(now))
            for row in self.requests.about(agency_id, records, "responder")
        ]
        return domain.CaseFacts(
            prior_residence_asked=bool(asked),
            prior_residence_received=any(row["released_categories"] or row["status"] == "answered" for row in asked),
            answers_on_time=owed.count(True),
            answers_late=owed.count(False),
            answers_running=owed.count(None),
        )

    def _authorize(self, principal: Principal, action: PersonAction, subject_id: UUID, what: str) -> AccessDecision:
        self.core.wait_for_views()
        return self.relationships.authorize(principal, action, [subject_id], f"team:{subject_id}", what)

    def _team(self, subject_id: UUID) -> Team:
        events = [event for event in self.core.app.stream(domain.team_id(subject_id)) if isinstance(event, TEAM_EVENTS)]
        return domain.fold_team(subject_id, events)

    def _agency(self, agency_id: UUID) -> dict[str, Any] | None:
        row = self.core.registry_queries.agency(agency_id)
        return agency_summary(row) if row is not None else None

    def _task_document(self, task: Task, principal: Principal) -> dict[str, Any]:
        return {
            "task_id": str(task.id),
            "lead": self._agency(task.lead_agency_id),
            "agency": self._agency(task.agency_id),
            "title": task.title,
            "working_days": task.working_days,
            "agreed_at": task.agreed_at,
            "due_at": task.due_at,
            "status": task.status,
            "done": task.status is TaskStatus.DONE if not task.open else None,
            "notes": list(task.notes),
            "overdue": task.overdue,
            "escalated_to": self._agency(task.escalated_to) if task.escalated_to else None,
        }

    def _visit_document(self, visit: Visit, principal: Principal) -> dict[str, Any]:
        document: dict[str, Any] = {
            "visit_id": str(visit.id),
            "agency": self._agency(visit.agency_id),
            "window_from": visit.window_from,
            "window_to": visit.window_to,
            "visiting_roles": list(visit.visiting_roles),
            "joined": [self._agency(agency) for agency in visit.joined],
            "status": visit.status,
        }
        if principal.agency_id in visit.agencies:
            document["purpose"] = visit.purpose
        if principal.agency_id == visit.agency_id:
            document["findings"] = visit.findings
        return document


def reason_document(code: str) -> dict[str, str]:
    """Why the hub pre-filled an answer, in the catalogue's words."""
    lv, en = catalogue().reasons[code]
    return {"code": code, "lv": lv, "en": en}


def review_document(event: CaseReviewed) -> dict[str, Any]:
    return {
        "id": str(event.originator_id),
        "catalogue": event.catalogue,
        "reviewed_on": event.reviewed_on,
        "answers": [
            {**answer.model_dump(mode="json"), "reason": reason_document(answer.reason) if answer.reason else None}
            for answer in event.answers
        ],
        "prefilled": [answer.criterion for answer in event.answers if answer.prefilled],
        "remarks": event.remarks,
    }
