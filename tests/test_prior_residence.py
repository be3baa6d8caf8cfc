"""Prior-residence records end to end on both stores: handover, requests, releases, audited reads, clocks."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from events.access import AccessRecorded
from events.disclosure import DisclosureRecorded
from events.records import RecordRequestEscalated, RecordRequestOverdue, RecordRequestReminded
from hub.people.drafts import SubjectDraft
from hub.records.domain import RecordRequestDraft
from hub.service import Hub
from tests.conftest import child_referral, log_of, moved_child

Auth = Callable[[str], dict[str, str]]
RIGA = ZoneInfo("Europe/Riga")
CUSTODY_PDF = b"%PDF-1.4 Tukuma novada barintiesas lemums par aizgadibas tiesibu partraukshanu"


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def referred_family(hub: Hub, client: TestClient) -> list[dict[str, Any]]:
    """A family Tukums' school referred (so Tukums' social service leads its case), as Tukums names it in a
    handover: the child by her personal code only, her mother by the subject id of the referral."""
    referral = ok(client.post("/v1/referrals", json=child_referral(), headers=token(hub, "tukums.school")), 201)
    [mother] = hub.app.referral(UUID(referral["id"])).family
    return [
        {"given_name": "Elza", "family_name": "Kalniņa", "birth_date": "2015-04-12", "personal_code": "120415-20001"},
        {
            "subject_id": str(mother.subject_id),
            "given_name": "Inga",
            "family_name": "Kalniņa",
            "relationship": "mother",
        },
    ]


def token(hub: Hub, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {hub.issue_token(username)}"}


def test_a_family_moves_from_tukums_to_daugavpils_and_its_records_follow(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    tukums_cm, tukums_bt, daugavpils_cm = auth("tukums.cm"), auth("tukums.bt"), auth("daugavpils.cm")

    # Tukums records the move; Daugavpils accepts the handover and gets its checklist.
    move = {"subjects": referred_family(hub, client), "to_municipality": "daugavpils", "moved_on": "2026-01-05"}
    offered = ok(client.post("/v1/handovers", json=move, headers=tukums_cm), 201)
    [referral] = hub.referrals.queries.incoming(hub.principal_for("tukums.cm").agency_id, 1, None)
    handed_over = hub.app.handover(UUID(offered["id"])).subject_ids
    assert handed_over == hub.app.referral(UUID(referral["id"])).subject_ids, "the referral's records, not new ones"
    assert (offered["status"], offered["owner"]["code"], offered["to_agency"]["code"]) == (
        "offered",
        "TUK-SD",
        "DAU-SD",
    )
    accepted = ok(client.post(f"/v1/handovers/{offered['id']}/accept", headers=daugavpils_cm))
    assert accepted["owner"]["code"] == "DAU-SD"
    checklist = {item["responder"]["code"]: item for item in accepted["checklist"]}
    assert set(checklist) == {"TUK-SD", "TUK-BT"}
    assert "court_decisions" in checklist["TUK-BT"]["categories"]
    assert not any(item["done"] for item in accepted["checklist"])

    # Daugavpils asks Tukuma's social service and bāriņtiesa.
    def ask(agency: str, categories: list[str]) -> dict[str, Any]:
        body = {
            "municipality": "tukuma-novads",
            "agencies": [agency],
            "handover_id": offered["id"],
            "basis": "GDPR-6-1-c",
            "categories": categories,
        }
        [created] = ok(client.post("/v1/record-requests", json=body, headers=daugavpils_cm), 201)
        return dict(created)

    to_social_service = ask("TUK-SD", ["assessment", "services"])
    to_court = ask("TUK-BT", ["court_decisions"])
    assert to_social_service["status"] == "open"
    assert to_social_service["due_at"] > to_social_service["created_at"]
    incoming = ok(client.get("/v1/record-requests?box=incoming", headers=tukums_cm))
    assert [row["id"] for row in incoming] == [to_social_service["id"]]
    assert "subjects" not in incoming[0]

    # The social service releases assessments and services; the bāriņtiesa a custody decision with a document.
    ok(client.post(f"/v1/record-requests/{to_social_service['id']}/acknowledge", headers=tukums_cm))
    answered = ok(
        client.post(
            f"/v1/record-requests/{to_social_service['id']}/answers",
            json={
                "answers": [
                    {
                        "category": "assessment",
                        "outcome": "released",
                        "entries": [
                            {"title": "Izvērtēšana", "text": "Ģimenei vajadzīgs atbalsts.", "recorded_on": "2025-06-01"}
                        ],
                    },
                    {
                        "category": "services",
                        "outcome": "released",
                        "entries": [{"title": "Ģimenes asistents", "text": "2025-03 līdz 2025-12"}],
                    },
                ]
            },
            headers=tukums_cm,
        )
    )
    assert answered["status"] == "answered"
    ok(client.post(f"/v1/record-requests/{to_court['id']}/acknowledge", headers=tukums_bt))
    document = {
        "file_name": "lemums.pdf",
        "media_type": "application/pdf",
        "content_base64": base64.b64encode(CUSTODY_PDF).decode(),
    }
    ok(
        client.post(
            f"/v1/record-requests/{to_court['id']}/answers",
            json={"answers": [{"category": "court_decisions", "outcome": "released", "documents": [document]}]},
            headers=tukums_bt,
        )
    )
    disclosures = log_of(hub, DisclosureRecorded)
    assert {(str(d.via_request_id), d.basis, d.categories) for d in disclosures} == {
        (to_social_service["id"], "GDPR-6-1-c", ("assessment", "services")),
        (to_court["id"], "GDPR-6-1-c", ("court_decisions",)),
    }

    # The requester reads both (audited) and downloads the decision; the blob at rest is not the plain text.
    released = ok(client.get(f"/v1/record-requests/{to_social_service['id']}/released", headers=daugavpils_cm))
    assert [part["category"] for part in released["released"]] == ["assessment", "services"]
    assert released["restriction"]["lv"]
    court = ok(client.get(f"/v1/record-requests/{to_court['id']}/released", headers=daugavpils_cm))
    [reference] = court["released"][0]["documents"]
    assert (reference["size"], reference["sha256"]) == (len(CUSTODY_PDF), hashlib.sha256(CUSTODY_PDF).hexdigest())
    download = client.get(
        f"/v1/record-requests/{to_court['id']}/documents/{reference['document_id']}", headers=daugavpils_cm
    )
    assert (download.status_code, download.content) == (200, CUSTODY_PDF)
    blob = (hub.settings.documents_path / f"{reference['document_id']}.blob").read_bytes()
    assert CUSTODY_PDF not in blob
    reads = [event for event in log_of(hub, AccessRecorded) if event.action.startswith("records.")]
    assert [(event.action, event.decision, event.actor.user_id) for event in reads] == [
        ("records.read", "permit", "daugavpils.cm"),
        ("records.read", "permit", "daugavpils.cm"),
        ("records.document", "permit", "daugavpils.cm"),
    ]
    assert set(reads[0].categories) == {"status", "assessment", "services"}

    # A police user (Daugavpils or anywhere) cannot read them, and the attempt is recorded.
    police = client.get(f"/v1/record-requests/{to_court['id']}/released", headers=auth("police.officer"))
    assert (police.status_code, police.json()["reason"]) == (404, "record_request_not_found")
    denial = log_of(hub, AccessRecorded)[-1]
    assert (denial.actor.user_id, denial.decision, denial.action) == ("police.officer", "deny", "records.read")

    # The checklist shows both requests made; the old service sees its own history only.
    owner_view = ok(client.get(f"/v1/handovers/{offered['id']}", headers=daugavpils_cm))
    assert all(item["done"] for item in owner_view["checklist"])
    old_view = ok(client.get(f"/v1/handovers/{offered['id']}", headers=tukums_cm))
    assert old_view["status"] == "accepted"
    assert "checklist" not in old_view
    hidden = client.get(f"/v1/record-requests/{to_social_service['id']}/released", headers=tukums_cm)
    assert hidden.status_code == 404

    # The supervision view shows turnaround and the share of handed-over cases holding prior-residence records.
    assert client.get("/v1/supervision/records", headers=daugavpils_cm).status_code == 403
    figures = {
        row["municipality"]: row
        for row in ok(client.get("/v1/supervision/records", headers=auth("ministry.supervisor")))
    }
    tukums, daugavpils = figures["tukuma-novads"], figures["daugavpils"]
    assert (tukums["requests_received"], tukums["answered"], tukums["answered_on_time_percent"]) == (2, 2, 100.0)
    assert tukums["median_turnaround_hours"] is not None
    assert tukums["p90_turnaround_hours"] is not None
    assert (daugavpils["requests_sent"], daugavpils["cases_holding_prior_residence_records_percent"]) == (2, 100.0)


def test_an_unanswered_request_reminds_then_escalates_when_overdue_across_a_weekend(
    hub: Hub, client: TestClient
) -> None:
    friday = datetime(2025, 10, 10, 15, 0, tzinfo=RIGA)
    child = moved_child(hub)
    draft = RecordRequestDraft(
        municipality="tukuma-novads",
        agencies=["TUK-SD"],
        subjects=[SubjectDraft(given_name="Elza", family_name="Kalniņa", personal_code=child["code"])],
        basis="GDPR-6-1-c",
        categories=["assessment"],
        urgency="urgent",
    )
    [request] = hub.records.create(hub.principal_for("daugavpils.cm"), draft, now=friday)
    assert datetime.fromisoformat(str(request["due_at"])) == datetime(2025, 10, 13, 15, 0, tzinfo=RIGA)

    assert hub.records.tick(datetime(2025, 10, 11, 12, 0, tzinfo=RIGA)) == 0  # Saturday: nothing yet
    assert hub.records.tick(datetime(2025, 10, 13, 11, 30, tzinfo=RIGA)) == 1  # Monday, due within 4 hours
    assert hub.records.tick(datetime(2025, 10, 13, 12, 0, tzinfo=RIGA)) == 0  # idempotent
    overdue_at = datetime(2025, 10, 13, 15, 1, tzinfo=RIGA)
    assert hub.records.tick(overdue_at) == 2
    assert hub.records.tick(overdue_at) == 0
    assert [
        type(event) for event in log_of(hub, RecordRequestReminded | RecordRequestOverdue | RecordRequestEscalated)
    ] == [
        RecordRequestReminded,
        RecordRequestOverdue,
        RecordRequestEscalated,
    ]
    [escalation] = log_of(hub, RecordRequestEscalated)
    assert (escalation.to_role, escalation.to_agency_id) == (
        "head_of_service",
        hub.principal_for("tukums.head").agency_id,
    )
    [escalated] = hub.records.listing(hub.principal_for("tukums.head"), "escalated", 10)
    assert escalated["id"] == request["id"]
    figures = {
        row["municipality"]: row
        for row in hub.supervision.records(hub.principal_for("ministry.supervisor"), overdue_at)
    }
    assert figures["tukuma-novads"]["overdue_now"] == 1
