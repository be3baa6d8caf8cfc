"""What callers use: raising items from the log by policy, a user's items, counters, marks read and preferences.

Items hold no personal data (a kind, an agency, a reference), so reading one's own needs only being signed in;
the agency administrator's list of bounced addresses needs the administrator's role (`policies.roles`).
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
from hub.kernel.core import Core, actor_for
from hub.kernel.errors import Forbidden, InvalidInput
from hub.notifications.delivery import MailRound
from hub.notifications.domain import PreferenceDraft, marked_read, preference_set, raised
from policies.decision import Principal
from policies.notifications import SOURCES, notices
from policies.roles import admin_role
from projections.follower import advance_position, read_position
from projections.notifications import NotificationQueries

RAISER = "notifications:raiser"
ITEM_FIELDS = ("id", "kind", "urgent", "reference", "raised_at", "read")


def roles_of(principal: Principal) -> tuple[str, ...]:
    return tuple(sorted(role.value for role in principal.roles))


class NotificationService:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.queries = NotificationQueries(core.views_db)
        self._topics = [get_topic(cls) for cls in SOURCES]
        self.mail = MailRound(core, self.queries)

    def work_round(self) -> dict[str, int]:
        """The worker's round: raise items for new events, bring the views up to them, send the e-mail now due."""
        raised_from = self.raise_all()
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
            for notice in notices(event):
                # Raised already: by another worker, or in a round cut short before it stored its position.
                with suppress(IntegrityError):
                    self.core.app.append(raised(notice, event))
        if batch:
            with self.core.views_db.transaction() as cursor:
                advance_position(cursor, RAISER, position, batch[-1].id)
        return len(batch)

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
            return {"address": None, "mode": default.mode.value, "language": default.language}
        return {"address": row["address"], "mode": row["mode"], "language": row["language"]}

    def set_preference(self, principal: Principal, draft: PreferenceDraft) -> dict[str, Any]:
        self.core.wait_for_views()
        row = self.queries.preference(principal.user_id)
        version = int(row["version"]) + 1 if row else 1
        self.core.app.append(preference_set(principal.user_id, draft, version, actor_for(principal, "user")))
        self.core.wait_for_views()
        return self.preference(principal)

    def bounced_users(self, principal: Principal) -> list[str]:
        """Usernames of the caller's agency whose notification e-mail address was refused (agency administrators)."""
        if admin_role(principal.roles) is None:
            raise Forbidden("role_may_not_administer", "only an administrator sees refused e-mail addresses")
        self.core.wait_for_views()
        users = self.core.registry_queries.users(principal.agency_id, include_removed=False)
        bounced = self.queries.bounced([user["id"] for user in users])
        return [user["username"] for user in users if user["id"] in bounced]
