"""Staff track a person's written requests (GDPR Art. 12(3)) on both stores: the lead social service (or the data
protection officer) records one with its calendar-month clock, extends it once with a reason within the first
month, marks it answered; overdue requests are flagged by the due work; other agencies, the same kind in another
municipality included, are refused and recorded; bad input appends nothing. The page and the command line too."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from events.access import AccessRecorded
from events.written_requests import WrittenRequestOverdue
from hub.cli import app
from hub.kernel.config import Settings
from hub.service import Hub
from hub.web.session import SESSION_COOKIE
from tests.conftest import child_referral, cli_store_with_a_referral, domain_events, log_of

Auth = Callable[[str], dict[str, str]]
NOW = datetime(2026, 12, 10, 9, tzinfo=UTC)


def child_of(client: TestClient, hub: Hub, auth: Auth) -> str:
    hub.clock = lambda: NOW
    response = client.post("/v1/referrals", json=child_referral(), headers=auth("tukums.school"))
    assert response.status_code == 201, response.text
    return str(hub.app.referral(UUID(response.json()["id"])).child.subject_id)


def post(client: TestClient, auth: Auth, user: str, path: str, body: object = None) -> tuple[int, dict[str, object]]:
    response = client.post(path, json=body, headers=auth(user))
    return response.status_code, response.json()


def test_a_written_request_runs_a_calendar_month_extends_once_and_is_answered(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    child = child_of(client, hub, auth)
    status, recorded = post(
        client, auth, "tukums.cm", "/v1/written-requests",
        {"subject_id": child, "right": "access", "received_on": "2026-12-03"},
    )  # fmt: skip
    assert status == 201, recorded
    # 3 January 2027 is a Sunday: due by the end of Monday 4 January, Riga time.
    assert recorded["due_at"] == "2027-01-04T22:00:00Z"
    assert (recorded["status"], recorded["extended"], recorded["overdue"]) == ("open", False, False)
    request_id = recorded["id"]

    status, extended = post(
        client, auth, "tukums.head", f"/v1/written-requests/{request_id}/extend", {"reason": "Jāsaņem arhīva dati."}
    )
    assert status == 200, extended
    assert (extended["due_at"], extended["extended"]) == ("2027-03-03T22:00:00Z", True)
    again = post(client, auth, "tukums.cm", f"/v1/written-requests/{request_id}/extend", {"reason": "Vēl laiks."})
    assert again[0] == 409
    assert again[1]["reason"] == "written_request_extended"

    status, answered = post(client, auth, "tukums.cm", f"/v1/written-requests/{request_id}/answer")
    assert (status, answered["status"]) == (200, "answered")
    assert post(client, auth, "tukums.cm", f"/v1/written-requests/{request_id}/answer")[0] == 409

    # Past its due time an open request is overdue (once), and can no longer be extended.
    _, late = post(
        client, auth, "tukums.cm", "/v1/written-requests",
        {"subject_id": child, "right": "erasure", "received_on": "2026-12-01"},
    )  # fmt: skip
    assert hub.written_requests.tick(datetime(2027, 1, 5, tzinfo=UTC)) == 1
    assert hub.written_requests.tick(datetime(2027, 1, 6, tzinfo=UTC)) == 0
    assert len(log_of(hub, WrittenRequestOverdue)) == 1
    hub.notifications.raise_all()  # like every response clock run out: urgent, for the head of service
    [overdue] = [item for item in hub.notifications.items(hub.principal_for("tukums.head")) if item["urgent"]]
    assert (overdue["kind"], overdue["reference"]) == ("response_overdue", late["id"])
    hub.clock = lambda: datetime(2027, 1, 5, tzinfo=UTC)
    too_late = post(
        client, auth, "tukums.cm", f"/v1/written-requests/{late['id']}/extend", {"reason": "Par vēlu, gaidām."}
    )
    assert too_late[1]["reason"] == "extension_too_late"

    listed = client.get("/v1/written-requests", headers=auth("tukums.cm")).json()
    assert [(item["right"], item["status"], item["overdue"]) for item in listed] == [
        ("erasure", "open", True),
        ("access", "answered", False),
    ]
    assert len(client.get("/v1/written-requests", headers=auth("auditor")).json()) == 2  # the DPO sees every one
    assert client.get("/v1/written-requests", headers=auth("daugavpils.cm")).json() == []  # another service's none
    assert client.get("/v1/written-requests", headers=auth("doctor")).status_code == 403


@pytest.mark.parametrize("user", ["daugavpils.cm", "tukums.school", "police.officer", "ministry.supervisor"])
def test_other_agencies_may_not_record_a_written_request_and_the_refusal_is_recorded(
    client: TestClient, hub: Hub, auth: Auth, user: str
) -> None:
    child = child_of(client, hub, auth)
    before = hub.app.recorder.max_notification_id() or 0
    body = {"subject_id": child, "right": "access", "received_on": "2026-12-03"}
    assert post(client, auth, user, "/v1/written-requests", body)[0] == 403
    refusals = [event for event in log_of(hub, AccessRecorded, before) if event.actor.user_id == user]
    assert refusals
    assert refusals[0].decision == "deny"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"right": "access", "received_on": "2026-12-11"}, "received_in_the_future"),
        ({"right": "everything", "received_on": "2026-12-03"}, "invalid_input"),
        ({"right": "access", "received_on": "3.12.2026"}, "invalid_input"),
    ],
)
def test_bad_written_requests_get_a_reason_and_append_nothing(
    client: TestClient, hub: Hub, auth: Auth, body: dict[str, str], reason: str
) -> None:
    child = child_of(client, hub, auth)
    before = domain_events(hub)
    status, problem = post(client, auth, "tukums.cm", "/v1/written-requests", {**body, "subject_id": child})
    assert (status, problem["reason"]) == (422, reason)
    assert domain_events(hub) == before


def test_the_written_requests_page_records_and_shows_the_clock(client: TestClient, hub: Hub, auth: Auth) -> None:
    child_of(client, hub, auth)
    client.cookies.set(SESSION_COOKIE, hub.issue_token("tukums.cm"))
    page = client.get("/written-requests")
    assert page.status_code == 200
    assert "Rakstiski pieprasījumi" in page.text
    form = {
        "csrf": client.cookies["hub_csrf"],
        "person": "120415-20001",
        "right": "access",
        "received_on": "2026-12-03",
    }
    recorded = client.post("/written-requests", data=form, follow_redirects=False)
    assert recorded.status_code == 303, recorded.text
    shown = client.get("/written-requests").text
    assert "Savu datu kopiju un ziņas, kas tos skatījis" in shown
    assert "04.01.2027" in shown or "05.01.2027" in shown
    assert "Gaida atbildi" in shown


def test_written_requests_from_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    referral_id = cli_store_with_a_referral(tmp_path, monkeypatch)
    hub = Hub(Settings(_env_file=None))  # type: ignore[call-arg]
    try:
        subject = str(hub.app.referral(UUID(referral_id)).child.subject_id)
        today = hub.now().date().isoformat()
    finally:
        hub.close()
    runner = CliRunner()
    record = ["requests", "record", "--user", "tukums.cm", "--subject", subject, "--right", "access"]
    recorded = runner.invoke(app, [*record, "--received", today])
    assert recorded.exit_code == 0, recorded.output
    request_id = json.loads(recorded.output)["id"]
    extended = runner.invoke(
        app, ["requests", "extend", "--user", "tukums.cm", "--request", request_id, "--reason", "Gaidām arhīvu."]
    )
    assert json.loads(extended.output)["extended"] is True
    answered = runner.invoke(app, ["requests", "answer", "--user", "tukums.cm", "--request", request_id])
    assert json.loads(answered.output)["status"] == "answered"
    listed = runner.invoke(app, ["requests", "list", "--user", "auditor"])
    assert [item["id"] for item in json.loads(listed.output)] == [request_id]
    refused = runner.invoke(
        app, ["requests", "record", "--user", "riga.cm", "--subject", subject, "--right", "access", "--received", today]
    )
    assert refused.exit_code != 0
