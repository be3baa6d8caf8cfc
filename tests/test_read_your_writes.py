"""Reads see the writes acknowledged before them by waiting for the views' positions, bounded (503 `views_behind`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from events.registry import UserRegistered
from events.values import Role
from hub.kernel.errors import Unavailable
from hub.referrals.domain import ReferralDraft
from hub.service import Hub
from projections.follower import ViewsBehind
from tests.conftest import distinct_child_referral

Auth = Callable[[str], dict[str, str]]

SCHOOL, INTAKE = "tukums.school", "tukums.intake"


def submit(hub: Hub, number: int) -> str:
    draft = ReferralDraft.model_validate(distinct_child_referral(number))
    return str(hub.referrals.submit(hub.principal_for(SCHOOL), draft)["id"])


def incoming(hub: Hub) -> set[str]:
    page = hub.referrals.inbox(hub.principal_for(INTAKE), "incoming", 1000, None, "read-your-writes test")
    return {item["id"] for item in page.items}


def test_an_append_returns_the_position_of_the_last_event_it_stored(hub: Hub) -> None:
    agency_id = hub.principal_for(SCHOOL).agency_id
    events = [
        UserRegistered(
            originator_id=uuid4(),
            originator_version=1,
            username=f"teacher.{number}",
            display_name="Sociālā darbiniece",
            agency_id=agency_id,
            roles=(Role.CASE_MANAGER,),
        )
        for number in range(2)
    ]
    position = hub.app.append(*events)
    assert position == hub.app.recorder.max_notification_id()
    stored = hub.app.recorder.select_notifications(position - 1, 2)
    assert [notification.originator_id for notification in stored] == [event.originator_id for event in events]


def test_waiting_without_a_background_follower_applies_what_is_missing_itself(hub: Hub) -> None:
    referral_id = submit(hub, 1)
    hub.follower.wait_for(hub.app.recorder.max_notification_id() or 0, timeout=5)
    rows = hub.referrals.queries.incoming(hub.principal_for(INTAKE).agency_id, 10, None)
    assert referral_id in {row["id"] for row in rows}


def test_waiting_wakes_the_background_follower_instead_of_waiting_for_its_interval(hub: Hub) -> None:
    hub.follower.start(interval=60)
    try:
        time.sleep(0.2)  # its first pass is done; the next is a minute away unless a read wakes it
        referral_id = submit(hub, 1)
        started = time.monotonic()
        assert referral_id in incoming(hub)
        assert time.monotonic() - started < 5
    finally:
        hub.follower.stop()


def test_a_position_the_views_do_not_reach_in_time_is_views_behind(hub: Hub) -> None:
    head = hub.app.recorder.max_notification_id() or 0
    started = time.monotonic()
    with pytest.raises(ViewsBehind):
        hub.follower.wait_for(head + 1, timeout=0.2)
    assert time.monotonic() - started < 2
    hub.follower.wait_for(head, timeout=0)  # what is there returns at once, without a wait


def test_a_read_while_the_views_stay_behind_is_503_views_behind_not_500(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    submit(hub, 1)
    hub.views_wait_seconds = 0.2
    with hub.follower._lock:  # another catch-up (a long rebuild, say) holds the views longer than a read may wait
        response = client.get("/v1/inbox", headers=auth(INTAKE))
    assert response.status_code == 503
    assert response.json()["reason"] == "views_behind"
    assert client.get("/v1/inbox", headers=auth(INTAKE)).status_code == 200


def test_core_turns_views_behind_into_unavailable(hub: Hub) -> None:
    hub.views_wait_seconds = 0.1
    with pytest.raises(Unavailable) as refused:
        hub.wait_for_views((hub.app.recorder.max_notification_id() or 0) + 1)
    assert refused.value.reason == "views_behind"


@pytest.mark.parametrize("settings", ["postgres"], indirect=True)
def test_two_processes_on_one_database_read_every_write_acknowledged_before_the_read(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    """Two hubs (two processes' followers on one database, one following in the background as `hub serve` does)
    write and read at once: no position conflict surfaces, and each read sees every write acknowledged before it."""
    other = Hub(hub.settings)
    other.follower.start(interval=0.05)
    acknowledged: set[str] = set()
    guard = threading.Lock()
    failures: list[Any] = []

    def work(writer: Hub, reader: Hub, first: int) -> None:
        try:
            for number in range(first, first + 12):
                referral_id = submit(writer, number)
                with guard:
                    acknowledged.add(referral_id)
                    seen_before = set(acknowledged)
                missing = seen_before - incoming(reader)
                if missing:
                    failures.append(f"a read missed {len(missing)} acknowledged referral(s)")
        except Exception as error:
            failures.append(error)

    threads = [
        threading.Thread(target=work, args=(hub, other, 0)),
        threading.Thread(target=work, args=(other, hub, 100)),
        threading.Thread(target=work, args=(hub, hub, 200)),
        threading.Thread(target=work, args=(other, other, 300)),
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        other.close()
    assert failures == []
    assert len(acknowledged) == 48
    assert not [record for record in caplog.records if record.levelname == "ERROR"]
