"""A break-glass justification in Latvian arrives intact: in the body of an emergency read, in an RFC 8187 encoded
header, and never garbled from a plain header (refused instead), on both stores."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from events.access import AccessRecorded
from events.review import BreakGlassReviewOpened
from hub.service import Hub
from tests.conftest import child_referral, domain_events, log_of

Auth = Callable[[str], dict[str, str]]
JUSTIFICATION = "Policija naktī lūdz steidzami pārbaudīt bērna drošību"
ENCODED_HEADER = "X-Break-Glass-Justification*"


def encoded(text: str) -> str:
    return "UTF-8''" + quote(text, safe="")


def submitted_referral(client: TestClient, auth: Auth) -> str:
    response = client.post("/v1/referrals", json=child_referral(), headers=auth("tukums.school"))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def assert_reviewed_intact(client: TestClient, hub: Hub, auth: Auth) -> None:
    """The access is a break-glass permit; the review queue, the stored review and the replay have the exact text."""
    access = log_of(hub, AccessRecorded)[-1]
    assert (access.actor.user_id, access.decision, access.basis, access.break_glass) == (
        "daugavpils.cm",
        "permit",
        "break-glass",
        True,
    )
    [opened] = log_of(hub, BreakGlassReviewOpened)
    assert opened.justification.encode() == JUSTIFICATION.encode()
    [item] = client.get("/v1/reviews", headers=auth("daugavpils.head")).json()
    assert (item["requested_by"], item["resource"]) == ("daugavpils.cm", access.resource)
    assert item["justification"].encode() == JUSTIFICATION.encode()
    replayed = client.get("/v1/audit/replay", params={"break_glass_only": "true"}, headers=auth("auditor")).json()
    assert [(entry["user"], entry["resource"]) for entry in replayed["entries"]] == [("daugavpils.cm", access.resource)]
    assert replayed["entries"][0]["justification"].encode() == JUSTIFICATION.encode()


def test_an_emergency_read_takes_its_justification_in_the_body(client: TestClient, hub: Hub, auth: Auth) -> None:
    referral_id = submitted_referral(client, auth)
    path = f"/v1/referrals/{referral_id}/emergency-read"
    response = client.post(path, json={"justification": JUSTIFICATION}, headers=auth("daugavpils.cm"))
    assert response.status_code == 200, response.text
    assert response.json()["child"]["given_name"] == "Elza"
    assert_reviewed_intact(client, hub, auth)


def test_an_encoded_header_carries_the_justification_intact(client: TestClient, hub: Hub, auth: Auth) -> None:
    referral_id = submitted_referral(client, auth)
    headers = {**auth("daugavpils.cm"), ENCODED_HEADER: encoded(JUSTIFICATION)}
    response = client.get(f"/v1/referrals/{referral_id}", headers=headers)
    assert response.status_code == 200, response.text
    assert_reviewed_intact(client, hub, auth)


def test_the_emergency_read_is_refused_and_recorded_as_the_header_read_is(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    referral_id = submitted_referral(client, auth)
    path = f"/v1/referrals/{referral_id}/emergency-read"
    short = client.post(path, json={"justification": "steidzami"}, headers=auth("daugavpils.cm"))
    assert (short.status_code, short.json()["reason"]) == (403, "break_glass_denied")
    school = client.post(path, json={"justification": JUSTIFICATION}, headers=auth("daugavpils.school"))
    assert (school.status_code, school.json()["reason"]) == (403, "break_glass_denied")
    denials = [(event.actor.user_id, event.decision) for event in log_of(hub, AccessRecorded)[-2:]]
    assert denials == [("daugavpils.cm", "deny"), ("daugavpils.school", "deny")]
    assert log_of(hub, BreakGlassReviewOpened) == []
    missing = client.post(
        "/v1/referrals/00000000-0000-4000-8000-000000000000/emergency-read",
        json={"justification": JUSTIFICATION},
        headers=auth("daugavpils.cm"),
    )
    assert (missing.status_code, missing.json()["reason"]) == (404, "referral_not_found")


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({}, "justification", "missing"),
        ({"justification": "   "}, "justification", "string_too_short"),
        ({"justification": "x" * 2001}, "justification", "string_too_long"),
        ({"justification": 7}, "justification", "string_type"),
        ({"justification": JUSTIFICATION, "extra": 1}, "extra", "extra_forbidden"),
    ],
)
def test_a_bad_emergency_read_body_is_422_and_changes_nothing(
    client: TestClient, hub: Hub, auth: Auth, body: dict[str, object], field: str, reason: str
) -> None:
    referral_id = submitted_referral(client, auth)
    before = domain_events(hub)
    response = client.post(f"/v1/referrals/{referral_id}/emergency-read", json=body, headers=auth("daugavpils.cm"))
    assert response.status_code == 422
    assert [(error["field"], error["reason"]) for error in response.json()["errors"]] == [(field, reason)]
    assert domain_events(hub) == before


@pytest.mark.parametrize(
    ("headers", "field", "reason"),
    [
        (
            {"X-Break-Glass-Justification": JUSTIFICATION.encode().decode("latin-1")},
            "X-Break-Glass-Justification",
            "header_not_ascii",
        ),
        ({ENCODED_HEADER: quote(JUSTIFICATION)}, ENCODED_HEADER, "invalid_encoded_header"),
        ({ENCODED_HEADER: "ISO-8859-1''Policija"}, ENCODED_HEADER, "invalid_encoded_header"),
        ({ENCODED_HEADER: "UTF-8''%C4"}, ENCODED_HEADER, "invalid_encoded_header"),
        ({ENCODED_HEADER: "UTF-8''a b"}, ENCODED_HEADER, "invalid_encoded_header"),
        ({ENCODED_HEADER: encoded("ā" * 2001)}, ENCODED_HEADER, "string_too_long"),
        (
            {"X-Break-Glass-Justification": "Policija lugusi parbaudit", ENCODED_HEADER: encoded(JUSTIFICATION)},
            "X-Break-Glass-Justification",
            "ambiguous_justification",
        ),
    ],
)
def test_a_justification_header_that_would_arrive_garbled_is_refused_with_a_reason(
    client: TestClient, hub: Hub, auth: Auth, headers: dict[str, str], field: str, reason: str
) -> None:
    referral_id = submitted_referral(client, auth)
    before = domain_events(hub)
    raw = {name: value.encode("latin-1") for name, value in {**auth("daugavpils.cm"), **headers}.items()}
    response = client.get(f"/v1/referrals/{referral_id}", headers=raw)  # type: ignore[arg-type]
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["reason"] == reason
    assert [(error["field"], error["reason"]) for error in problem["errors"]] == [(field, reason)]
    if reason == "header_not_ascii":
        assert "body" in problem["detail"]
        assert "UTF-8''" in problem["detail"]
    assert domain_events(hub) == before
    assert log_of(hub, BreakGlassReviewOpened) == []


@pytest.mark.parametrize("path", ["/v1/inbox", "/v1/reviews", "/v1/record-requests"])
def test_a_purpose_that_is_not_ascii_is_refused_before_anything_is_recorded(
    client: TestClient, hub: Hub, auth: Auth, path: str
) -> None:
    accesses = len(log_of(hub, AccessRecorded))
    headers = {name: value.encode() for name, value in {**auth("tukums.head"), "X-Purpose": "bērna drošība"}.items()}
    response = client.get(path, headers=headers)  # type: ignore[arg-type]
    assert response.status_code == 422
    assert [(error["field"], error["reason"]) for error in response.json()["errors"]] == [
        ("X-Purpose", "header_not_ascii")
    ]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert len(log_of(hub, AccessRecorded)) == accesses
