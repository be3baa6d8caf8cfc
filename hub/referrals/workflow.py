"""Moving referrals along: every transition checked by policy and the aggregate, and the clock tick."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.persistence import IntegrityError

from events.base import Actor, DomainEvent
from events.referrals import ReferralOverdue
from events.values import Role
from hub.kernel.core import Core, actor_for, agency_summary
from hub.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from hub.referrals import domain as domain
from hub.referrals.domain import Referral
from hub.referrals.drafts import (
    AnswerDraft,
    AssignDraft,
    CloseDraft,
    QuestionDraft,
    ReasonDraft,
    RedirectDraft,
)
from hub.referrals.service import ReferralService
from policies.decision import Principal
from policies.referral_actions import ASSIGNABLE_ROLES, ReferralAction, decide_action

log = logging.getLogger(__name__)

Command = Callable[[Referral, Actor, datetime], DomainEvent]


class ReferralWorkflow:
    def __init__(self, core: Core, referrals: ReferralService) -> None:
        self.core = core
        self.referrals = referrals

    def acknowledge(self, principal: Principal, referral_id: UUID) -> dict[str, Any]:
        return self._act(principal, referral_id, ReferralAction.ACKNOWLEDGE, domain.acknowledge)

    def assign(self, principal: Principal, referral_id: UUID, draft: AssignDraft) -> dict[str, Any]:
        def command(referral: Referral, actor: Actor, at: datetime) -> DomainEvent:
            self._check_assignable(draft.worker, referral.lead_agency_id)
            return domain.assign(referral, actor, at, draft.worker)

        return self._act(principal, referral_id, ReferralAction.ASSIGN, command)

    def request_information(self, principal: Principal, referral_id: UUID, draft: QuestionDraft) -> dict[str, Any]:
        return self._act(
            principal,
            referral_id,
            ReferralAction.REQUEST_INFORMATION,
            lambda referral, actor, at: domain.request_information(referral, actor, at, draft.question),
        )

    def provide_information(self, principal: Principal, referral_id: UUID, draft: AnswerDraft) -> dict[str, Any]:
        return self._act(
            principal,
            referral_id,
            ReferralAction.PROVIDE_INFORMATION,
            lambda referral, actor, at: domain.provide_information(referral, actor, at, draft.answer),
        )

    def accept(self, principal: Principal, referral_id: UUID) -> dict[str, Any]:
        def command(referral: Referral, actor: Actor, at: datetime) -> DomainEvent:
            existing = self._open_case_of(referral)
            return domain.accept(referral, actor, at, existing or uuid4(), existing is not None)

        return self._act(principal, referral_id, ReferralAction.ACCEPT, command)

    def redirect(self, principal: Principal, referral_id: UUID, draft: RedirectDraft) -> dict[str, Any]:
        routed: list[dict[str, Any]] = []

        def command(referral: Referral, actor: Actor, at: datetime) -> DomainEvent:
            recipients = self.referrals.route(draft.municipality, referral.concerns, referral.urgency, "municipality")
            routed.extend(agency_summary(row) for row in recipients)
            return domain.redirect(
                referral,
                actor,
                at,
                UUID(recipients[0]["id"]),
                draft.municipality,
                tuple(UUID(row["id"]) for row in recipients),
                draft.reason,
            )

        return self._act(principal, referral_id, ReferralAction.REDIRECT, command) | {"routed_to": routed}

    def decline(self, principal: Principal, referral_id: UUID, draft: ReasonDraft) -> dict[str, Any]:
        return self._act(
            principal,
            referral_id,
            ReferralAction.DECLINE,
            lambda referral, actor, at: domain.decline(referral, actor, at, draft.reason),
        )

    def close(self, principal: Principal, referral_id: UUID, draft: CloseDraft) -> dict[str, Any]:
        """Close with an outcome and a monitoring period: the draft's, or the configured default."""
        days = self.core.settings.monitoring_days if draft.monitoring_days is None else draft.monitoring_days
        return self._act(
            principal,
            referral_id,
            ReferralAction.CLOSE,
            lambda referral, actor, at: domain.close(referral, actor, at, draft.outcome, days),
        )

    def withdraw(self, principal: Principal, referral_id: UUID, draft: ReasonDraft) -> dict[str, Any]:
        return self._act(
            principal,
            referral_id,
            ReferralAction.WITHDRAW,
            lambda referral, actor, at: domain.withdraw(referral, actor, at, draft.reason),
        )

    def _act(self, principal: Principal, referral_id: UUID, action: ReferralAction, command: Command) -> dict[str, Any]:
        """Load, authorize, decide, append; a referral the caller's agency has no part in does not exist for it."""
        if not self.core.app.exists(referral_id):
            raise NotFound("referral_not_found", "no referral with this id is visible to the caller")
        referral = self.core.app.referral(referral_id)
        if principal.agency_id not in (*referral.recipients, referral.referrer_agency_id):
            raise NotFound("referral_not_found", "no referral with this id is visible to the caller")
        decision = decide_action(principal, action, referral.lead_agency_id, referral.referrer_agency_id)
        if not decision.permitted or decision.role is None:
            raise Forbidden("action_not_permitted", decision.reason)
        event = command(referral, actor_for(principal, decision.role), self.core.now())
        try:
            self.core.app.append(event)
        except IntegrityError:
            raise Conflict("concurrent_change", "the referral changed meanwhile; reload and retry") from None
        after = domain.mutate_referral(event, referral)
        assert after is not None
        return {"id": str(referral_id), "status": after.status.value, "version": after.version}

    def _check_assignable(self, username: str, agency_id: UUID) -> None:
        user = self.core.registry.user_by_username(username)
        assignable = (
            user is not None
            and user["agency_id"] == str(agency_id)
            and not user["suspended"]
            and bool(set(user["roles"]) & {role.value for role in ASSIGNABLE_ROLES})
        )
        if not assignable:
            raise InvalidInput(
                "worker_not_assignable", "the worker must be an active case manager of the lead agency", "worker"
            )

    def _open_case_of(self, referral: Referral) -> UUID | None:
        """The family's open case at this social service, if another accepted referral about the child has one."""
        self.core.wait_for_views()
        same_child = self.referrals.subjects.same_person([referral.child.subject_id])
        for row in self.referrals.queries.open_referrals_about(same_child):
            if (
                row["case_id"]
                and row["lead_agency_id"] == str(referral.lead_agency_id)
                and row["id"] != str(referral.id)
            ):
                return UUID(row["case_id"])
        return None

    def tick(self, now: datetime | None = None) -> list[ReferralOverdue]:
        """Raise one overdue event per breached clock and escalate it to the agency's heads of service."""
        at = now or self.core.now()
        self.core.wait_for_views()
        raised: list[ReferralOverdue] = []
        for row in self.referrals.queries.breached_clocks(at):
            referral = self.core.app.referral(UUID(row["referral_id"]))
            agency_id = UUID(row["agency_id"])
            event = domain.mark_overdue(referral, row["clock"], agency_id, self._heads_of(agency_id), at)
            if event is None:
                continue
            try:
                self.core.app.append(event)
            except IntegrityError:
                log.info("a referral changed while its clock was checked; the next tick looks again")
                continue
            raised.append(event)
        if raised:
            self.core.wait_for_views()
        return raised

    def _heads_of(self, agency_id: UUID) -> tuple[str, ...]:
        return tuple(
            user["username"]
            for user in self.core.registry.users()
            if user["agency_id"] == str(agency_id)
            and Role.HEAD_OF_SERVICE.value in user["roles"]
            and not user["suspended"]
        )
