"""Record requests on both stores: forwarding, partial answers, refusal, withdrawal, onward disclosure, bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from events.access import AccessRecorded
from events.records import RecordRequestCreated
from hub.service import Hub
from tests.conftest import domain_events, moved_child
from tests.test_prior_residence import log_of, ok

Auth = Callable[[str], dict[str, str]]
UNKNOWN = "6f1c2b7e-3d4a-4c5b-9e8f-0a1b2c3d4e5f"  # a subject id the hub has never seen
RELEASE = {"outcome": "released", "entries": [{"title": "Izvērtēšana", "text": "Ģimenei vajadzīgs atbalsts."}]}


@pytest.fixture
def child(hub: Hub, client: TestClient) -> str:
    """A child who moved from Tukums to Daugavpils: both social services lead a case about her."""
    return moved_child(hub)["subject_id"]


def person(subject_id: str | None, **details: Any) -> dict[str, Any]:
    return {"subject_id": subject_id, "given_name": "Elza", "family_name": "Kalniņa", **details}


def request_body(subject: str, **overrides: Any) -> dict[str, Any]:
    return {
        "municipality": "tukuma-novads",
        "agencies": ["TUK-SD"],
        "subjects": [person(subject)],
        "basis": "GDPR-6-1-c",
        "categories": ["assessment", "services", "out_of_home_care"],
        **overrides,
    }


def ask(client: TestClient, auth: Auth, subject: str, **overrides: Any) -> dict[str, Any]:
    [created] = ok(
        client.post("/v1/record-requests", json=request_body(subject, **overrides), headers=auth("daugavpils.cm")), 201
    )
    ok(client.post(f"/v1/record-requests/{created['id']}/acknowledge", headers=auth("tukums.cm")))
    return dict(created)


def answer(client: TestClient, auth: Auth, request_id: str, *answers: dict[str, Any], user: str = "tukums.cm") -> Any:
    return client.post(f"/v1/record-requests/{request_id}/answers", json={"answers": list(answers)}, headers=auth(user))


def states(document: dict[str, Any]) -> dict[str, str]:
    return {item["category"]: item["state"] for item in document["categories"]}


def test_partial_answers_keep_the_request_open_and_forwarding_keeps_its_history(
    client: TestClient, hub: Hub, auth: Auth, child: str
) -> None:
    request = ask(client, auth, child)
    partial = ok(answer(client, auth, request["id"], {"category": "assessment", **RELEASE}))
    assert partial["status"] == "acknowledged"
    assert states(partial) == {"assessment": "released", "services": "open", "out_of_home_care": "open"}

    done = ok(
        answer(
            client,
            auth,
            request["id"],
            {"category": "services", "outcome": "withheld", "reason": "ongoing_investigation"},
            {"category": "out_of_home_care", "outcome": "not_held", "forward_to": "TUK-BT"},
        )
    )
    assert done["status"] == "answered"
    forwarded = next(item for item in done["categories"] if item["category"] == "out_of_home_care")
    assert forwarded["forwarded_to"]["code"] == "TUK-BT"
    [_, new] = log_of(hub, RecordRequestCreated)
    assert (str(new.originator_id), str(new.forwarded_from), new.categories) == (
        forwarded["forwarded_request_id"],
        request["id"],
        ("out_of_home_care",),
    )
    assert new.requester_agency_id == hub.principal_for("daugavpils.cm").agency_id
    outgoing = ok(client.get("/v1/record-requests?box=outgoing", headers=auth("daugavpils.cm")))
    assert [row["forwarded_from"] for row in outgoing] == [request["id"], None]
    assert [row["id"] for row in ok(client.get("/v1/record-requests", headers=auth("tukums.bt")))] == [
        str(new.originator_id)
    ]

    # The requester sees the released category only; withheld and forwarded ones carry no content.
    released = ok(client.get(f"/v1/record-requests/{request['id']}/released", headers=auth("daugavpils.cm")))
    assert [part["category"] for part in released["released"]] == ["assessment"]
    full = ok(client.get(f"/v1/record-requests/{request['id']}", headers=auth("daugavpils.cm")))
    assert full["subjects"][0]["given_name"] == "Elza"
    assert (
        next(item for item in full["categories"] if item["category"] == "services")["reason"] == "ongoing_investigation"
    )


def test_refusal_and_withdrawal_close_a_request_and_later_commands_conflict(
    client: TestClient, hub: Hub, auth: Auth, child: str
) -> None:
    refused = ask(client, auth, child)
    closed = ok(
        client.post(
            f"/v1/record-requests/{refused['id']}/refuse",
            json={"reason": "Nav tiesiska pamata"},
            headers=auth("tukums.cm"),
        )
    )
    assert (closed["status"], closed["closing_reason"]) == ("refused", "Nav tiesiska pamata")
    late = answer(client, auth, refused["id"], {"category": "assessment", **RELEASE})
    assert (late.status_code, late.json()["reason"]) == (409, "illegal_transition")

    withdrawn = ask(client, auth, child)
    by_responder = client.post(
        f"/v1/record-requests/{withdrawn['id']}/withdraw", json={"reason": "x"}, headers=auth("tukums.cm")
    )
    assert (by_responder.status_code, by_responder.json()["reason"]) == (403, "not_requester")
    ok(
        client.post(
            f"/v1/record-requests/{withdrawn['id']}/withdraw",
            json={"reason": "Ģimene atgriezās"},
            headers=auth("daugavpils.cm"),
        )
    )
    before = domain_events(hub)
    again = client.post(
        f"/v1/record-requests/{withdrawn['id']}/withdraw", json={"reason": "x"}, headers=auth("daugavpils.cm")
    )
    late = answer(client, auth, withdrawn["id"], {"category": "assessment", **RELEASE})
    assert [again.status_code, late.status_code] == [409, 409]
    assert domain_events(hub) == before
    assert hub.records.tick() == 0  # closed requests have no clocks


def test_released_records_go_further_only_on_a_basis_of_the_recipients_own(
    client: TestClient, hub: Hub, auth: Auth, child: str
) -> None:
    request = ask(client, auth, child)
    ok(answer(client, auth, request["id"], {"category": "assessment", **RELEASE}))
    onward = {"recipient": "DAU-BT", "subjects": [child], "categories": ["assessment"], "purpose": "case_management"}
    obligation = client.post("/v1/disclosures", json={**onward, "basis": "GDPR-6-1-c"}, headers=auth("daugavpils.cm"))
    assert (obligation.status_code, obligation.json()["reason"]) == (403, "disclosure_denied")
    assert "disclose.onward-needs-own-basis" in obligation.json()["detail"]
    assert log_of(hub, AccessRecorded)[-1].decision == "deny"

    # A statutory duty that the catalogue counts for onward sharing and that names the bāriņtiesa is its own basis.
    duty = client.post("/v1/disclosures", json={**onward, "basis": "GDPR-9-2-b"}, headers=auth("daugavpils.cm"))
    assert duty.status_code == 201, duty.text

    # With the person's consent (a basis of its own) the onward disclosure is permitted too.
    consent = ok(
        client.post(
            "/v1/consents",
            json={
                "subject_id": child,
                "granted_by": {"name": "Inga Kalniņa", "relationship": "mother"},
                "recipient_agencies": ["DAU-BT"],
                "purposes": ["case_management"],
                "categories": ["assessment"],
                "evidence": "DAU-SD/2026/9",
            },
            headers=auth("daugavpils.cm"),
        ),
        201,
    )
    with_consent = client.post(
        "/v1/disclosures", json={**onward, "consent_id": consent["id"]}, headers=auth("daugavpils.cm")
    )
    assert with_consent.status_code == 201, with_consent.text


def test_a_request_naming_the_child_only_by_personal_code_lands_on_her_record_and_the_restriction_follows_her(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    moved = moved_child(hub)
    by_code = {"given_name": "Elza", "family_name": "Kalniņa", "personal_code": moved["code"]}
    body = {**request_body(moved["subject_id"]), "subjects": [by_code]}
    [created] = ok(client.post("/v1/record-requests", json=body, headers=auth("daugavpils.cm")), 201)
    [event] = log_of(hub, RecordRequestCreated)
    assert [str(subject.subject_id) for subject in event.subjects] == [moved["subject_id"]]
    ok(client.post(f"/v1/record-requests/{created['id']}/acknowledge", headers=auth("tukums.cm")))
    ok(answer(client, auth, created["id"], {"category": "assessment", **RELEASE}))
    onward = {
        "recipient": "DAU-BT",
        "subjects": [moved["subject_id"]],
        "categories": ["assessment"],
        "purpose": "case_management",
        "basis": "GDPR-6-1-c",
    }
    response = client.post("/v1/disclosures", json=onward, headers=auth("daugavpils.cm"))
    assert response.status_code == 403
    assert "disclose.onward-needs-own-basis" in response.json()["detail"]


def test_an_agency_with_no_relationship_to_the_child_may_not_ask_for_her_records(
    client: TestClient, hub: Hub, auth: Auth, child: str
) -> None:
    before = domain_events(hub)
    body = request_body(child, municipality="tukuma-novads", agencies=["TUK-SD"])
    response = client.post("/v1/record-requests", json=body, headers=auth("riga.cm"))
    assert (response.status_code, response.json()["reason"]) == (403, "action_not_permitted")
    assert domain_events(hub) == before
    refusal = log_of(hub, AccessRecorded)[-1]
    assert (refusal.action, refusal.decision, refusal.actor.user_id) == ("record-request.create", "deny", "riga.cm")


BAD_REQUESTS = [
    ("unknown category", {"categories": ["horoscope"]}, "categories.0"),
    ("unknown basis", {"basis": "GDPR-99"}, "basis"),
    ("basis does not cover a category", {"categories": ["police_contacts"]}, "body"),
    ("category twice", {"categories": ["assessment", "assessment"]}, "categories"),
    ("unknown municipality", {"municipality": "atlantis"}, "municipality"),
    ("no subjects", {"subjects": []}, "body"),
    ("request to oneself", {"municipality": "daugavpils", "agencies": ["DAU-SD"]}, "agencies"),
    ("unknown agency", {"agencies": ["NOPE"]}, "agencies.0"),
    ("agency of another municipality", {"agencies": ["RIX-SD"]}, "agencies.0"),
    ("unknown handover", {"subjects": [], "handover_id": "0d9a3b1c-1111-4a2b-8c3d-4e5f6a7b8c9d"}, "handover_id"),
    ("unknown subject", {"subjects": [person(UNKNOWN)]}, "subjects.0.subject_id"),
    ("unknown personal code", {"subjects": [person(None, personal_code="32999999999")]}, "subjects.0"),
]


@pytest.mark.parametrize(("case", "overrides", "field"), BAD_REQUESTS, ids=[case[0] for case in BAD_REQUESTS])
def test_bad_requests_are_rejected_with_the_field_and_nothing_is_appended(
    client: TestClient, hub: Hub, auth: Auth, child: str, case: str, overrides: dict[str, Any], field: str
) -> None:
    before = domain_events(hub)
    response = client.post("/v1/record-requests", json=request_body(child, **overrides), headers=auth("daugavpils.cm"))
    assert response.status_code == 422, case
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]
    assert domain_events(hub) == before


def test_bad_answers_are_rejected_and_change_nothing(client: TestClient, hub: Hub, auth: Auth, child: str) -> None:
    body = request_body(child)
    [unacknowledged] = ok(client.post("/v1/record-requests", json=body, headers=auth("daugavpils.cm")), 201)
    request = ask(client, auth, child)
    ok(answer(client, auth, request["id"], {"category": "assessment", **RELEASE}))
    before = domain_events(hub)
    cases = [
        (answer(client, auth, unacknowledged["id"], {"category": "assessment", **RELEASE}), 409, "illegal_transition"),
        (
            answer(client, auth, request["id"], {"category": "services", **RELEASE}, user="tukums.bt"),
            403,
            "not_responder",
        ),
        (
            answer(client, auth, request["id"], {"category": "services", **RELEASE}, user="daugavpils.cm"),
            403,
            "not_responder",
        ),
        (answer(client, auth, request["id"], {"category": "assessment", **RELEASE}), 409, "category_already_settled"),
        (
            answer(client, auth, request["id"], {"category": "court_decisions", **RELEASE}),
            422,
            "category_not_requested",
        ),
        (answer(client, auth, request["id"], {"category": "services", "outcome": "released"}), 422, "invalid_input"),
        (
            answer(client, auth, request["id"], {"category": "services", "outcome": "withheld", "reason": "bored"}),
            422,
            "invalid_input",
        ),
        (
            answer(
                client, auth, request["id"], {"category": "services", **RELEASE}, {"category": "services", **RELEASE}
            ),
            422,
            "invalid_input",
        ),
        (
            answer(
                client, auth, request["id"], {"category": "services", "outcome": "not_held", "forward_to": "DAU-SD"}
            ),
            422,
            "forward_to_party",
        ),
        (
            answer(client, auth, request["id"], {"category": "services", "outcome": "not_held", "forward_to": "NOPE"}),
            422,
            "unknown_agency",
        ),
        (
            answer(
                client,
                auth,
                request["id"],
                {
                    "category": "services",
                    "outcome": "released",
                    "documents": [{"file_name": "a.pdf", "media_type": "application/pdf", "content_base64": "**"}],
                },
            ),
            422,
            "invalid_input",
        ),
        (
            client.post(f"/v1/record-requests/{request['id']}/acknowledge", headers=auth("tukums.cm")),
            409,
            "illegal_transition",
        ),
        (
            client.post(f"/v1/record-requests/{request['id']}/refuse", json={"reason": "x"}, headers=auth("tukums.cm")),
            409,
            "illegal_transition",
        ),
    ]
    assert [(response.status_code, response.json()["reason"]) for response, _, _ in cases] == [
        (status, reason) for _, status, reason in cases
    ]
    assert domain_events(hub) == before


def test_only_caseworkers_of_record_keeping_agencies_ask_and_only_parties_read(
    client: TestClient, hub: Hub, auth: Auth, child: str
) -> None:
    for user in ("police.officer", "tukums.school", "ministry.supervisor"):
        response = client.post(
            "/v1/record-requests",
            json=request_body(child, municipality="riga", agencies=["RIX-SD"]),
            headers=auth(user),
        )
        assert (response.status_code, response.json()["reason"]) == (403, "may_not_request_records"), user
    request = ask(client, auth, child)
    for user in ("riga.cm", "police.officer", "ministry.supervisor"):
        assert client.get(f"/v1/record-requests/{request['id']}", headers=auth(user)).status_code == 404, user
    denials = [event for event in log_of(hub, AccessRecorded) if event.decision == "deny"]
    refused_requests = [event.actor.user_id for event in denials if event.action == "POST /v1/record-requests"]
    assert refused_requests == ["police.officer", "tukums.school", "ministry.supervisor"]  # every denial is recorded
    reads = [event for event in denials if event.action != "POST /v1/record-requests"]
    assert [event.actor.user_id for event in reads] == ["riga.cm", "police.officer", "ministry.supervisor"]
    assert {event.purpose for event in reads} == {"prior-residence-records"}
    responder_view = ok(client.get(f"/v1/record-requests/{request['id']}", headers=auth("tukums.cm")))
    assert responder_view["subjects"][0]["subject_id"] == child
    assert client.get(f"/v1/record-requests/{request['id']}/released", headers=auth("tukums.cm")).status_code == 404


def test_records_released_with_the_originators_permission_may_be_passed_on(
    client: TestClient, hub: Hub, auth: Auth, child: str
) -> None:
    request = ask(client, auth, child)
    ok(answer(client, auth, request["id"], {"category": "assessment", **RELEASE, "onward_allowed": True}))
    onward = {
        "recipient": "DAU-BT",
        "subjects": [child],
        "categories": ["assessment"],
        "purpose": "case_management",
        "basis": "GDPR-6-1-c",
    }
    response = client.post("/v1/disclosures", json=onward, headers=auth("daugavpils.cm"))
    assert response.status_code == 201, response.text
