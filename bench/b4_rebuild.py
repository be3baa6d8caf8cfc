"""B4: projection rebuild (events applied/s into an empty view) against raw read-and-decode of the same log."""

from __future__ import annotations

from bench.fill import filled_store
from bench.harness import BenchStore, Row, Scale, per_second, ratio_row
from hub.service import Hub, startup_objects_frozen

READ_BATCH = 500


def read_and_decode(hub: Hub) -> int:
    """Read every notification in the follower's batch size and decode it as views do (personal fields redacted)."""
    position = total = 0
    while batch := hub.app.recorder.select_notifications(position, READ_BATCH, inclusive_of_start=False):
        for notification in batch:
            hub.app.event_mapper.to_redacted_event(notification)
        position = batch[-1].id
        total += len(batch)
    return total


def rebuild_row(store: BenchStore, size: int) -> Row:
    with startup_objects_frozen():  # as in `hub serve`, whose follower applies the log
        hub = Hub(filled_store(store, size))
        try:
            total = hub.app.recorder.max_notification_id() or 0
            raw = per_second(total, lambda: read_and_decode(hub))
            rebuilt = per_second(total, lambda: hub.follower.rebuild(hub.referral_view))
        finally:
            hub.close()
    return ratio_row("B4", store.kind, "projection rebuild events/s", rebuilt, raw, "events/s", 0.5, total)


def run(store: BenchStore, scale: Scale) -> list[Row]:
    return [rebuild_row(store, size) for size in scale.rebuild_sizes]
