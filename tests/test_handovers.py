"""Handovers on both stores: ownership changes only on acceptance; declines and bad input change nothing else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from hub.service import Hub
from tests.conftest import domain_events
from tests.test_prior_residence import family, ok

Auth = Callable[[str], dict[str, str]]


def move(**overrides: Any) -> dict[str, Any]:
    return {"subjects": family(), "to_municipality": "daugavpils", "moved_on": "2026-01-05", **overrides}


def test_a_declined_handover_leaves_the_old_service_responsible(client: TestClient, hub: Hub, auth: Auth) -> None:
    offered = ok(client.post("/v1/handovers", json=move(), headers=auth("tukums.cm")), 201)
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


def test_bad_residence_changes_are_rejected_and_nothing_is_appended(client: TestClient, hub: Hub, auth: Auth) -> None:
    before = domain_events(hub)
    cases = [
        (
            client.post("/v1/handovers", json=move(to_municipality="tukuma-novads"), headers=auth("tukums.cm")),
            422,
            "same_municipality",
        ),
        (
            client.post("/v1/handovers", json=move(to_municipality="atlantis"), headers=auth("tukums.cm")),
            422,
            "invalid_input",
        ),
        (
            client.post("/v1/handovers", json=move(to_municipality="jelgava"), headers=auth("tukums.cm")),
            422,
            "no_social_service",
        ),
        (client.post("/v1/handovers", json=move(subjects=[]), headers=auth("tukums.cm")), 422, "invalid_input"),
        (client.post("/v1/handovers", json=move(), headers=auth("tukums.bt")), 403, "may_not_hand_over"),
        (client.post("/v1/handovers", json=move(), headers=auth("tukums.school")), 403, "may_not_hand_over"),
    ]
    assert [(response.status_code, response.json()["reason"]) for response, _, _ in cases] == [
        (status, reason) for _, status, reason in cases
    ]
    assert domain_events(hub) == before
