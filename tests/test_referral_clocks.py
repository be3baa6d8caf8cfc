"""Response clocks in Latvian working time: weekends, the 18 November holiday, one overdue event per breach."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from events.referrals import ReferralOverdue
from events.values import AgencyKind, Urgency
from hub.service import Hub
from policies.clocks import add_working_days, deadlines, is_working_day
from tests.conftest import log_of
from tests.test_referral_lifecycle import freeze, submit

Auth = Callable[[str], dict[str, str]]
RIGA = ZoneInfo("Europe/Riga")


def riga(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=RIGA)


def test_working_days_skip_weekends_and_proclamation_day() -> None:
    assert not is_working_day(riga(18, 12).date())  # Latvijas Republikas proklamēšanas diena
    assert not is_working_day(riga(21, 12).date())  # Saturday
    assert add_working_days(riga(17, 10), 1) == riga(19, 10)
    assert add_working_days(riga(20, 15), 1) == riga(23, 15)
    assert add_working_days(riga(21, 9), 1) == riga(24, 0)  # received on Saturday: due when Monday ends
    assert add_working_days(riga(17, 10), 10) == riga(2, 10, month=12)
    immediate = deadlines(Urgency.IMMEDIATE, AgencyKind.SOCIAL_SERVICE)
    assert immediate["acknowledge"].due(riga(21, 10)) == riga(21, 12)  # calendar hours, weekend or not


def overdue_events(hub: Hub) -> list[ReferralOverdue]:
    return log_of(hub, ReferralOverdue)


def clocks_of(client: TestClient, auth: Auth, user: str) -> dict[str, list[tuple[str, str, bool]]]:
    items = client.get("/v1/inbox", headers=auth(user)).json()["items"]
    return {
        item["id"]: [(clock["clock"], clock["due_at"], clock["overdue"]) for clock in item["clocks"]] for item in items
    }


def test_clocks_across_a_weekend_and_a_holiday_raise_one_overdue_event_each(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    clock = freeze(hub, riga(17, 10))
    routine = submit(client, auth, urgency="routine")
    clock.now = riga(20, 15)
    urgent = submit(client, auth, urgency="urgent")

    assert hub.referral_workflow.tick(riga(18, 23, 59)) == []  # the holiday does not count
    first = hub.referral_workflow.tick(riga(19, 10, 1))
    assert [(str(event.originator_id), event.clock) for event in first] == [(routine, "acknowledge")]
    assert first[0].due_at == riga(19, 10)
    assert first[0].escalated_to == ("tukums.head",)
    assert hub.referral_workflow.tick(riga(19, 12)) == []  # once per breach
    assert hub.referral_workflow.tick(riga(22, 23)) == []  # the weekend does not count for the urgent one
    second = hub.referral_workflow.tick(riga(23, 15, 1))
    assert [(str(event.originator_id), event.clock) for event in second] == [(urgent, "acknowledge")]

    clock.now = riga(24, 9)
    response = client.post(f"/v1/referrals/{urgent}/acknowledge", headers=auth("tukums.intake"))
    assert response.status_code == 200
    late = hub.referral_workflow.tick(riga(2, 10, 1, month=12))
    assert sorted((str(event.originator_id), event.clock) for event in late) == sorted(
        [(routine, "decide"), (urgent, "decide")]
    )
    assert len(overdue_events(hub)) == 4
    assert hub.referral_workflow.tick(riga(3, 10, month=12)) == []

    clock.now = riga(3, 10, month=12)
    before = clocks_of(client, auth, "tukums.cm")
    assert before[routine] == [
        ("acknowledge", "2026-11-19T08:00:00Z", True),
        ("decide", "2026-12-02T08:00:00Z", True),
    ]
    hub.follower.rebuild(hub.referral_view)
    assert clocks_of(client, auth, "tukums.cm") == before

    figures = client.get("/v1/supervision/referrals", headers=auth("ministry.supervisor")).json()
    [tukums] = figures["municipalities"]
    assert sorted(item["clock"] for item in tukums["overdue_now"]) == ["acknowledge", "decide", "decide"]
    assert tukums["time_to_acknowledge"]["count"] == 1


def test_a_stopped_clock_never_goes_overdue(client: TestClient, hub: Hub, auth: Auth) -> None:
    clock = freeze(hub, riga(23, 9))
    referral_id = submit(client, auth, urgency="immediate")
    clock.now = riga(23, 10)
    assert client.post(f"/v1/referrals/{referral_id}/acknowledge", headers=auth("tukums.intake")).status_code == 200
    assert [event.clock for event in hub.referral_workflow.tick(riga(30, 12))] == ["decide"]
    assert hub.referral_workflow.tick(riga(30, 13)) == []
