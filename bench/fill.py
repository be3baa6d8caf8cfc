"""Puts many realistic referral events into a store quickly: one routed submission, then copies in big batches."""

from __future__ import annotations

from uuid import UUID, uuid4

from bench.harness import BenchStore
from events.ids import new_stream_id
from hub.kernel.config import Settings
from hub.referrals.domain import ReferralDraft
from hub.registry.demo import seed_demo
from hub.service import Hub
from tests.conftest import distinct_child_referral

SUBMITTER = "tukums.school"
BATCH = 1000


def distinct_draft(number: int) -> ReferralDraft:
    return ReferralDraft.model_validate(distinct_child_referral(number))


def fill_referrals(hub: Hub, count: int) -> list[UUID]:
    """Append `count` referral submissions (the first through the service, the rest copies in batches)."""
    principal = hub.authenticate(hub.issue_token(SUBMITTER))
    receipt = hub.referrals.submit(principal, distinct_draft(0))
    first = hub.app.stream(UUID(receipt["id"]))[0]
    ids = [UUID(receipt["id"])]
    remaining = count - 1
    while remaining > 0:
        events = [
            first.model_copy(update={"originator_id": new_stream_id(), "event_id": uuid4()})
            for _ in range(min(BATCH, remaining))
        ]
        hub.app.append(*events)
        ids.extend(event.originator_id for event in events)
        remaining -= len(events)
    return ids


_FILLED: dict[tuple[str, str, int], Settings] = {}


def filled_store(store: BenchStore, size: int) -> Settings:
    """A store of this kind holding `size` referral events, its views and audit tree caught up.

    Made once per run and size, and shared by the benchmarks that only read it (B4 rebuilds one view from it,
    B5 verifies it, MEM serves it): at 1M events filling and following take most of a benchmark's time.
    """
    key = (str(store.directory), store.kind, size)
    if key not in _FILLED:
        settings = store.fresh(f"filled_{size}")
        hub = Hub(settings)
        try:
            seed_demo(hub)
            fill_referrals(hub, size)
            hub.follower.catch_up()
            hub.audit.seal()
        finally:
            hub.close()
        _FILLED[key] = settings
    return _FILLED[key]
