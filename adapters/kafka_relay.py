"""The outbox relay: follows the log and publishes each entitled agency's message to its Kafka topic.

Its position is kept like a view's (`relay:kafka`): a batch's position commits only after the broker acknowledged
every message of the batch (acks=all, idempotent producer), so delivery is at-least-once and a repeat carries
the same event id. No database transaction is held while the broker is slow or down;
then the relay backs off and retries, and the log keeps accepting work.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kafka import KafkaProducer

from adapters.outbound import OutboundMessages, agency_topic
from hub.service import Hub
from projections.follower import advance_position, read_position

log = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS = 10.0


class Publisher:
    """An idempotent acks=all producer, replaced by a fresh one after any failure."""

    def __init__(self, bootstrap_servers: str, timeout: float = SEND_TIMEOUT_SECONDS) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.timeout = timeout
        self._producer: KafkaProducer | None = None
        self._pending: list[Any] = []  # kafka-python FutureRecordMetadata

    def _ensure(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = KafkaProducer(
                bootstrap_servers=self.bootstrap_servers,
                acks="all",
                enable_idempotence=True,
                linger_ms=5,
                max_block_ms=int(self.timeout * 1000),
                request_timeout_ms=int(self.timeout * 1000),
                delivery_timeout_ms=int(self.timeout * 1000) + 100,
            )
        return self._producer

    def send(self, topic: str, key: bytes, value: bytes, headers: list[tuple[str, bytes]]) -> None:
        try:
            self._pending.append(self._ensure().send(topic, key=key, value=value, headers=headers))
        except Exception:
            self.reset()
            raise

    def flush(self) -> None:
        """Wait until the broker acknowledged everything sent; raise (and start over) if anything failed."""
        pending, self._pending = self._pending, []
        try:
            if self._producer is not None:
                self._producer.flush(timeout=self.timeout)
            for future in pending:
                future.get(timeout=self.timeout)
        except Exception:
            self.reset()
            raise

    def reset(self) -> None:
        self._pending = []
        if self._producer is not None:
            producer, self._producer = self._producer, None
            try:
                producer.close(timeout=self.timeout)  # unsent records expire within the delivery timeout
            except Exception as error:
                log.warning("closing the Kafka producer failed: %s", type(error).__name__)

    def close(self) -> None:
        self.reset()


class KafkaRelay:
    """Publishes the log's outbound messages, then records how far it got (never the other way round)."""

    name = "relay:kafka"

    def __init__(self, hub: Hub, publisher: Publisher, batch_size: int = 500) -> None:
        self.hub = hub
        self.messages = OutboundMessages(hub)
        self.publisher = publisher
        self.batch_size = batch_size

    def position(self) -> int:
        return read_position(self.hub.views_db, self.name)

    def relay_once(self) -> int:
        """Publish one batch after the position and advance past it; returns how many events it covered."""
        position = self.position()
        batch = self.messages.after(position, self.batch_size)
        for item in batch:
            for envelope in item.envelopes:
                headers = [("event_id", str(envelope.event_id).encode())]
                self.publisher.send(agency_topic(envelope.agency_id), envelope.key, envelope.value, headers)
        if not batch:
            return 0
        self.publisher.flush()
        with self.hub.views_db.transaction() as cursor:
            advance_position(cursor, self.name, position, batch[-1].notification_id)
        return len(batch)

    def catch_up(self) -> int:
        total = 0
        while covered := self.relay_once():
            total += covered
        return total


class Backoff:
    """Exponential backoff between failed attempts, reset by a success."""

    def __init__(self, first: float = 0.5, ceiling: float = 30.0) -> None:
        self.first = first
        self.ceiling = ceiling
        self.delay = first

    def failed(self) -> float:
        delay = self.delay
        self.delay = min(self.delay * 2, self.ceiling)
        return delay

    def succeeded(self) -> None:
        self.delay = self.first


def follow_with_backoff(
    step: Callable[[], object],
    stop: threading.Event,
    interval: float,
    backoff: Backoff,
    what: str,
    heartbeat: Path | None = None,
) -> None:
    """Run `step` every `interval` seconds until `stop`; after a failure wait longer each time.

    After each success the `heartbeat` file (if any) is touched, for a container health check. Failures are logged
    under the worker's own name, `hub.worker.<what>`.
    """
    worker_log = logging.getLogger(f"hub.worker.{what}")
    while not stop.is_set():
        try:
            step()
        except Exception as error:
            delay = backoff.failed()
            worker_log.warning("%s failed (%s); retrying in %.1f s", what, type(error).__name__, delay)
            stop.wait(delay)
            continue
        backoff.succeeded()
        if heartbeat is not None:
            heartbeat.touch()
        stop.wait(interval)
