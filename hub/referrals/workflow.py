"""Moving referrals along: every transition checked by policy and the aggregate, and the clock tick."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from events.referrals import ReferralOverdue
from events.values import Role
from hub.kernel.core import Core, actor_for, agency_summary
from hub.kernel.drafts import DraftModel
from hub.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from hub.referrals import domain as domain
from hub.referrals.domain import Referral
from hub.referrals.service import ReferralService
from hub.referrals.transitions import TRANSITIONS
from policies.decision import Principal
from policies.referral_actions import ASSIGNABLE_ROLES, ReferralAction, decide_action

log = logging.getLogger(__name__)


class ReferralWorkflow:
    def __init__(self, core: Core, referrals: ReferralService) -> None:
        self.core = core
        self.referrals = referrals

    def act(
        self, principal: Principal, referral_id: UUID, action: ReferralAction, draft: DraftModel | None = None
    ) -> dict[str, Any]:
        """Load, hide, authorize, decide, append; a referral the caller's agency has no part in does not exist for
        it. `draft` is the body the action's row of the transition table takes (None when it takes none)."""
        transition = TRANSITIONS[action]
        transition.check(draft)
        if not self.core.app.exists(referral_id):
            raise NotFound("referral_not_found", "no referral with this id is visible to the caller")
        referral = self.core.app.referral(referral_id)
        if principal.agency_id not in (*referral.recipients, referral.referrer_agency_id):
            raise NotFound("referral_not_found", "no referral with this id is visible to the caller")
        decision = decide_action(principal, action, referral.lead_agency_id, referral.referrer_agency_id)
        if not decision.permitted or decision.role is None:
            raise Forbidden("action_not_permitted", decision.reason)
        decided = transition.command(self, referral, actor_for(principal, decision.role), self.core.now(), draft)
        try:
            self.core.app.append(decided.event)
        except IntegrityError:
            raise Conflict("concurrent_change", "the referral changed meanwhile; reload and retry") from None
        after = domain.mutate_referral(decided.event, referral)
        assert after is not None
        return {"id": str(referral_id), "status": after.status.value, "version": after.version} | decided.extra

    @property
    def monitoring_days(self) -> int:
        return self.core.settings.monitoring_days

    def route(self, municipality: str, referral: Referral) -> list[dict[str, Any]]:
        recipients = self.referrals.route(municipality, referral.concerns, referral.urgency, "municipality")
        return [agency_summary(row) for row in recipients]

    def check_assignable(self, username: str, agency_id: UUID) -> None:
        user = self.core.registry_queries.user_by_username(username)
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

    def open_case_of(self, referral: Referral) -> UUID | None:
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
            for user in self.core.registry_queries.users()
            if user["agency_id"] == str(agency_id)
            and Role.HEAD_OF_SERVICE.value in user["roles"]
            and not user["suspended"]
        )
