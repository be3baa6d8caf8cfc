"""How an agency system consumes its topic: a consumer group, at-least-once, duplicates dropped by event id.

The relay delivers every message at least once; a repeat carries the same `event_id`. Process a message, then
commit; keep the ids you have processed (here in memory, bounded; persist them with your own state when your
process restarts) and skip any you have seen.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any
from uuid import UUID

from kafka import KafkaConsumer

from adapters.outbound import agency_topic


class SeenEvents:
    """The most recent `capacity` event ids processed, oldest forgotten first."""

    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def first_time(self, event_id: str) -> bool:
        """True the first time an id is offered; False for every repeat still remembered."""
        if event_id in self._ids:
            self._ids.move_to_end(event_id)
            return False
        self._ids[event_id] = None
        if len(self._ids) > self.capacity:
            self._ids.popitem(last=False)
        return True


class AgencyFeed:
    """An agency's messages from the hub, each event once; call `commit()` after processing a batch."""

    def __init__(self, consumer: KafkaConsumer, seen: SeenEvents | None = None) -> None:
        self.consumer = consumer
        self.seen = seen or SeenEvents()

    @classmethod
    def connect(cls, bootstrap_servers: str, agency_id: UUID, group_id: str, **settings: Any) -> AgencyFeed:
        consumer = KafkaConsumer(
            agency_topic(agency_id),
            bootstrap_servers=bootstrap_servers,
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **settings,
        )
        return cls(consumer)

    def poll(self, timeout_ms: int = 1000) -> list[dict[str, Any]]:
        """New messages in partition order (one referral's messages stay in order), repeats dropped."""
        fresh: list[dict[str, Any]] = []
        for records in self.consumer.poll(timeout_ms=timeout_ms).values():
            for record in records:
                document = json.loads(record.value)
                if self.seen.first_time(document["event_id"]):
                    fresh.append(document)
        return fresh

    def commit(self) -> None:
        self.consumer.commit()

    def close(self) -> None:
        self.consumer.close()
