"""The record-request and auditor pages through TestClient: the prior-residence flow without JavaScript, bad input
refused with nothing appended, every read recorded, and the audit pages for auditors only."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from events.records import RecordCategoryReleased
from hub.service import Hub
from tests.conftest import domain_events, head, log_of, moved_child
from tests.test_inbox_and_access import access_events
from tests.test_web_pages import submit_by_form
from tests.web import post_form, sign_in

REQUEST_FORM: dict[str, Any] = {
    "municipality": "tukuma-novads",
    "agencies": ["TUK-SD"],
    "given_name": "Elza",
    "family_name": "Kalniņa",
    "birth_date": "2015-04-12",
    "basis": "GDPR-6-1-c",
    "categories": ["assessment", "services"],
    "urgency": "urgent",
}


def ask_for_records(client: TestClient, hub: Hub) -> str:
    """Daugavpils asks Tukums about a child who moved (known to both by her personal code)."""
    child = moved_child(hub)
    sign_in(client, hub, "daugavpils.cm")
    response = post_form(client, "/records/new", {**REQUEST_FORM, "personal_code": child["code"]})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/records?box=outgoing"
    [envelope] = hub.records.listing(hub.principal_for("daugavpils.cm"), "outgoing", 10)
    return str(envelope["id"])


def test_prior_residence_records_are_asked_answered_and_read_on_the_pages(client: TestClient, hub: Hub) -> None:
    sign_in(client, hub, "daugavpils.cm")
    form = client.get("/records/new")
    assert 'value="GDPR-6-1-c"' in form.text
    assert 'value="BTAL-73"' not in form.text
    before = head(hub)
    refused = post_form(client, "/records/new", {**REQUEST_FORM, "categories": []})
    assert refused.status_code == 422
    assert 'id="categories" aria-invalid="true" aria-describedby="categories-error"' in refused.text
    assert 'value="Elza"' in refused.text  # the form again, with what was typed
    assert head(hub) == before

    request_id = ask_for_records(client, hub)
    outgoing = client.get("/records?box=outgoing")
    assert f"/records/{request_id}" in outgoing.text
    assert "Elza" not in outgoing.text  # the list carries envelopes only

    sign_in(client, hub, "tukums.cm")
    assert f"/records/{request_id}" in client.get("/records").text
    page = client.get(f"/records/{request_id}")
    assert "Elza Kalniņa" in page.text
    assert f'action="/records/{request_id}/acknowledge"' in page.text
    assert post_form(client, f"/records/{request_id}/acknowledge").status_code == 303
    before = domain_events(hub)
    nothing = post_form(client, f"/records/{request_id}/answers", {"outcome.assessment": ""})
    assert nothing.status_code == 422
    assert domain_events(hub) == before  # the page shown again with the error is a recorded read, nothing more
    assert 'id="form-errors"' in nothing.text
    assert "Elza Kalniņa" in nothing.text
    answered = post_form(
        client,
        f"/records/{request_id}/answers",
        {
            "outcome.assessment": "released",
            "title.assessment": "Izvērtēšana 2024",
            "text.assessment": "Ģimenei vajadzīgs atbalsts.",
            "onward.assessment": "yes",
            "outcome.services": "withheld",
            "reason.services": "ongoing_investigation",
        },
    )
    assert answered.status_code == 303, answered.text
    assert "Notiek izmeklēšana" in client.get(f"/records/{request_id}").text
    [release] = log_of(hub, RecordCategoryReleased)
    assert release.onward_allowed, "the releasing agency's permission to pass the records on is recorded"

    sign_in(client, hub, "daugavpils.cm")
    assert f"/records/{request_id}/released" in client.get(f"/records/{request_id}").text
    released = client.get(f"/records/{request_id}/released")
    assert "Ģimenei vajadzīgs atbalsts." in released.text
    assert "tālāk izpaust drīkst tikai" in released.text

    sign_in(client, hub, "riga.cm")
    denied = client.get(f"/records/{request_id}")
    assert denied.status_code == 404
    assert "Elza" not in denied.text
    before = head(hub)
    foreign = post_form(
        client, f"/records/{request_id}/answers", {"outcome.services": "withheld", "reason.services": "no_records"}
    )
    assert foreign.status_code == 403
    assert "not_responder" in foreign.text
    assert head(hub) == before
    reads = [event for event in access_events(hub) if event.resource.startswith(f"record_request:{request_id}")]
    assert [(event.actor.user_id, event.action, event.decision) for event in reads] == [
        ("tukums.cm", "record_request.read", "permit"),
        ("tukums.cm", "record_request.read", "permit"),
        ("tukums.cm", "record_request.read", "permit"),  # the refused answer shown again on its page
        ("daugavpils.cm", "record_request.read", "permit"),
        ("daugavpils.cm", "records.read", "permit"),
        ("riga.cm", "record_request.read", "deny"),
    ]


def test_the_auditor_replays_a_childs_accesses_and_verifies_the_log(client: TestClient, hub: Hub) -> None:
    referral_id = submit_by_form(client, hub)
    child = str(hub.app.referral(UUID(referral_id)).child.subject_id)
    sign_in(client, hub, "tukums.intake")
    client.get(f"/referrals/{referral_id}")
    assert 'href="/audit"' not in client.get("/inbox").text
    assert client.get("/audit").status_code == 403
    assert post_form(client, "/audit/verify").status_code == 403

    sign_in(client, hub, "auditor")
    assert 'href="/audit"' in client.get("/audit").text
    before = head(hub)
    bad = client.get("/audit", params={"run": "1", "subject": "not-a-uuid"})
    assert bad.status_code == 422
    assert "invalid_subject" in bad.text
    assert client.get("/audit", params={"run": "1", "agency": "NOPE"}).status_code == 422
    assert client.get("/audit", params={"run": "1", "since": "yesterday"}).status_code == 422
    assert head(hub) == before

    replayed = client.get(
        "/audit", params={"run": "1", "subject": child, "user": "tukums.intake", "decision": "permit"}
    )
    assert replayed.status_code == 200
    assert "referral.read" in replayed.text
    assert "tukums.intake" in replayed.text
    assert "tukums.school" not in replayed.text
    assert "Nav atbilstošu" in client.get("/audit", params={"run": "1", "break_glass_only": "true"}).text

    verified = post_form(client, "/audit/verify")
    assert verified.status_code == 200
    assert "Žurnāls ir neskarts." in verified.text
    replays = [event for event in access_events(hub) if event.action == "audit.replay"]
    assert [(event.actor.user_id, event.subjects) for event in replays][:1] == [("auditor", (UUID(child),))]


def test_the_access_report_page_is_for_the_agencies_involved_with_the_person(client: TestClient, hub: Hub) -> None:
    referral_id = submit_by_form(client, hub)
    child = hub.app.referral(UUID(referral_id)).child.subject_id
    sign_in(client, hub, "tukums.cm")
    client.get(f"/referrals/{referral_id}")
    report = client.get(f"/subjects/{child}/access-report")
    assert report.status_code == 200
    assert "Kas ir piekļuvis šīs personas datiem" in report.text
    sign_in(client, hub, "riga.cm")
    assert client.get(f"/subjects/{child}/access-report").status_code == 403
    reports = [event for event in access_events(hub) if event.action == "audit.access-report"]
    assert [(event.actor.user_id, event.decision) for event in reports] == [
        ("tukums.cm", "permit"),
        ("riga.cm", "deny"),
    ]
