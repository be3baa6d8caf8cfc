"""Handovers on both stores: ownership changes only on acceptance; declines and bad input change nothing else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hub.service import Hub
from tests.conftest import domain_events
from tests.test_prior_residence import ok, referred_family

Auth = Callable[[str], dict[str, str]]
UNKNOWN = "6f1c2b7e-3d4a-4c5b-9e8f-0a1b2c3d4e5f"  # a subject id the hub has never seen


@pytest.fixture
def family(hub: Hub, client: TestClient) -> list[dict[str, Any]]:
    return referred_family(hub, client)


def move(family: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    return {"subjects": family, "to_municipality": "daugavpils", "moved_on": "2026-01-05", **overrides}


def test_a_declined_handover_leaves_the_old_service_responsible(
    client: TestClient, hub: Hub, auth: Auth, family: list[dict[str, Any]]
) -> None:
    offered = ok(client.post("/v1/handovers", json=move(family), headers=auth("tukums.cm")), 201)
    incoming = ok(client.get("/v1/handovers", headers=auth("daugavpils.head")))
    assert [row["id"] for row in incoming] == [offered["id"]]
    assert "subjects" not in incoming[0]
    stranger = client.post(f"/v1/handovers/{offered['id']}/accept", headers=auth("riga.cm"))
    assert (stranger.status_code, stranger.json()["reason"]) == (403, "not_offered_to_caller")
    assert client.get(f"/v1/handovers/{offered['id']}", headers=auth("riga.cm")).status_code == 404

    declined = ok(
        client.post(
            f"/v1/handovers/{offered['id']}/decline", json={"reason": "Nav deklarēti"}, headers=auth("daugavpils.cm")
        )
    )
    assert (declined["status"], declined["owner"]["code"]) == ("declined", "TUK-SD")
    before = domain_events(hub)
    late = client.post(f"/v1/handovers/{offered['id']}/accept", headers=auth("daugavpils.cm"))
    assert (late.status_code, late.json()["reason"]) == (409, "illegal_transition")
    not_owner = client.post(
        "/v1/record-requests",
        json={
            "municipality": "tukuma-novads",
            "handover_id": offered["id"],
            "basis": "GDPR-6-1-c",
            "categories": ["assessment"],
        },
        headers=auth("daugavpils.cm"),
    )
    assert (not_owner.status_code, not_owner.json()["reason"]) == (422, "not_handover_owner")
    assert domain_events(hub) == before


def test_bad_residence_changes_are_rejected_and_nothing_is_appended(
    client: TestClient, hub: Hub, auth: Auth, family: list[dict[str, Any]]
) -> None:
    before = domain_events(hub)
    cases = [
        (
            client.post("/v1/handovers", json=move(family, to_municipality="tukuma-novads"), headers=auth("tukums.cm")),
            422,
            "same_municipality",
        ),
        (
            client.post("/v1/handovers", json=move(family, to_municipality="atlantis"), headers=auth("tukums.cm")),
            422,
            "invalid_input",
        ),
        (
            client.post("/v1/handovers", json=move(family, to_municipality="jelgava"), headers=auth("tukums.cm")),
            422,
            "no_social_service",
        ),
        (client.post("/v1/handovers", json=move(family, subjects=[]), headers=auth("tukums.cm")), 422, "invalid_input"),
        (client.post("/v1/handovers", json=move(family), headers=auth("tukums.bt")), 403, "may_not_hand_over"),
        (client.post("/v1/handovers", json=move(family), headers=auth("tukums.school")), 403, "may_not_hand_over"),
        (
            client.post("/v1/handovers", json=move([{**family[1], "subject_id": UNKNOWN}]), headers=auth("tukums.cm")),
            422,
            "unknown_subject",
        ),
        (
            client.post(
                "/v1/handovers", json=move([{**family[0], "personal_code": "32999999999"}]), headers=auth("tukums.cm")
            ),
            422,
            "unknown_subject",
        ),
    ]
    assert [(response.status_code, response.json()["reason"]) for response, _, _ in cases] == [
        (status, reason) for _, status, reason in cases
    ]
    assert domain_events(hub) == before


def test_only_the_current_owner_of_the_case_hands_it_over(
    client: TestClient, hub: Hub, auth: Auth, family: list[dict[str, Any]]
) -> None:
    before = domain_events(hub)
    for stranger in ("riga.cm", "daugavpils.cm"):
        refused = client.post("/v1/handovers", json=move(family, to_municipality="riga"), headers=auth(stranger))
        assert (refused.status_code, refused.json()["reason"]) == (403, "action_not_permitted"), stranger
    assert domain_events(hub) == before
    offered = ok(client.post("/v1/handovers", json=move(family), headers=auth("tukums.cm")), 201)
    ok(client.post(f"/v1/handovers/{offered['id']}/accept", headers=auth("daugavpils.cm")))
    again = client.post("/v1/handovers", json=move(family, to_municipality="riga"), headers=auth("tukums.cm"))
    assert (again.status_code, again.json()["reason"]) == (403, "action_not_permitted"), "Tukums no longer owns it"
    onward = ok(
        client.post("/v1/handovers", json=move(family, to_municipality="riga"), headers=auth("daugavpils.cm")), 201
    )
    assert onward["owner"]["code"] == "DAU-SD"
