"""Consents, disclosures and break-glass end to end on both stores: every outcome is in the log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from events.access import AccessRecorded
from events.disclosure import DisclosureRecorded
from events.review import BreakGlassReviewOpened, BreakGlassReviewResolved
from hub.service import Hub
from tests.conftest import child_referral, head, log_of

Auth = Callable[[str], dict[str, str]]
SUBJECT = "6f1c2b7e-3d4a-4c5b-9e8f-0a1b2c3d4e5f"
JUSTIFICATION = "Child found alone at night; mother unreachable, need the history now."


def grant(client: TestClient, auth: Auth, **overrides: Any) -> dict[str, Any]:
    body = {
        "subject_id": SUBJECT,
        "granted_by": {"name": "Inga Kalniņa", "relationship": "mother"},
        "recipient_kinds": ["school"],
        "purposes": ["education_support"],
        "categories": ["school_attendance", "services"],
        "evidence": "TUK-SD/2026/117 (signed form)",
        **overrides,
    }
    response = client.post("/v1/consents", json=body, headers=auth("tukums.cm"))
    assert response.status_code == 201, response.text
    return dict(response.json())


def disclosure(**overrides: Any) -> dict[str, Any]:
    return {
        "recipient": "TUK-SKOLA",
        "subjects": [SUBJECT],
        "categories": ["school_attendance"],
        "purpose": "education_support",
        **overrides,
    }


def test_withdrawing_a_consent_blocks_later_disclosures_at_once_and_keeps_earlier_ones(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    consent = grant(client, auth)
    headers = auth("tukums.cm")
    first = client.post("/v1/disclosures", json=disclosure(consent_id=consent["id"]), headers=headers)
    assert first.status_code == 201, first.text
    assert (first.json()["basis"], first.json()["consent_version"]) == ("consent", 1)
    assert first.json()["policy_hash"] == hub.policy_engine.policy_hash

    withdrawn = client.post(
        f"/v1/consents/{consent['id']}/withdraw", json={"reason": "Māte atsauc piekrišanu"}, headers=headers
    )
    assert withdrawn.json()["status"] == "withdrawn"
    second = client.post("/v1/disclosures", json=disclosure(consent_id=consent["id"]), headers=headers)
    assert second.status_code == 403
    assert second.json()["reason"] == "disclosure_denied"
    assert "disclose.consent-withdrawn" in second.json()["detail"]

    [recorded] = log_of(hub, DisclosureRecorded)
    assert str(recorded.originator_id) == first.json()["id"]
    assert (str(recorded.consent_id), recorded.consent_version) == (consent["id"], 1)
    denial = log_of(hub, AccessRecorded)[-1]
    assert (denial.action, denial.decision, str(denial.consent_id), denial.consent_version) == (
        "disclosure",
        "deny",
        consent["id"],
        2,
    )
    assert denial.policy_hash == hub.policy_engine.policy_hash
    assert denial.redacted == ("school_attendance",)
    again = client.post(f"/v1/consents/{consent['id']}/withdraw", json={"reason": "twice"}, headers=headers)
    assert again.status_code == 409


def test_consent_scope_is_enforced_and_every_denial_recorded(client: TestClient, hub: Hub, auth: Auth) -> None:
    consent = grant(client, auth, recipient_kinds=[], recipient_agencies=["TUK-SKOLA"])
    headers = auth("tukums.cm")
    cases = {
        "disclose.consent-wrong-recipient": disclosure(consent_id=consent["id"], recipient="DAU-SKOLA"),
        "disclose.consent-wrong-purpose": disclosure(consent_id=consent["id"], purpose="criminal_investigation"),
        "disclose.consent-category-not-covered": disclosure(consent_id=consent["id"], categories=["assessment"]),
        "disclose.consent-unknown": disclosure(consent_id="00000000-0000-4000-8000-000000000000"),
    }
    for policy, body in cases.items():
        response = client.post("/v1/disclosures", json=body, headers=headers)
        assert response.status_code == 403, response.text
        assert policy in response.json()["detail"]
    assert [event.decision for event in log_of(hub, AccessRecorded)] == ["deny"] * len(cases)
    assert log_of(hub, DisclosureRecorded) == []


def test_statutory_basis_disclosure_records_the_basis(client: TestClient, hub: Hub, auth: Auth) -> None:
    body = disclosure(recipient="TUK-SD", categories=["identity", "school_attendance"], purpose="child_protection")
    response = client.post("/v1/disclosures", json={**body, "basis": "BTAL-73"}, headers=auth("tukums.school"))
    assert response.status_code == 201, response.text
    [recorded] = log_of(hub, DisclosureRecorded)
    assert (recorded.basis, recorded.break_glass, recorded.consent_id) == ("BTAL-73", False, None)
    assert recorded.actor.user_id == "tukums.school"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (disclosure(), "body"),
        (disclosure(basis="BTAL-73", break_glass_justification=JUSTIFICATION), "body"),
        (disclosure(basis="GDPR-99"), "basis"),
        (disclosure(break_glass_justification="urgent"), "break_glass_justification"),
        (disclosure(basis="BTAL-73", subjects=[]), "subjects"),
        (disclosure(basis="BTAL-73", categories=["gossip"]), "categories.0"),
        (disclosure(basis="BTAL-73", recipient="NOWHERE"), "recipient"),
    ],
)
def test_bad_disclosure_input_is_422_with_the_field_and_appends_nothing(
    client: TestClient, hub: Hub, auth: Auth, body: dict[str, Any], field: str
) -> None:
    before = head(hub)
    response = client.post("/v1/disclosures", json=body, headers=auth("tukums.cm"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]
    assert head(hub) == before


def test_bad_consent_input_is_422_and_appends_nothing(client: TestClient, hub: Hub, auth: Auth) -> None:
    before = head(hub)
    for override in (
        {"recipient_kinds": []},
        {"purposes": []},
        {"valid_from": "2026-05-01T00:00:00Z", "valid_until": "2026-04-01T00:00:00Z"},
        {"recipient_agencies": ["NOWHERE"]},
        {"subject_id": "not-a-uuid"},
    ):
        body = {
            "subject_id": SUBJECT,
            "granted_by": {"name": "Inga Kalniņa"},
            "recipient_kinds": ["school"],
            "purposes": ["education_support"],
            "categories": ["services"],
            "evidence": "DOC-1",
            **override,
        }
        response = client.post("/v1/consents", json=body, headers=auth("tukums.cm"))
        assert response.status_code == 422, (override, response.text)
    assert head(hub) == before


def test_listing_consents_is_audited_and_role_gated(client: TestClient, hub: Hub, auth: Auth) -> None:
    consent = grant(client, auth, valid_until="2020-01-01T00:00:00Z", valid_from="2019-01-01T00:00:00Z")
    listed = client.get("/v1/consents", params={"subject_id": SUBJECT}, headers=auth("daugavpils.cm"))
    assert [(item["id"], item["status"]) for item in listed.json()] == [(consent["id"], "expired")]
    assert client.get("/v1/consents", params={"subject_id": SUBJECT}, headers=auth("tukums.school")).status_code == 403
    reads = [(e.actor.user_id, e.decision, e.basis) for e in log_of(hub, AccessRecorded)]
    assert reads == [("daugavpils.cm", "permit", "GDPR-6-1-c"), ("tukums.school", "deny", None)]
    assert hub.consents.expire_due() == 1
    assert hub.consents.expire_due() == 0


def test_break_glass_disclosure_is_flagged_and_reviewed_by_the_head_of_service(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    body = disclosure(recipient="TUK-BT", categories=["assessment"], purpose="emergency")
    school = client.post(
        "/v1/disclosures", json={**body, "break_glass_justification": JUSTIFICATION}, headers=auth("tukums.school")
    )
    assert school.status_code == 403
    assert "break-glass.role-not-allowed" in school.json()["detail"]

    response = client.post(
        "/v1/disclosures", json={**body, "break_glass_justification": JUSTIFICATION}, headers=auth("tukums.cm")
    )
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert (receipt["basis"], receipt["break_glass"]) == ("break-glass", True)
    [opened] = log_of(hub, BreakGlassReviewOpened)
    assert str(opened.originator_id) == receipt["review_id"]

    assert client.get("/v1/reviews", headers=auth("tukums.cm")).status_code == 403
    assert client.get("/v1/reviews", headers=auth("daugavpils.head")).json() == []
    queue = client.get("/v1/reviews", headers=auth("tukums.head")).json()
    assert [(item["id"], item["requested_by"], item["justification"]) for item in queue] == [
        (receipt["review_id"], "tukums.cm", JUSTIFICATION)
    ]
    path = f"/v1/reviews/{receipt['review_id']}/resolve"
    resolution = {"outcome": "not_justified", "note": "Bāriņtiesa bija sasniedzama pa tālruni."}
    assert client.post(path, json=resolution, headers=auth("daugavpils.head")).status_code == 404
    assert client.post(path, json=resolution, headers=auth("tukums.cm")).status_code == 403
    assert client.post(path, json={"outcome": "maybe", "note": "x"}, headers=auth("tukums.head")).status_code == 422
    resolved = client.post(path, json=resolution, headers=auth("tukums.head"))
    assert resolved.json()["status"] == "not_justified"
    assert client.post(path, json=resolution, headers=auth("tukums.head")).status_code == 409
    [outcome] = log_of(hub, BreakGlassReviewResolved)
    assert (outcome.outcome, outcome.actor.user_id) == ("not_justified", "tukums.head")
    assert client.get("/v1/reviews", headers=auth("tukums.head")).json() == []
    assert len(client.get("/v1/reviews", params={"status": "all"}, headers=auth("tukums.head")).json()) == 1


def test_break_glass_read_of_a_referral_opens_a_review(client: TestClient, hub: Hub, auth: Auth) -> None:
    submitted = client.post("/v1/referrals", json=child_referral(), headers=auth("tukums.school"))
    path = f"/v1/referrals/{submitted.json()['id']}"
    assert client.get(path, headers=auth("daugavpils.cm")).status_code == 404
    short = client.get(path, headers={**auth("daugavpils.cm"), "X-Break-Glass-Justification": "now"})
    assert short.status_code == 403
    assert short.json()["reason"] == "break_glass_denied"
    response = client.get(path, headers={**auth("daugavpils.cm"), "X-Break-Glass-Justification": JUSTIFICATION})
    assert response.status_code == 200
    assert response.json()["child"]["given_name"] == "Elza"
    access = log_of(hub, AccessRecorded)[-1]
    assert (access.decision, access.basis, access.break_glass) == ("permit", "break-glass", True)
    [opened] = log_of(hub, BreakGlassReviewOpened)
    assert (opened.actor.user_id, opened.resource, opened.subjects) == (
        "daugavpils.cm",
        access.resource,
        access.subjects,
    )
    queue = client.get("/v1/reviews", headers=auth("daugavpils.head")).json()
    assert [item["id"] for item in queue] == [str(opened.originator_id)]
