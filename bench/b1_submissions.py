"""B1: referral submissions/s through the application service, against raw `eventsourcing` single-event saves/s."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

from bench.fill import SUBMITTER, distinct_draft
from bench.harness import BenchStore, Row, Scale, per_second, ratio_row
from hub.kernel.config import Settings
from hub.registry.demo import seed_demo
from hub.service import Hub

WARM_UP = 10


class BenchNote(Aggregate):
    """The smallest aggregate: saving one is one event in one transaction."""


def service_submissions_per_second(settings: Settings, count: int) -> float:
    hub = Hub(settings)
    try:
        seed_demo(hub)
        principal = hub.authenticate(hub.issue_token(SUBMITTER))
        drafts = iter([distinct_draft(number) for number in range(WARM_UP + count)])

        def submit(times: int) -> None:
            for _ in range(times):
                hub.referrals.submit(principal, next(drafts))

        submit(WARM_UP)
        return per_second(count, lambda: submit(count))
    finally:
        hub.close()


def raw_saves_per_second(settings: Settings, count: int) -> float:
    app: Application[UUID] = Application(env=settings.eventsourcing_env())
    try:

        def save(times: int) -> None:
            for _ in range(times):
                app.save(BenchNote())

        save(WARM_UP)
        return per_second(count, lambda: save(count))
    finally:
        app.close()


def run(store: BenchStore, scale: Scale) -> list[Row]:
    raw = raw_saves_per_second(store.fresh("b1_raw"), scale.submissions)
    hub = service_submissions_per_second(store.fresh("b1_hub"), scale.submissions)
    return [
        ratio_row("B1", store.kind, "submissions/s, application service", hub, raw, "events/s", 0.5, scale.submissions)
    ]
