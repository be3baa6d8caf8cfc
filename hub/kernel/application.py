"""The event-sourced application: the only place that appends to the log."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import Recording
from eventsourcing.utils import get_topic

from events.base import DomainEvent
from events.codec import PydanticApplication
from hub.consent.domain import Consent, project_consent
from hub.consent.review import Review, project_review
from hub.kernel.config import Settings
from hub.kernel.key_recorders import CommitsNewKeys, PostgresKeyedRecorder, SQLiteKeyedRecorder
from hub.people.domain import Subject, project_subject
from hub.records.domain import RecordRequest, project_request
from hub.records.handover import Handover, project_handover
from hub.referrals.domain import Referral, project_referral
from hub.registry.domain import Agency, User, project_agency, project_user


def bound_store_waits(recorder: PostgresKeyedRecorder, settings: Settings) -> None:
    """While the server is away, the library's pool would retry a lost connection for five minutes and its calls
    ten times: connect within the settings' bounds, give a lost connection up as the views' pools do, and retry
    a call only within `HUB_STORE_TIMEOUT_SECONDS`."""
    pool = recorder.datastore.pool
    assert isinstance(pool.kwargs, dict)
    pool.kwargs.update(settings.connection_options())
    pool.reconnect_timeout = settings.store_timeout_seconds
    recorder.retry_seconds = settings.store_timeout_seconds


class HubApplication(PydanticApplication):
    """Appends events atomically and rebuilds aggregates from their streams."""

    name = "hub"

    def __init__(self, settings: Settings) -> None:
        recorder = PostgresKeyedRecorder if settings.uses_postgres else SQLiteKeyedRecorder
        super().__init__(env=settings.eventsourcing_env() | {"APPLICATION_RECORDER_TOPIC": get_topic(recorder)})
        if isinstance(self.recorder, PostgresKeyedRecorder):
            bound_store_waits(self.recorder, settings)

    @property
    def new_keys_recorder(self) -> CommitsNewKeys:
        """The recorder, which commits new subject data keys with the events sealed under them."""
        assert isinstance(self.recorder, CommitsNewKeys)
        return self.recorder

    def append(self, *events: DomainEvent) -> int:
        """Commit the events in one transaction; returns the last notification id (durable on return)."""
        recordings: list[Recording[Any]] = self.save(*events)
        return max(recording.notification.id for recording in recordings)

    def exists(self, aggregate_id: UUID) -> bool:
        return any(True for _ in self.events.get(aggregate_id, limit=1))

    def stream(self, originator_id: UUID) -> list[DomainEvent]:
        """Every event of one stream, oldest first."""
        return [event for event in self.events.get(originator_id) if isinstance(event, DomainEvent)]

    def redacted_stream(self, originator_id: UUID, up_to_version: int) -> list[DomainEvent]:
        """A stream's events up to a version with personal fields at their erased values (no keys used)."""
        stored = self.recorder.select_events(originator_id, lte=up_to_version)
        return [self.event_mapper.to_redacted_event(record) for record in stored]

    def agency(self, agency_id: UUID) -> Agency:
        return self.repository.get(agency_id, projector_func=project_agency)

    def user(self, user_id: UUID) -> User:
        return self.repository.get(user_id, projector_func=project_user)

    def referral(self, referral_id: UUID) -> Referral:
        return self.repository.get(referral_id, projector_func=project_referral)

    def consent(self, consent_id: UUID) -> Consent:
        return self.repository.get(consent_id, projector_func=project_consent)

    def review(self, review_id: UUID) -> Review:
        return self.repository.get(review_id, projector_func=project_review)

    def subject(self, subject_id: UUID) -> Subject:
        return self.repository.get(subject_id, projector_func=project_subject)

    def record_request(self, request_id: UUID) -> RecordRequest:
        return self.repository.get(request_id, projector_func=project_request)

    def handover(self, handover_id: UUID) -> Handover:
        return self.repository.get(handover_id, projector_func=project_handover)
