"""Replay of the access and disclosure timeline, of sign-ins and agency systems' token exchanges (permitted or
refused), and of every change to the registry, straight from the log, filtered, as of any point in time."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Mapper
from eventsourcing.utils import get_topic

from events.access import AccessRecorded
from events.base import DomainEvent
from events.disclosure import DisclosureRecorded
from events.identity import SignInMethod, SignInRecorded
from events.registry import ADMINISTRATION_EVENTS
from events.review import BreakGlassReviewOpened
from events.values import Decision

TOPICS = (
    get_topic(AccessRecorded),
    get_topic(DisclosureRecorded),
    get_topic(BreakGlassReviewOpened),
    get_topic(SignInRecorded),
    *(get_topic(kind) for kind in ADMINISTRATION_EVENTS),
)
BATCH = 2000
COLUMNS = (
    "notification_id",
    "time",
    "kind",
    "user",
    "agency_id",
    "role",
    "action",
    "resource",
    "purpose",
    "subjects",
    "categories",
    "decision",
    "basis",
    "break_glass",
    "justification",
    "recipient_agency_id",
    "consent_id",
    "consent_version",
    "policy_hash",
    "reason",
)


@dataclass(frozen=True)
class ReplayFilter:
    """Every field narrows the timeline; `as_of` replays the log as it stood at that moment."""

    subject: UUID | None = None
    user: str | None = None
    agency_id: UUID | None = None
    since: datetime | None = None
    until: datetime | None = None
    decision: Decision | None = None
    break_glass_only: bool = False
    as_of: datetime | None = None

    def admits(self, entry: dict[str, Any], subjects: tuple[UUID, ...]) -> bool:
        time: datetime = entry["time"]
        return not (
            (self.as_of is not None and time > self.as_of)
            or (self.since is not None and time < self.since)
            or (self.until is not None and time > self.until)
            or (self.subject is not None and self.subject not in subjects)
            or (self.user is not None and entry["user"] != self.user)
            or (self.agency_id is not None and self.agency_id not in (entry["agency_id"], entry["recipient_agency_id"]))
            or (self.decision is not None and entry["decision"] != self.decision)
            or (self.break_glass_only and not entry["break_glass"])
        )


def _sign_in_entry(notification_id: int, event: SignInRecorded) -> dict[str, Any]:
    exchange = event.method is SignInMethod.CLIENT_CREDENTIALS
    return {
        "notification_id": notification_id,
        "time": event.timestamp,
        "kind": "sign_in",
        "user": event.actor.user_id,
        "agency_id": event.actor.agency_id,
        "role": event.actor.role,
        "action": "token_exchange" if exchange else "sign_in",
        "resource": f"{event.method}:{event.provider}",
        "purpose": "",
        "subjects": [],
        "categories": [],
        "decision": event.decision,
        "basis": None,
        "break_glass": False,
        "justification": None,
        "recipient_agency_id": None,
        "consent_id": None,
        "consent_version": None,
        "policy_hash": None,
        "reason": event.reason,
    }


def _entry(notification_id: int, event: AccessRecorded | DisclosureRecorded | SignInRecorded) -> dict[str, Any]:
    if isinstance(event, SignInRecorded):
        return _sign_in_entry(notification_id, event)
    common = {
        "notification_id": notification_id,
        "time": event.timestamp,
        "user": event.actor.user_id,
        "agency_id": event.actor.agency_id,
        "role": event.actor.role,
        "purpose": str(event.purpose),
        "subjects": list(event.subjects),
        "categories": [str(category) for category in event.categories],
        "basis": event.basis,
        "break_glass": event.break_glass,
        "justification": None,
        "consent_id": event.consent_id,
        "consent_version": event.consent_version,
        "policy_hash": event.policy_hash,
        "reason": None,
    }
    if isinstance(event, DisclosureRecorded):
        return common | {
            "kind": "disclosure",
            "action": "disclosure",
            "resource": f"disclosure:{event.originator_id}",
            "decision": Decision.PERMIT,
            "recipient_agency_id": event.recipient_agency_id,
        }
    return common | {
        "kind": "access",
        "action": event.action,
        "resource": event.resource,
        "decision": event.decision,
        "recipient_agency_id": None,
    }


def _administration_entry(notification_id: int, event: DomainEvent) -> dict[str, Any]:
    """A change to the registry: who made it, what kind of change, to which agency or user (no personal data)."""
    return {
        "notification_id": notification_id,
        "time": event.timestamp,
        "kind": "administration",
        "user": event.actor.user_id,
        "agency_id": event.actor.agency_id,
        "role": event.actor.role,
        "action": f"registry.{type(event).__name__}",
        "resource": f"registry:{event.originator_id}",
        "purpose": "registry administration",
        "subjects": [],
        "categories": [],
        "decision": Decision.PERMIT,
        "basis": None,
        "break_glass": False,
        "justification": None,
        "recipient_agency_id": None,
        "consent_id": None,
        "consent_version": None,
        "policy_hash": None,
    }


def replay(recorder: ApplicationRecorder, mapper: Mapper[Any], where: ReplayFilter) -> Iterator[dict[str, Any]]:
    """Access and disclosure entries in log order that pass the filter (read from the stored records).

    A break-glass access carries its written justification: the review it opened is appended right after it.
    """
    last = 0
    held: dict[str, Any] | None = None  # the last entry, until the next record shows whether a review follows it
    while batch := recorder.select_notifications(last, BATCH, topics=TOPICS, inclusive_of_start=False):
        for notification in batch:
            event = mapper.to_domain_event(notification)
            if isinstance(event, BreakGlassReviewOpened):
                if held is not None and (held["user"], held["resource"]) == (event.actor.user_id, event.resource):
                    held["justification"] = event.justification
                continue
            if held is not None:
                yield held
            if isinstance(event, AccessRecorded | DisclosureRecorded | SignInRecorded):
                entry = _entry(notification.id, event)
            else:
                assert isinstance(event, DomainEvent)
                entry = _administration_entry(notification.id, event)
            held = entry if where.admits(entry, getattr(event, "subjects", ())) else None
        last = batch[-1].id
    if held is not None:
        yield held


def to_csv(entries: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for entry in entries:
        subjects = " ".join(str(subject) for subject in entry["subjects"])
        writer.writerow({**entry, "subjects": subjects, "categories": " ".join(entry["categories"])})
    return buffer.getvalue()
