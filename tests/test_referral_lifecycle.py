"""The life of a referral through the API: transitions, who may take them, feedback, redirection, supervision."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from hub.service import Hub
from tests.conftest import child_referral, domain_events

Auth = Callable[[str], dict[str, str]]
RIGA = ZoneInfo("Europe/Riga")


class FrozenClock:
    """The hub's clock, moved by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def freeze(hub: Hub, start: datetime) -> FrozenClock:
    clock = FrozenClock(start)
    hub.clock = clock
    return clock


def submit(client: TestClient, auth: Auth, user: str = "tukums.school", **overrides: Any) -> str:
    response = client.post("/v1/referrals", json=child_referral(**overrides), headers=auth(user))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def act(client: TestClient, auth: Auth, user: str, referral_id: str, action: str, **body: Any) -> dict[str, Any]:
    response = client.post(f"/v1/referrals/{referral_id}/{action}", json=body or None, headers=auth(user))
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_the_whole_life_of_a_referral(client: TestClient, hub: Hub, auth: Auth) -> None:
    clock = freeze(hub, datetime(2026, 11, 23, 9, 0, tzinfo=RIGA))
    referral_id = submit(client, auth)
    clock.advance(hours=2)
    assert act(client, auth, "tukums.intake", referral_id, "acknowledge")["status"] == "acknowledged"
    assert act(client, auth, "tukums.intake", referral_id, "assign", worker="tukums.cm")["status"] == "assigned"
    question = "Kopš kura datuma bērns neapmeklē skolu?"
    asked = act(client, auth, "tukums.cm", referral_id, "request-information", question=question)
    assert asked["status"] == "information_requested"
    answered = act(client, auth, "tukums.school", referral_id, "provide-information", answer="Kopš 2. novembra.")
    assert answered["status"] == "assigned"
    clock.advance(days=1)
    assert act(client, auth, "tukums.cm", referral_id, "accept")["status"] == "accepted"
    closed = act(client, auth, "tukums.cm", referral_id, "close", outcome="services_provided")
    assert closed == {"id": referral_id, "status": "closed", "version": 7}

    full = client.get(f"/v1/referrals/{referral_id}/timeline", headers=auth("tukums.cm")).json()["entries"]
    assert [entry["event"] for entry in full] == [
        "submitted",
        "acknowledged",
        "assigned",
        "information_requested",
        "information_provided",
        "accepted",
        "closed",
    ]
    assert full[2]["details"] == {"worker": "tukums.cm"}
    assert full[1]["by"] == {"user": "tukums.intake", "role": "intake_officer", "agency": "TUK-SD"}

    school_view = client.get(f"/v1/referrals/{referral_id}/timeline", headers=auth("tukums.school")).json()
    milestones = [(entry["milestone"], entry.get("outcome")) for entry in school_view["entries"]]
    assert milestones == [
        ("sent", None),
        ("received", None),
        ("information_requested", None),
        ("being_acted_on", None),
        ("closed", "services_provided"),
    ]
    assert school_view["entries"][2]["question"] == question
    assert all("by" not in entry and "details" not in entry for entry in school_view["entries"])
    outgoing = client.get("/v1/inbox", params={"direction": "outgoing"}, headers=auth("tukums.school")).json()
    assert outgoing["items"][0]["milestone"] == "closed"
    assert outgoing["items"][0]["outcome"] == "services_provided"
    document = client.get(f"/v1/referrals/{referral_id}", headers=auth("tukums.school")).json()
    assert "summary" not in document
    assert "worker" not in document

    figures = client.get(
        "/v1/supervision/referrals", params={"municipality": "tukuma-novads"}, headers=auth("ministry.supervisor")
    )
    assert figures.status_code == 200, figures.text
    [tukums] = figures.json()["municipalities"]
    assert tukums["referrals"] == 1
    assert tukums["by_source_kind"] == {"school": 1}
    assert tukums["by_concern"] == {"neglect": 1, "school_absence": 1}
    assert tukums["time_to_acknowledge"] == {"count": 1, "median_hours": 2.0, "p90_hours": 2.0}
    assert tukums["time_to_decide"] == {"count": 1, "median_hours": 26.0, "p90_hours": 26.0}
    assert tukums["overdue_now"] == []
    assert str(referral_id) not in figures.text


def test_supervision_is_for_the_ministry_only_and_audited(client: TestClient, hub: Hub, auth: Auth) -> None:
    submit(client, auth)
    for user in ("tukums.head", "auditor", "tukums.school"):
        response = client.get("/v1/supervision/referrals", headers=auth(user))
        assert response.status_code == 403, user
        assert response.json()["reason"] == "access_denied"
    from tests.test_inbox_and_access import access_events

    denials = [event for event in access_events(hub) if event.action == "supervision.read"]
    assert [event.decision for event in denials] == ["deny", "deny", "deny"]


def test_only_the_right_agency_and_role_may_act(client: TestClient, hub: Hub, auth: Auth) -> None:
    referral_id = submit(client, auth, concerns=["violence_physical"])
    before = domain_events(hub)
    cases = [
        ("tukums.school", "acknowledge", {}, 403, "action_not_permitted"),
        ("tukums.bt", "acknowledge", {}, 403, "action_not_permitted"),
        ("daugavpils.cm", "acknowledge", {}, 404, "referral_not_found"),
        ("tukums.cm", "withdraw", {"reason": "x"}, 403, "action_not_permitted"),
        ("tukums.intake", "decline", {"reason": "x"}, 403, "action_not_permitted"),
        ("tukums.cm", "accept", {}, 409, "illegal_transition"),
        ("tukums.cm", "close", {"outcome": "services_provided"}, 409, "illegal_transition"),
        ("tukums.school", "provide-information", {"answer": "x"}, 409, "illegal_transition"),
    ]
    for user, action, body, status, reason in cases:
        response = client.post(f"/v1/referrals/{referral_id}/{action}", json=body or None, headers=auth(user))
        assert (response.status_code, response.json()["reason"]) == (status, reason), (user, action)
    act(client, auth, "tukums.intake", referral_id, "acknowledge")
    for worker in ("daugavpils.cm", "tukums.school", "nobody"):
        response = client.post(
            f"/v1/referrals/{referral_id}/assign", json={"worker": worker}, headers=auth("tukums.head")
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["reason"] == "worker_not_assignable"
    assert domain_events(hub) == before + 1


def test_bad_transition_bodies_are_422_and_append_nothing(client: TestClient, hub: Hub, auth: Auth) -> None:
    referral_id = submit(client, auth)
    before = domain_events(hub)
    for action, body in [
        ("close", {"outcome": "happy"}),
        ("decline", {"reason": ""}),
        ("decline", {"reason": 5}),
        ("redirect", {"municipality": "atlantis", "reason": "moved"}),
        ("assign", {}),
        ("request-information", {"question": "x", "extra": 1}),
    ]:
        response = client.post(f"/v1/referrals/{referral_id}/{action}", json=body, headers=auth("tukums.head"))
        assert response.status_code == 422, (action, body, response.text)
    assert client.post("/v1/referrals/not-a-uuid/acknowledge", headers=auth("tukums.head")).status_code == 422
    assert domain_events(hub) == before


def test_withdrawal_by_the_referrer_before_acceptance(client: TestClient, auth: Auth) -> None:
    referral_id = submit(client, auth)
    act(client, auth, "tukums.intake", referral_id, "acknowledge")
    assert act(client, auth, "tukums.school", referral_id, "withdraw", reason="Kļūda")["status"] == "withdrawn"
    again = client.post(f"/v1/referrals/{referral_id}/acknowledge", headers=auth("tukums.intake"))
    assert again.status_code == 409


def test_redirection_to_another_municipality_keeps_the_clock(client: TestClient, hub: Hub, auth: Auth) -> None:
    freeze(hub, datetime(2026, 11, 23, 9, 0, tzinfo=RIGA))
    referral_id = submit(client, auth)
    incoming = client.get("/v1/inbox", headers=auth("tukums.intake")).json()["items"][0]
    due_before = {clock["clock"]: clock["due_at"] for clock in incoming["clocks"]}

    same = client.post(
        f"/v1/referrals/{referral_id}/redirect",
        json={"municipality": "tukuma-novads", "reason": "x"},
        headers=auth("tukums.intake"),
    )
    assert (same.status_code, same.json()["reason"]) == (409, "redirect_to_self")
    moved = act(
        client, auth, "tukums.intake", referral_id, "redirect", municipality="daugavpils", reason="Ģimene pārcēlusies"
    )
    assert moved["status"] == "submitted"
    assert [agency["code"] for agency in moved["routed_to"]] == ["DAU-SD"]

    assert client.get(f"/v1/referrals/{referral_id}", headers=auth("tukums.cm")).status_code == 404
    assert client.get("/v1/inbox", headers=auth("tukums.intake")).json()["items"] == []
    arrived = client.get("/v1/inbox", headers=auth("daugavpils.cm")).json()["items"][0]
    assert arrived["id"] == referral_id
    assert {clock["clock"]: clock["due_at"] for clock in arrived["clocks"]} == due_before
    timeline = client.get(f"/v1/referrals/{referral_id}/timeline", headers=auth("daugavpils.cm")).json()
    assert timeline["entries"][-1]["details"] == {"from": "TUK-SD", "to": "DAU-SD", "reason": "Ģimene pārcēlusies"}
    assert act(client, auth, "daugavpils.cm", referral_id, "acknowledge")["status"] == "acknowledged"
    school = client.get("/v1/inbox", params={"direction": "outgoing"}, headers=auth("tukums.school")).json()
    assert school["items"][0]["with"]["code"] == "DAU-SD"


def test_a_second_referral_joins_the_open_case(client: TestClient, auth: Auth) -> None:
    first = submit(client, auth)
    for user, action, body in [
        ("tukums.intake", "acknowledge", {}),
        ("tukums.intake", "assign", {"worker": "tukums.cm"}),
        ("tukums.cm", "accept", {}),
    ]:
        act(client, auth, user, first, action, **body)
    response = client.post("/v1/referrals", json=child_referral(), headers=auth("doctor"))
    receipt = response.json()
    assert receipt["already_known"] is True
    assert receipt["notice"]["lv"].startswith("Bērns jau ir zināms sociālajam dienestam")
    assert "summary" not in response.text
    second = receipt["id"]
    for user, action, body in [
        ("tukums.intake", "acknowledge", {}),
        ("tukums.intake", "assign", {"worker": "tukums.cm"}),
        ("tukums.cm", "accept", {}),
    ]:
        act(client, auth, user, second, action, **body)
    timeline = client.get(f"/v1/referrals/{second}/timeline", headers=auth("tukums.cm")).json()
    first_case = client.get(f"/v1/referrals/{first}/timeline", headers=auth("tukums.cm")).json()
    accepted = timeline["entries"][-1]["details"]
    assert accepted["linked_existing_case"] is True
    assert accepted["case_id"] == first_case["entries"][-1]["details"]["case_id"]
    incoming = client.get("/v1/inbox", headers=auth("tukums.cm")).json()["items"]
    assert incoming[0]["linked_to"] == [first]
