"""One round of notification e-mail: immediate messages for what must go at once, the daily digest when it is due.

Each message has a derived id (one per user and item, or per user and digest day) and every attempt is an event
(sent, or failed with the reason), so delivery is at least once: a failed message is tried again after a wait
that doubles per attempt, and a crash between sending and recording sends it again rather than never. A
failure for one user never holds back the others, nor the rest of the hub's work.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from uuid import UUID

from events.notifications import DeliveryMode, NoticeKind, stream_id
from hub.kernel.core import Core
from hub.notifications.domain import mail_attempt, requirement_from
from hub.notifications.mail import AddressRefused, Item, compose, send, short_reference
from policies.clocks import RIGA
from policies.notifications import Requirement, digest_day, mail_mode
from projections.notifications import NotificationQueries
from projections.viewdb import Row

log = logging.getLogger(__name__)

MAX_RETRY_WAIT = timedelta(hours=6)


@dataclass(frozen=True)
class Message:
    id: UUID
    items: list[Row]
    digest: bool


class MailRound:
    def __init__(self, core: Core, queries: NotificationQueries) -> None:
        self.core = core
        self.queries = queries

    def deliver_due(self) -> dict[str, int]:
        """Send what is due now; how many messages were sent and how many attempts failed."""
        if self.core.settings.smtp_host is None:
            return {"sent": 0, "failed": 0}
        now = self.core.now()
        day = digest_day(now, self.core.settings.notification_digest_time)
        preferences = self.queries.preferences()
        requirements = self.queries.requirements()
        counts = {"sent": 0, "failed": 0}
        for user in self.core.registry_queries.users(include_removed=False):
            preference = preferences.get(user["id"])
            if user["suspended"] or preference is None or not preference["address"]:
                continue
            requirement = requirement_from(requirements.get(user["agency_id"]))
            for message in self._messages(user, preference, requirement, day):
                outcome = self._attempt(user, preference, message, now)
                if outcome is not None:
                    counts[outcome] += 1
        return counts

    def _messages(self, user: Row, preference: Row, requirement: Requirement, day: str | None) -> list[Message]:
        """The user's messages due now: one per item to mail at once, and today's digest of those for the digest."""
        user_id = UUID(user["id"])
        roles = tuple(sorted(user["roles"]))
        items = self.queries.unmailed(user_id, UUID(user["agency_id"]), roles)
        mode, urgent_mode = DeliveryMode(preference["mode"]), DeliveryMode(preference["urgent_mode"])
        modes = [mail_mode(requirement, mode, urgent_mode, bool(item["urgent"])) for item in items]
        messages = [
            Message(stream_id("mail", user_id, item["id"]), [item], digest=False)
            for item, chosen in zip(items, modes, strict=True)
            if chosen is DeliveryMode.IMMEDIATE
        ]
        if day is not None:
            todays = [
                item
                for item, chosen in zip(items, modes, strict=True)
                if chosen is DeliveryMode.DIGEST and _riga_day(item["raised_at"]) <= day
            ]
            if todays:
                messages.append(Message(stream_id("digest", user_id, day), todays, digest=True))
        return messages

    def _attempt(self, user: Row, preference: Row, message: Message, now: datetime) -> str | None:
        """Try `message` unless it was sent or its retry is not yet due: "sent", "failed", or None (not tried)."""
        previous = self.queries.message(message.id)
        attempts = int(previous["attempts"]) if previous else 0
        if previous and previous["status"] == "sent":
            return None  # today's digest went already: what came after it waits for the next one
        if previous and now < datetime.fromisoformat(previous["last_at"]) + self._wait(attempts):
            return None
        failure, bounced = None, False
        try:
            send(self.core.settings, self._compose(user, preference, message))
        except AddressRefused:
            failure, bounced = "address_refused", True
        except (OSError, smtplib.SMTPException) as error:
            failure = f"unavailable: {type(error).__name__}"
        item_ids = tuple(UUID(item["id"]) for item in message.items)
        self.core.app.append(
            mail_attempt(message.id, attempts + 1, UUID(user["id"]), item_ids, message.digest, now, failure, bounced)
        )
        if failure:
            log.warning("a notification e-mail failed (%s); it will be retried", failure)
            return "failed"
        return "sent"

    def _wait(self, attempts: int) -> timedelta:
        wait = timedelta(seconds=self.core.settings.notification_retry_seconds * 2 ** max(attempts - 1, 0))
        return min(wait, MAX_RETRY_WAIT)

    def _compose(self, user: Row, preference: Row, message: Message) -> EmailMessage:
        agency = self.core.registry_queries.agency(UUID(user["agency_id"]))
        items = [
            Item(NoticeKind(item["kind"]), bool(item["urgent"]), short_reference(item["reference"]))
            for item in message.items
        ]
        sign_in = (self.core.settings.public_url or "http://localhost:8000") + "/notifications"
        return compose(
            self.core.settings,
            preference["address"],
            preference["language"],
            agency["name"] if agency else "",
            items,
            sign_in,
            message.digest,
        )


def _riga_day(raised_at: str) -> str:
    return datetime.fromisoformat(raised_at).astimezone(RIGA).date().isoformat()
