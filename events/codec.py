"""Turns pydantic domain events into stored records and back (canonical JSON, stable bytes)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, ClassVar, cast

from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, resolve_topic

from events.base import DomainEvent
from events.personal import SubjectCipher, redact, seal, unseal


class CanonicalJSONTranscoder(Transcoder):
    """Sorted keys, no whitespace, UTF-8: the same event always encodes to the same bytes."""

    def encode(self, obj: Any) -> bytes:
        return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def decode(self, data: bytes) -> Any:
        return json.loads(data)


class PydanticMapper(Mapper[Any]):
    """Maps pydantic events to stored events, personal fields sealed per subject; pydantic rebuilds typed values.

    `subjects` must be set before the first event is written or read: without it nothing personal is stored.
    """

    subjects: SubjectCipher | None = None

    def _cipher(self) -> SubjectCipher:
        if self.subjects is None:
            raise RuntimeError("no subject cipher: personal data would be stored in the clear")
        return self.subjects

    def to_stored_event(self, domain_event: DomainEventProtocol[Any]) -> StoredEvent:
        event = cast(DomainEvent, domain_event)
        state = event.model_dump(mode="json")
        seal(state, type(event), event.data_subject(), self._cipher(), event.data_subjects())
        state.pop("originator_id")
        state.pop("originator_version")
        stored_state = self.transcoder.encode(state)
        if self.compressor:
            stored_state = self.compressor.compress(stored_state)
        if self.cipher:
            stored_state = self.cipher.encrypt(stored_state)
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=get_topic(type(domain_event)),
            state=stored_state,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[Any]:
        return self._decode(stored_event, lambda state, cls: unseal(state, cls, self._cipher()))

    def to_redacted_event(self, stored_event: StoredEvent) -> DomainEvent:
        """The event with every personal field at its erased value: for readers that never show personal data
        (views, the relay), so they use no keys and stay the same after a person's erasure."""
        return cast(DomainEvent, self._decode(stored_event, redact))

    def _decode(
        self, stored_event: StoredEvent, open_personal: Callable[[dict[str, Any], type[Any]], None]
    ) -> DomainEventProtocol[Any]:
        stored_state = stored_event.state
        if self.cipher:
            stored_state = self.cipher.decrypt(stored_state)
        if self.compressor:
            stored_state = self.compressor.decompress(stored_state)
        state: dict[str, Any] = self.transcoder.decode(stored_state)
        cls = resolve_topic(stored_event.topic)
        open_personal(state, cls)
        return cast(
            DomainEventProtocol[Any],
            cls(
                originator_id=stored_event.originator_id,
                originator_version=stored_event.originator_version,
                **state,
            ),
        )


class PydanticApplication(Application[Any]):
    """An eventsourcing application that stores pydantic events as canonical JSON."""

    env: ClassVar[dict[str, str]] = {
        "TRANSCODER_TOPIC": get_topic(CanonicalJSONTranscoder),
        "MAPPER_TOPIC": get_topic(PydanticMapper),
    }

    @property
    def event_mapper(self) -> PydanticMapper:
        """The mapper, typed: it is always a `PydanticMapper` (set by `MAPPER_TOPIC`)."""
        return cast(PydanticMapper, self.mapper)
