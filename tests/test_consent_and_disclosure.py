"""Consents, disclosures and break-glass end to end on both stores: every outcome is in the log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from events.access import AccessRecorded
from events.disclosure import DisclosureRecorded
from events.review import BreakGlassReviewOpened, BreakGlassReviewResolved
from hub.service import Hub
from tests.conftest import child_referral, head, known_child, log_of

Auth = Callable[[str], dict[str, str]]
UNKNOWN = "6f1c2b7e-3d4a-4c5b-9e8f-0a1b2c3d4e5f"  # a subject id the hub has never seen
JUSTIFICATION = "Child found alone at night; mother unreachable, need the history now."


@pytest.fixture
def child(hub: Hub, client: TestClient) -> str:
    """A child referred by the Tukums school: Tukums' social service leads the case."""
    return known_child(hub)["subject_id"]


def grant(client: TestClient, auth: Auth, subject: str, user: str = "tukums.cm", **overrides: Any) -> dict[str, Any]:
    body = consent_body(subject, **overrides)
    response = client.post("/v1/consents", json=body, headers=auth(user))
    assert response.status_code == 201, response.text
    return dict(response.json())


def consent_body(subject: str, **overrides: Any) -> dict[str, Any]:
    return {
        "subject_id": subject,
        "granted_by": {"name": "Inga Kalniņa", "relationship": "mother"},
        "recipient_kinds": ["school"],
        "purposes": ["education_support"],
        "categories": ["school_attendance", "services"],
        "evidence": "TUK-SD/2026/117 (signed form)",
        **overrides,
    }


def disclosure(subject: str = UNKNOWN, **overrides: Any) -> dict[str, Any]:
    return {
        "recipient": "TUK-SKOLA",
        "subjects": [subject],
        "categories": ["school_attendance"],
        "purpose": "education_support",
        **overrides,
    }


def test_withdrawing_a_consent_blocks_later_disclosures_at_once_and_keeps_earlier_ones(
    client: TestClient, hub: Hub, auth: Auth, child: str
) -> None:
    consent = grant(client, auth, child)
    headers = auth("tukums.cm")
    first = client.post("/v1/disclosures", json=disclosure(child, consent_id=consent["id"]), headers=headers)
    assert first.status_code == 201, first.text
    assert (first.json()["basis"], first.json()["consent_version"]) == ("consent", 1)
    assert first.json()["policy_hash"] == hub.policy_engine.policy_hash

    withdrawn = client.post(
        f"/v1/consents/{consent['id']}/withdraw", json={"reason": "Māte atsauc piekrišanu"}, headers=headers
    )
    assert withdrawn.json()["status"] == "withdrawn"
    second = client.post("/v1/disclosures", json=disclosure(child, consent_id=consent["id"]), headers=headers)
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

    replayed = client.get("/v1/audit/replay", params={"subject": child}, headers=auth("auditor")).json()["entries"]
    on_consent = [(entry["kind"], entry["consent_version"]) for entry in replayed if entry["consent_id"]]
    assert on_consent == [("disclosure", 1), ("access", 2)], "the auditor sees which version of the consent decided"
    csv = client.get("/v1/audit/replay", params={"subject": child, "format": "csv"}, headers=auth("auditor")).text
    assert "consent_version" in csv.splitlines()[0]


def test_consent_scope_is_enforced_and_every_denial_recorded(
    client: TestClient, hub: Hub, auth: Auth, child: str
) -> None:
    consent = grant(client, auth, child, recipient_kinds=[], recipient_agencies=["TUK-SKOLA"])
    headers = auth("tukums.cm")
    cases = {
        "disclose.consent-wrong-recipient": disclosure(child, consent_id=consent["id"], recipient="DAU-SKOLA"),
        "disclose.consent-wrong-purpose": disclosure(child, consent_id=consent["id"], purpose="criminal_investigation"),
        "disclose.consent-category-not-covered": disclosure(child, consent_id=consent["id"], categories=["assessment"]),
        "disclose.consent-unknown": disclosure(child, consent_id="00000000-0000-4000-8000-000000000000"),
    }
    for policy, body in cases.items():
        response = client.post("/v1/disclosures", json=body, headers=headers)
        assert response.status_code == 403, response.text
        assert policy in response.json()["detail"]
    assert [event.decision for event in log_of(hub, AccessRecorded)] == ["deny"] * len(cases)
    assert log_of(hub, DisclosureRecorded) == []


def test_statutory_basis_disclosure_records_the_basis(client: TestClient, hub: Hub, auth: Auth, child: str) -> None:
    body = disclosure(
        child, recipient="TUK-SD", categories=["identity", "school_attendance"], purpose="child_protection"
    )
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
        (disclosure(basis="BTAL-73"), "subjects.0"),
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


def test_bad_consent_input_is_422_and_appends_nothing(client: TestClient, hub: Hub, auth: Auth, child: str) -> None:
    before = head(hub)
    for override in (
        {"recipient_kinds": []},
        {"purposes": []},
        {"valid_from": "2026-05-01T00:00:00Z", "valid_until": "2026-04-01T00:00:00Z"},
        {"recipient_agencies": ["NOWHERE"]},
        {"subject_id": "not-a-uuid"},
        {"subject_id": UNKNOWN},
    ):
        body = {
            "subject_id": child,
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


def test_listing_consents_is_audited_and_only_for_related_caseworkers(
    client: TestClient, hub: Hub, auth: Auth, child: str
) -> None:
    consent = grant(client, auth, child, valid_until="2020-01-01T00:00:00Z", valid_from="2019-01-01T00:00:00Z")
    listed = client.get("/v1/consents", params={"subject_id": child}, headers=auth("tukums.cm"))
    assert [(item["id"], item["status"]) for item in listed.json()] == [(consent["id"], "expired")]
    for stranger in ("daugavpils.cm", "riga.head", "tukums.school"):
        assert client.get("/v1/consents", params={"subject_id": child}, headers=auth(stranger)).status_code == 403
    reads = [(e.actor.user_id, e.decision, e.basis) for e in log_of(hub, AccessRecorded)]
    assert reads == [
        ("tukums.cm", "permit", "GDPR-7-1"),
        ("daugavpils.cm", "deny", None),
        ("riga.head", "deny", None),
        ("tukums.school", "deny", None),
    ]
    assert hub.consents.expire_due() == 1
    assert hub.consents.expire_due() == 0


def test_break_glass_disclosure_is_flagged_and_reviewed_by_the_head_of_service(
    client: TestClient, hub: Hub, auth: Auth, child: str
) -> None:
    body = disclosure(child, recipient="TUK-BT", categories=["assessment"], purpose="emergency")
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


def test_only_the_lead_social_service_records_a_consent_and_only_it_or_the_recorder_withdraws_it(
    client: TestClient, hub: Hub, auth: Auth, child: str
) -> None:
    before = len(log_of(hub, AccessRecorded))
    for stranger in ("riga.cm", "daugavpils.cm", "police.officer", "tukums.school", "tukums.bt"):
        body = consent_body(child, recipient_kinds=[], recipient_agencies=["RIX-BT"])
        response = client.post("/v1/consents", json=body, headers=auth(stranger))
        assert response.status_code == 403, (stranger, response.text)
        assert response.json()["reason"] == "action_not_permitted"
    consent = grant(client, auth, child)
    for stranger in ("riga.cm", "daugavpils.cm", "police.officer", "tukums.school"):
        path = f"/v1/consents/{consent['id']}/withdraw"
        response = client.post(path, json={"reason": "Māte atsauc"}, headers=auth(stranger))
        assert response.status_code == 403, (stranger, response.text)
    refusals = log_of(hub, AccessRecorded)[before:]
    assert [(event.action, event.decision) for event in refusals] == [("consent.record", "deny")] * 5 + [
        ("consent.withdraw", "deny")
    ] * 4
    assert all(event.subjects == (UUID(child),) for event in refusals)
    withdrawn = client.post(f"/v1/consents/{consent['id']}/withdraw", json={"reason": "x"}, headers=auth("tukums.head"))
    assert withdrawn.json()["status"] == "withdrawn"


def test_an_agency_unrelated_to_the_child_may_not_disclose_anything_about_her(
    client: TestClient, hub: Hub, auth: Auth, child: str
) -> None:
    body = disclosure(child, recipient="RIX-BT", categories=["identity"], purpose="child_protection", basis="BTAL-73")
    for stranger in ("riga.cm", "riga.head", "daugavpils.cm"):
        response = client.post("/v1/disclosures", json=body, headers=auth(stranger))
        assert response.status_code == 403, (stranger, response.text)
        assert "disclose.unrelated" in response.json()["detail"]
    emergency = {**body, "basis": None, "purpose": "emergency", "break_glass_justification": JUSTIFICATION}
    assert client.post("/v1/disclosures", json=emergency, headers=auth("riga.cm")).status_code == 403
    assert log_of(hub, DisclosureRecorded) == []
    assert [event.decision for event in log_of(hub, AccessRecorded)] == ["deny"] * 4
    related = client.post("/v1/disclosures", json=body, headers=auth("tukums.cm"))
    assert related.status_code == 201, related.text


def test_a_consent_naming_the_child_by_personal_code_lands_on_her_record(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    child = known_child(hub)
    body = {**consent_body(child["subject_id"]), "subject_id": None, "personal_code": child["code"]}
    recorded = client.post("/v1/consents", json=body, headers=auth("tukums.cm"))
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["subject_id"] == child["subject_id"]
    before = head(hub)
    for override, reason in (
        ({"personal_code": "32999999999"}, "unknown_subject"),
        ({"subject_id": UNKNOWN}, "unknown_subject"),
        ({"subject_id": child["subject_id"], "personal_code": known_child(hub)["code"]}, "subject_code_mismatch"),
    ):
        before = head(hub)
        refused = client.post("/v1/consents", json={**body, **override}, headers=auth("tukums.cm"))
        assert (refused.status_code, refused.json()["reason"]) == (422, reason), override
        assert head(hub) == before


def test_after_erasure_nothing_more_is_recorded_or_disclosed_and_the_erasure_can_be_repeated(
    client: TestClient, hub: Hub, auth: Auth, child: str
) -> None:
    erase = {"reason": "data_subject_request"}
    assert client.post(f"/v1/subjects/{child}/erase", json=erase, headers=auth("riga.head")).status_code == 403
    assert client.post(f"/v1/subjects/{child}/erase", json=erase, headers=auth("tukums.head")).status_code == 200
    before = head(hub)
    consent = client.post("/v1/consents", json=consent_body(child), headers=auth("tukums.cm"))
    body = disclosure(child, recipient="TUK-BT", categories=["identity"], purpose="child_protection", basis="BTAL-73")
    disclosed = client.post("/v1/disclosures", json=body, headers=auth("tukums.cm"))
    assert [(consent.status_code, consent.json()["reason"]), (disclosed.status_code, disclosed.json()["reason"])] == [
        (410, "subject_erased"),
        (410, "subject_erased"),
    ]
    assert head(hub) == before
    again = client.post(f"/v1/subjects/{child}/erase", json=erase, headers=auth("tukums.head"))
    assert again.status_code == 200, "repeating finishes the scrub if the first one could not"
