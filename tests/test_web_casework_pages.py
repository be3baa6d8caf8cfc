"""The case work pages through TestClient: refusing and withdrawing record requests, releasing a document and
downloading it under its own name, the escalated box, handovers (offer, accept with the checklist, decline) and
the head of service's review of emergency reads. Every read is recorded; refusals append nothing else."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote
from uuid import UUID

from fastapi.testclient import TestClient

from events.access import AccessRecorded
from events.review import BreakGlassReviewResolved
from hub.service import Hub
from tests.conftest import domain_events, head, known_child, log_of, moved_child
from tests.test_web_records_and_audit import REQUEST_FORM
from tests.web import post_form, sign_in

Auth = Callable[[str], dict[str, str]]
FILE_NAME = "Izvērtējums 2024 (Tukums).pdf"


def ask_for_records(client: TestClient, hub: Hub) -> str:
    """Daugavpils asks Tukums about a child who moved; returns the new request's id."""
    child = moved_child(hub)
    sign_in(client, hub, "daugavpils.cm")
    response = post_form(client, "/records/new", {**REQUEST_FORM, "personal_code": child["code"]})
    assert response.status_code == 303, response.text
    return str(hub.records.listing(hub.principal_for("daugavpils.cm"), "outgoing", 1)[0]["id"])


def recorded(hub: Hub, user: str, action: str, after: int) -> list[AccessRecorded]:
    events = log_of(hub, AccessRecorded, after)
    return [event for event in events if event.actor.user_id == user and event.action == action]


def test_a_request_is_refused_or_withdrawn_on_its_page(client: TestClient, hub: Hub) -> None:
    refused_id = ask_for_records(client, hub)
    page = client.get(f"/records/{refused_id}")
    assert f'action="/records/{refused_id}/withdraw"' in page.text
    sign_in(client, hub, "tukums.cm")
    page = client.get(f"/records/{refused_id}")
    assert f'action="/records/{refused_id}/refuse"' in page.text
    before = domain_events(hub)
    assert post_form(client, f"/records/{refused_id}/refuse", {"reason": ""}).status_code == 422
    assert domain_events(hub) == before
    assert post_form(client, f"/records/{refused_id}/withdraw", {"reason": "x"}).status_code == 403
    assert post_form(client, f"/records/{refused_id}/refuse", {"reason": "Nav mūsu lietvedībā"}).status_code == 303
    page = client.get(f"/records/{refused_id}")
    assert "Nav mūsu lietvedībā" in page.text
    assert f'action="/records/{refused_id}/refuse"' not in page.text

    withdrawn_id = ask_for_records(client, hub)
    assert post_form(client, f"/records/{withdrawn_id}/withdraw", {"reason": "Kļūda"}).status_code == 303
    assert "Kļūda" in client.get(f"/records/{withdrawn_id}").text


def test_a_document_is_uploaded_released_and_downloaded_under_its_name(client: TestClient, hub: Hub) -> None:
    request_id = ask_for_records(client, hub)
    sign_in(client, hub, "tukums.cm")
    assert post_form(client, f"/records/{request_id}/acknowledge").status_code == 303
    assert 'enctype="multipart/form-data"' in client.get(f"/records/{request_id}").text
    content = b"%PDF-1.4 izvertejums"
    answered = client.post(
        f"/records/{request_id}/answers",
        data={"csrf": client.cookies["hub_csrf"], "outcome.assessment": "released"},
        files={"documents.assessment": (FILE_NAME, content, "application/pdf")},
        follow_redirects=False,
    )
    assert answered.status_code == 303, answered.text

    sign_in(client, hub, "daugavpils.cm")
    released = client.get(f"/records/{request_id}/released")
    [reference] = hub.app.record_request(UUID(request_id)).released["assessment"].documents
    link = f"/records/{request_id}/documents/{reference.document_id}"
    assert f'href="{link}"' in released.text
    assert FILE_NAME in released.text
    before = head(hub)
    download = client.get(link)
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["content-type"] == "application/pdf"
    assert f"filename*=UTF-8''{quote(FILE_NAME, safe='!#$&+.^_`|~-')}" in download.headers["content-disposition"]
    assert recorded(hub, "daugavpils.cm", "records.document", before)

    sign_in(client, hub, "tukums.cm")  # the releasing agency is not the recipient
    assert client.get(link).status_code == 404


def test_the_escalated_box_lists_overdue_escalated_requests(client: TestClient, hub: Hub) -> None:
    request_id = ask_for_records(client, hub)
    sign_in(client, hub, "tukums.cm")
    empty = client.get("/records?box=escalated")
    assert empty.status_code == 200
    assert f"/records/{request_id}" not in empty.text
    request = hub.app.record_request(UUID(request_id))
    hub.records.tick(now=request.due_at + (request.due_at - request.created_at) * 3)
    assert f"/records/{request_id}" in client.get("/records?box=escalated").text


def offer_case(client: TestClient, hub: Hub) -> str:
    child = known_child(hub)
    sign_in(client, hub, "tukums.cm")
    form = {
        "given_name": "Elza",
        "family_name": "Kalniņa",
        "personal_code": child["code"],
        "to_municipality": "daugavpils",
        "moved_on": "2026-01-05",
    }
    response = post_form(client, "/handovers/new", form)
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).rsplit("/", 1)[1]


def test_a_case_is_offered_accepted_and_its_checklist_asked_for(client: TestClient, hub: Hub) -> None:
    sign_in(client, hub, "tukums.cm")
    before = head(hub)
    bad = post_form(client, "/handovers/new", {"given_name": "E", "family_name": "K", "to_municipality": "nowhere"})
    assert bad.status_code == 422
    assert head(hub) == before
    handover_id = offer_case(client, hub)
    assert f"/handovers/{handover_id}" in client.get("/handovers?box=outgoing").text
    page = client.get(f"/handovers/{handover_id}")
    assert "Elza Kalniņa" in page.text
    assert f'action="/handovers/{handover_id}/accept"' not in page.text
    assert post_form(client, f"/handovers/{handover_id}/accept").status_code == 403

    sign_in(client, hub, "daugavpils.cm")
    assert f"/handovers/{handover_id}" in client.get("/handovers").text
    page = client.get(f"/handovers/{handover_id}")
    assert f'action="/handovers/{handover_id}/accept"' in page.text
    assert post_form(client, f"/handovers/{handover_id}/accept").status_code == 303
    page = client.get(f"/handovers/{handover_id}")
    assert f'action="/handovers/{handover_id}/requests"' in page.text
    asked = post_form(
        client,
        f"/handovers/{handover_id}/requests",
        {"municipality": "tukuma-novads", "agency": "TUK-SD", "basis": "GDPR-6-1-c", "categories": ["assessment"]},
    )
    assert asked.status_code == 303, asked.text
    [request] = hub.records.listing(hub.principal_for("daugavpils.cm"), "outgoing", 10)
    assert request["handover_id"] == handover_id
    assert f"/records/{request['id']}" in client.get(f"/handovers/{handover_id}").text

    sign_in(client, hub, "riga.cm")  # another municipality's social service sees nothing
    assert client.get(f"/handovers/{handover_id}").status_code == 404


def test_a_case_offer_is_declined_with_a_reason(client: TestClient, hub: Hub) -> None:
    handover_id = offer_case(client, hub)
    sign_in(client, hub, "daugavpils.cm")
    before = domain_events(hub)
    assert post_form(client, f"/handovers/{handover_id}/decline", {"reason": " "}).status_code == 422
    assert domain_events(hub) == before
    assert post_form(client, f"/handovers/{handover_id}/decline", {"reason": "Nav deklarēti"}).status_code == 303
    assert "Nav deklarēti" in client.get(f"/handovers/{handover_id}").text


def test_the_head_of_service_reviews_an_emergency_read(client: TestClient, hub: Hub) -> None:
    child = known_child(hub)
    sign_in(client, hub, "daugavpils.cm")
    justification = "Policija naktī lūdz steidzami pārbaudīt bērna drošību"
    read = post_form(client, f"/referrals/{child['referral_id']}/emergency-read", {"justification": justification})
    assert read.status_code == 200
    assert client.get("/reviews").status_code == 403

    sign_in(client, hub, "daugavpils.head")
    queue = client.get("/reviews")
    assert justification in queue.text
    [review] = hub.reviews.queue(hub.principal_for("daugavpils.head"), "open", "test")
    before = domain_events(hub)
    unexplained = post_form(client, f"/reviews/{review['id']}/resolve", {"outcome": "justified", "note": ""})
    assert unexplained.status_code == 422
    assert domain_events(hub) == before
    done = post_form(client, f"/reviews/{review['id']}/resolve", {"outcome": "justified", "note": "Pamatoti"})
    assert done.status_code == 303
    assert justification not in client.get("/reviews").text
    assert "Pamatoti" in client.get("/reviews?status=justified").text
    assert log_of(hub, BreakGlassReviewResolved, before)

    sign_in(client, hub, "tukums.head")  # another agency's head sees none of it
    assert justification not in client.get("/reviews?status=all").text
