"""What callers use: raising items by policy (from the log's events, and from the views as time passes), a user's
items, counters, marks read, preferences, and what an agency requires of them.

Items hold no personal data (a kind, an agency, a reference), so reading one's own needs only being signed in;
the agency administrator's list of bounced addresses and setting the agency's requirement need the administrator's
role (`policies.notifications.requirement_setter_role`); the requirement set is an event with its actor.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from events.base import DomainEvent
from events.notifications import stream_id
from events.referrals import ReferralInformationRequested
from events.values import Urgency
from hub.kernel.core import Core, actor_for
from hub.kernel.errors import Forbidden, InvalidInput
from hub.notifications.delivery import MailRound
from hub.notifications.domain import (
    PreferenceDraft,
    RequirementDraft,
    item_id,
    marked_read,
    preference_set,
    raised,
    raised_by_time,
    requirement_from,
    requirement_set,
)
from policies.clocks import CONSENT_EXPIRES_SOON, DUE_SOON
from policies.decision import Principal
from policies.notifications import (
    NEEDS_PARTIES,
    SOURCES,
    Notice,
    Parties,
    Requirement,
    clock_due_soon,
    consent_expiring,
    notices,
    preference_problem,
    requirement_setter_role,
)
from policies.roles import admin_role
from projections.consents import ConsentQueries
from projections.follower import advance_position, read_position
from projections.notifications import NotificationQueries
from projections.record_requests import RecordRequestQueries
from projections.referrals import ReferralQueries
from projections.viewdb import Row

RAISER = "notifications:raiser"
ITEM_FIELDS = ("id", "kind", "urgent", "reference", "raised_at", "read")


def roles_of(principal: Principal) -> tuple[str, ...]:
    return tuple(sorted(role.value for role in principal.roles))


class NotificationService:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.queries = NotificationQueries(core.views_db)
        self.referrals = ReferralQueries(core.views_db)
        self.requests = RecordRequestQueries(core.views_db)
        self.consents = ConsentQueries(core.views_db)
        self._topics = [get_topic(cls) for cls in SOURCES]
        self.mail = MailRound(core, self.queries)

    def work_round(self) -> dict[str, int]:
        """The worker's round: raise items for new events and for clocks time brought near, bring the views up to
        them, send the e-mail now due."""
        self.core.follower.catch_up()
        raised_from = self.raise_all()
        self.core.follower.catch_up()
        self.raise_by_time()
        self.core.follower.catch_up()
        counts = self.mail.deliver_due()
        self.core.follower.catch_up()
        return {"events": raised_from, **counts}

    def raise_once(self, limit: int = 500) -> int:
        """Raise the items policy decides for the next events after the raiser's position; how many events it read."""
        position = read_position(self.core.views_db, RAISER)
        batch = self.core.app.recorder.select_notifications(
            position, limit, topics=self._topics, inclusive_of_start=False
        )
        for notification in batch:
            event = self.core.app.event_mapper.to_redacted_event(notification)
            assert isinstance(event, DomainEvent)
            for notice in notices(event, self._parties(event)):
                # Raised already: by another worker, or in a round cut short before it stored its position.
                with suppress(IntegrityError):
                    self.core.app.append(raised(notice, event))
        if batch:
            with self.core.views_db.transaction() as cursor:
                advance_position(cursor, RAISER, position, batch[-1].id)
        return len(batch)

    def _parties(self, event: DomainEvent) -> Parties | None:
        """The agencies of the referral or request `event` belongs to, for the events that name only it."""
        if not isinstance(event, NEEDS_PARTIES):
            return None
        found = self._envelope(event)
        if found is None:  # the views had not reached the stream's start when the round began
            self.core.wait_for_views()
            found = self._envelope(event)
        if found is None:
            return None
        asking, asked = found
        return Parties(UUID(asking), UUID(asked))

    def _envelope(self, event: DomainEvent) -> tuple[str, str] | None:
        if isinstance(event, ReferralInformationRequested):
            referral = self.referrals.envelope(event.originator_id)
            return (referral["referrer_agency_id"], referral["lead_agency_id"]) if referral else None
        request = self.requests.envelope(event.originator_id)
        return (request["requester_agency_id"], request["responder_agency_id"]) if request else None

    def raise_by_time(self) -> int:
        """Raise the items time passing brings: referral clocks due soon, consents about to expire (each once per
        clock and agency and role, however many rounds see it); how many were raised."""
        now = self.core.now()
        due: list[tuple[Notice, str]] = []
        for clock in self.referrals.running_clocks_due_by(DUE_SOON.due(now)):
            notice = clock_due_soon(
                UUID(clock["referral_id"]),
                clock["clock"],
                UUID(clock["agency_id"]),
                Urgency(clock["urgency"]),
                datetime.fromisoformat(clock["started_at"] or clock["due_at"]),
                datetime.fromisoformat(clock["due_at"]),
                now,
            )
            if notice is not None:
                due.append((notice, f"due-soon:{clock['referral_id']}:{clock['clock']}:{clock['due_at']}"))
        for consent in self._consents_ending_by(CONSENT_EXPIRES_SOON.due(now)):
            ends = datetime.fromisoformat(consent["valid_until"])
            notice = consent_expiring(UUID(consent["id"]), UUID(consent["recorded_by"]), ends, now)
            if notice is not None:
                due.append((notice, f"expiring:{consent['id']}:{consent['valid_until']}"))
        known = self.queries.raised([str(item_id(notice, occasion)) for notice, occasion in due])
        count = 0
        for notice, occasion in due:
            if str(item_id(notice, occasion)) in known:
                continue
            with suppress(IntegrityError):  # raised by another worker meanwhile
                self.core.app.append(raised_by_time(notice, occasion))
                count += 1
        return count

    def _consents_ending_by(self, moment: datetime) -> list[Row]:
        return [
            row
            for row in self.consents.active_with_end()
            if row["recorded_by"] and datetime.fromisoformat(row["valid_until"]) <= moment
        ]

    def raise_all(self) -> int:
        total = 0
        while covered := self.raise_once():
            total += covered
        return total

    def counters(self, principal: Principal) -> dict[str, int]:
        return self.queries.counters(principal.user_id, principal.agency_id, roles_of(principal))

    def items(self, principal: Principal) -> list[dict[str, Any]]:
        """The caller's items, newest first: kind, urgent, the reference (a referral's, request's or review's id),
        when raised and whether the caller read it."""
        self.core.wait_for_views()
        rows = self.queries.items(principal.user_id, principal.agency_id, roles_of(principal))
        return [
            {**{name: row[name] for name in ITEM_FIELDS}, "raised_at": datetime.fromisoformat(row["raised_at"])}
            for row in rows
        ]

    def mark_read(self, principal: Principal, item_ids: tuple[UUID, ...]) -> int:
        """Mark the caller's own items read (an id not among them is refused, nothing appended); how many."""
        self.core.wait_for_views()
        mine = {row["id"] for row in self.queries.items(principal.user_id, principal.agency_id, roles_of(principal))}
        unknown = [str(item) for item in item_ids if str(item) not in mine]
        if unknown:
            raise InvalidInput("unknown_notification", "no such notification for this user", "item_ids")
        if item_ids:
            reads = stream_id("reads", principal.user_id)
            version = len(self.core.app.stream(reads)) + 1 if self.core.app.exists(reads) else 1
            self.core.app.append(marked_read(principal.user_id, item_ids, version, actor_for(principal, "user")))
        return len(item_ids)

    def preference(self, principal: Principal) -> dict[str, Any]:
        self.core.wait_for_views()
        row = self.queries.preference(principal.user_id)
        default = PreferenceDraft()
        if row is None:
            return {
                "address": None,
                "mode": default.mode.value,
                "urgent_mode": default.urgent_mode.value,
                "language": default.language,
            }
        return {name: row[name] for name in ("address", "mode", "urgent_mode", "language")}

    def set_preference(self, principal: Principal, draft: PreferenceDraft) -> dict[str, Any]:
        """Save the caller's choice; one below what their agency requires is refused (nothing appended)."""
        self.core.wait_for_views()
        field = preference_problem(self.requirement_of(principal.agency_id), draft.mode, draft.urgent_mode)
        if field is not None:
            raise InvalidInput("below_agency_requirement", "the agency requires more e-mail than this", field)
        row = self.queries.preference(principal.user_id)
        version = int(row["version"]) + 1 if row else 1
        self.core.app.append(preference_set(principal.user_id, draft, version, actor_for(principal, "user")))
        self.core.wait_for_views()
        return self.preference(principal)

    def requirement_of(self, agency_id: UUID) -> Requirement:
        """What `agency_id` requires of its users' e-mail (the default when its administrator set nothing)."""
        return requirement_from(self.queries.requirement(agency_id))

    def requirement(self, principal: Principal) -> dict[str, str]:
        """What the caller's agency requires (every user of it may see what applies to them)."""
        self.core.wait_for_views()
        found = self.requirement_of(principal.agency_id)
        return {"urgent_at_least": found.urgent_at_least.value, "others_at_least": found.others_at_least.value}

    def set_requirement(self, principal: Principal, draft: RequirementDraft) -> dict[str, str]:
        """Set what the caller's agency requires (its administrators only); users' choices below it are lifted to
        it when mail is decided, and refused when next saved."""
        role = requirement_setter_role(principal)
        if role is None:
            raise Forbidden("role_may_not_administer", "only an administrator sets what the agency requires")
        self.core.wait_for_views()
        row = self.queries.requirement(principal.agency_id)
        version = int(row["version"]) + 1 if row else 1
        actor = actor_for(principal, role.value)
        self.core.app.append(requirement_set(principal.agency_id, draft, version, actor))
        return self.requirement(principal)

    def bounced_users(self, principal: Principal) -> list[str]:
        """Usernames of the caller's agency whose notification e-mail address was refused (agency administrators)."""
        if admin_role(principal.roles) is None:
            raise Forbidden("role_may_not_administer", "only an administrator sees refused e-mail addresses")
        self.core.wait_for_views()
        users = self.core.registry_queries.users(principal.agency_id, include_removed=False)
        bounced = self.queries.bounced([user["id"] for user in users])
        return [user["username"] for user in users if user["id"] in bounced]
