"""Submitting referrals: routing, and every kind of bad input answered 4xx with nothing appended."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hub.service import Hub
from tests.conftest import child_referral, domain_events

Auth = Callable[[str], dict[str, str]]


def test_school_referral_is_routed_to_the_social_service_of_the_childs_municipality(
    client: TestClient, auth: Auth
) -> None:
    response = client.post("/v1/referrals", json=child_referral(), headers=auth("tukums.school"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "submitted"
    assert [agency["code"] for agency in body["routed_to"]] == ["TUK-SD"]


def test_violence_goes_also_to_the_orphans_court_and_an_offence_to_the_police(client: TestClient, auth: Auth) -> None:
    body = child_referral(concerns=["violence_physical", "offence"], urgency="routine")
    response = client.post("/v1/referrals", json=body, headers=auth("doctor"))
    assert response.status_code == 201
    assert [agency["code"] for agency in response.json()["routed_to"]] == ["TUK-SD", "TUK-BT", "VP"]


def test_immediate_goes_to_all_three(client: TestClient, auth: Auth) -> None:
    body = child_referral(urgency="immediate")
    body["child"]["municipality"] = "daugavpils"
    response = client.post("/v1/referrals", json=body, headers=auth("police.officer"))
    assert [agency["code"] for agency in response.json()["routed_to"]] == ["DAU-SD", "DAU-BT", "VP"]


def _with_child(**child: Any) -> dict[str, Any]:
    body = child_referral()
    body["child"] = {**body["child"], **child}
    return body


BAD_BODIES = [
    pytest.param(_with_child(municipality="atlantis"), "child.municipality", id="unknown-municipality"),
    pytest.param(child_referral(concerns=["bad_luck"]), "concerns.0", id="unknown-concern"),
    pytest.param(child_referral(concerns=[]), "concerns", id="no-concern"),
    pytest.param(child_referral(concerns=["neglect", "neglect"]), "concerns", id="duplicate-concern"),
    pytest.param(_with_child(personal_code="161175-19990"), "child.personal_code", id="bad-check-digit"),
    pytest.param(_with_child(personal_code="311375-19997"), "child.personal_code", id="bad-date-in-code"),
    pytest.param(_with_child(birth_date="2999-01-01"), "child.birth_date", id="future-birth-date"),
    pytest.param(_with_child(birth_date="yesterday"), "child.birth_date", id="not-a-date"),
    pytest.param(_with_child(given_name=42), "child.given_name", id="name-wrong-type"),
    pytest.param(_with_child(given_name="   "), "child.given_name", id="blank-name"),
    pytest.param(child_referral(urgency="whenever"), "urgency", id="unknown-urgency"),
    pytest.param(child_referral(summary="x" * 4001), "summary", id="summary-too-long"),
    pytest.param(child_referral(summary=["not", "text"]), "summary", id="summary-wrong-type"),
    pytest.param(child_referral(colour="blue"), "colour", id="unknown-field"),
    pytest.param(
        child_referral(family=[{"given_name": "A", "family_name": "B", "relationship": "uncle"}]),
        "family.0.relationship",
        id="unknown-relationship",
    ),
    pytest.param(
        child_referral(
            family=[{"given_name": "A", "family_name": "B", "relationship": "father", "personal_code": "x"}]
        ),
        "family.0.personal_code",
        id="family-bad-code",
    ),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES)
def test_bad_input_is_422_naming_the_field_and_appends_nothing(
    client: TestClient, hub: Hub, auth: Auth, body: dict[str, Any], field: str
) -> None:
    headers = auth("tukums.school")
    before = domain_events(hub)
    response = client.post("/v1/referrals", json=body, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["reason"] == "invalid_input"
    assert field in [error["field"] for error in problem["errors"]]
    assert domain_events(hub) == before


def test_missing_fields_are_named(client: TestClient, auth: Auth) -> None:
    response = client.post("/v1/referrals", json={}, headers=auth("tukums.school"))
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"child", "concerns", "urgency", "summary"} <= fields


def test_malformed_json_is_422(client: TestClient, hub: Hub, auth: Auth) -> None:
    before = domain_events(hub)
    headers = {**auth("tukums.school"), "Content-Type": "application/json"}
    response = client.post("/v1/referrals", content=b'{"child": {', headers=headers)
    assert response.status_code == 422
    assert response.json()["reason"] == "invalid_input"
    assert domain_events(hub) == before


def test_oversized_body_is_413_and_appends_nothing(client: TestClient, hub: Hub, auth: Auth) -> None:
    before = domain_events(hub)
    body = child_referral(summary="x" * (hub.settings.max_body_bytes + 1))
    response = client.post("/v1/referrals", json=body, headers=auth("tukums.school"))
    assert response.status_code == 413
    assert response.json()["reason"] == "body_too_large"
    assert domain_events(hub) == before


def test_municipality_without_a_social_service_is_422(client: TestClient, hub: Hub, auth: Auth) -> None:
    before = domain_events(hub)
    response = client.post("/v1/referrals", json=_with_child(municipality="talsu-novads"), headers=auth("doctor"))
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "child.municipality",
        "reason": "no_social_service",
        "message": "no social service is registered for that municipality",
    }
    assert domain_events(hub) == before


@pytest.mark.parametrize("username", ["auditor", "ministry.supervisor"])
def test_roles_that_do_not_report_may_not_submit(client: TestClient, hub: Hub, auth: Auth, username: str) -> None:
    before = domain_events(hub)
    response = client.post("/v1/referrals", json=child_referral(), headers=auth(username))
    assert response.status_code == 403
    assert response.json()["reason"] == "role_may_not_submit"
    assert domain_events(hub) == before


def test_unauthenticated_submission_appends_nothing(client: TestClient, hub: Hub) -> None:
    before = domain_events(hub)
    assert client.post("/v1/referrals", json=child_referral()).status_code == 401
    assert domain_events(hub) == before
