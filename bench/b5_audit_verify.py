"""B5: `hub audit verify` leaves verified/s against raw SHA-256 over the same records held in memory."""

from __future__ import annotations

import hashlib
from uuid import UUID

from bench.fill import filled_store
from bench.harness import BenchStore, Row, Scale, per_second, ratio_row
from events.integrity.records import record_bytes
from hub.service import Hub, startup_objects_frozen

READ_BATCH = 1000


def records_in_memory(hub: Hub) -> list[bytes]:
    """Every stored record as the bytes its leaf commits to."""
    records: list[bytes] = []
    position = 0
    while batch := hub.app.recorder.select_notifications(position, READ_BATCH, inclusive_of_start=False):
        for notification in batch:
            records.append(
                record_bytes(
                    notification.id,
                    UUID(str(notification.originator_id)),
                    notification.originator_version,
                    notification.topic,
                    notification.state,
                )
            )
        position = batch[-1].id
    return records


def verify_row(store: BenchStore, size: int) -> Row:
    with startup_objects_frozen():  # as `hub audit verify` runs
        hub = Hub(filled_store(store, size))
        try:
            records = records_in_memory(hub)

            def raw() -> None:
                for record in records:
                    hashlib.sha256(b"\x00" + record).digest()

            baseline = per_second(len(records), raw)
            report = hub.audit.verify()
            assert report.ok, report.problems
            verified = per_second(len(records), lambda: hub.audit.verify())
        finally:
            hub.close()
    return ratio_row(
        "B5", store.kind, "`hub audit verify` leaves/s", verified, baseline, "leaves/s", 0.35, len(records)
    )


def run(store: BenchStore, scale: Scale) -> list[Row]:
    return [verify_row(store, size) for size in scale.rebuild_sizes]
