"""FHIR Task for a referral's workflow (HL7 BSeR / IHE 360X closed loop): one Task per recipient, following the
referral from submission to closure; the referrer sees milestones only; every read is decided and recorded."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.fhir_api import router
from hub.api.app import create_app
from hub.service import Hub
from tests.conftest import head
from tests.test_fhir import outcome_reasons
from tests.test_inbox_and_access import access_events
from tests.test_referral_lifecycle import act, submit

Auth = Callable[[str], dict[str, str]]
REFERRAL_STATUS = "https://hub.example/codes/referral-status"
MILESTONE = "https://hub.example/codes/milestone"


@pytest.fixture
def fhir_client(hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub, follow_in_background=False, extra_routers=(router,))) as test_client:
        yield test_client


def tasks(client: TestClient, auth: Auth, user: str, referral_id: str) -> list[dict[str, Any]]:
    response = client.get("/v1/fhir/Task", params={"focus": f"ServiceRequest/{referral_id}"}, headers=auth(user))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    bundle = response.json()
    assert (bundle["type"], bundle["total"]) == ("searchset", len(bundle["entry"]))
    return [entry["resource"] for entry in bundle["entry"]]


def state(task: dict[str, Any]) -> tuple[str, str, str]:
    [coding] = task["businessStatus"]["coding"]
    return task["status"], coding["system"], coding["code"]


def test_a_task_follows_the_referral_from_submission_to_closure(hub: Hub, fhir_client: TestClient, auth: Auth) -> None:
    referral_id = submit(fhir_client, auth)
    steps: list[tuple[str, str, dict[str, Any], str, str]] = [
        ("tukums.intake", "acknowledge", {}, "received", "acknowledged"),
        ("tukums.intake", "assign", {"worker": "tukums.cm"}, "received", "assigned"),
        ("tukums.cm", "request-information", {"question": "Kopš kura laika?"}, "on-hold", "information_requested"),
        ("tukums.school", "provide-information", {"answer": "Kopš novembra."}, "received", "assigned"),
        ("tukums.cm", "accept", {}, "in-progress", "accepted"),
        ("tukums.cm", "close", {"outcome": "services_provided"}, "completed", "closed"),
    ]
    lead = tasks(fhir_client, auth, "tukums.cm", referral_id)
    assert {state(task) for task in lead} == {("requested", REFERRAL_STATUS, "submitted")}
    assert {task["focus"]["reference"] for task in lead} == {f"ServiceRequest/{referral_id}"}
    assert "TUK-SD" in {task["owner"]["identifier"]["value"] for task in lead}
    assert {task["requester"]["identifier"]["value"] for task in lead} == {"TUK-SKOLA"}
    referrer_seen = [state(tasks(fhir_client, auth, "tukums.school", referral_id)[0])]
    for user, action, body, task_status, referral_status in steps:
        act(fhir_client, auth, user, referral_id, action, **body)
        assert {state(task) for task in tasks(fhir_client, auth, "tukums.cm", referral_id)} == {
            (task_status, REFERRAL_STATUS, referral_status)
        }
        referrer_seen.append(state(tasks(fhir_client, auth, "tukums.school", referral_id)[0]))
    assert referrer_seen == [
        ("requested", MILESTONE, "sent"),
        ("received", MILESTONE, "received"),
        ("received", MILESTONE, "received"),
        ("on-hold", MILESTONE, "information_requested"),
        ("received", MILESTONE, "received"),
        ("in-progress", MILESTONE, "being_acted_on"),
        ("completed", MILESTONE, "closed"),
    ]


def test_the_referrer_sees_milestones_only_and_every_read_is_recorded(
    hub: Hub, fhir_client: TestClient, auth: Auth
) -> None:
    referral_id = submit(fhir_client, auth)
    act(fhir_client, auth, "tukums.intake", referral_id, "acknowledge")
    act(fhir_client, auth, "tukums.cm", referral_id, "decline", reason="Nav pamata rīcībai; ģimene jau saņem.")
    before = head(hub)
    [seen] = tasks(fhir_client, auth, "tukums.school", referral_id)
    assert state(seen) == ("completed", MILESTONE, "closed")  # not "rejected": the referrer is not told why
    assert "for" not in seen  # no identity data beyond what the referrer may see
    one = fhir_client.get(f"/v1/fhir/Task/{seen['id']}", headers=auth("tukums.school"))
    assert (one.status_code, one.json()) == (200, seen)
    assert head(hub) == before + 2
    recorded = [event for event in access_events(hub) if event.action.startswith("task.")]
    assert [(event.action, event.decision) for event in recorded] == [
        ("task.search", "permit"),
        ("task.read", "permit"),
    ]
    [lead] = [task for task in tasks(fhir_client, auth, "tukums.cm", referral_id) if task["id"] == seen["id"]]
    assert state(lead) == ("rejected", REFERRAL_STATUS, "declined")


def test_another_municipalitys_social_service_finds_no_task_and_its_attempt_is_recorded(
    hub: Hub, fhir_client: TestClient, auth: Auth
) -> None:
    referral_id = submit(fhir_client, auth)
    [task] = tasks(fhir_client, auth, "tukums.cm", referral_id)[:1]
    before = head(hub)
    search = fhir_client.get(
        "/v1/fhir/Task", params={"focus": f"ServiceRequest/{referral_id}"}, headers=auth("daugavpils.cm")
    )
    read = fhir_client.get(f"/v1/fhir/Task/{task['id']}", headers=auth("daugavpils.cm"))
    assert (search.status_code, read.status_code) == (404, 404)
    assert outcome_reasons(search.json()) == outcome_reasons(read.json()) == ["referral_not_found"]
    assert head(hub) == before + 2
    denials = [event for event in access_events(hub) if event.actor.user_id == "daugavpils.cm"]
    assert {event.decision for event in denials} == {"deny"}


@pytest.mark.parametrize("focus", ["Patient/1", "ServiceRequest/not-a-uuid", ""])
def test_a_search_without_a_referral_focus_is_refused_with_an_operation_outcome(
    hub: Hub, fhir_client: TestClient, auth: Auth, focus: str
) -> None:
    before = head(hub)
    response = fhir_client.get("/v1/fhir/Task", params={"focus": focus}, headers=auth("tukums.cm"))
    assert response.status_code == 422
    [issue] = response.json()["issue"]
    assert issue["expression"] == ["focus"]
    assert issue["diagnostics"]
    assert head(hub) == before


def test_an_unknown_task_id_is_not_found(fhir_client: TestClient, auth: Auth) -> None:
    response = fhir_client.get("/v1/fhir/Task/nonsense", headers=auth("tukums.cm"))
    assert response.status_code == 404
    assert outcome_reasons(response.json()) == ["task_not_found"]
