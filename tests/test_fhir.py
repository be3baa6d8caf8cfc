"""FHIR R4: a Bundle becomes a referral and reads back the same; consents and access events map to FHIR."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.auditevent import AuditEvent

from adapters.fhir_api import router
from adapters.fhir_audit import audit_bundle, read_or_query
from adapters.fhir_consent import consent_draft, fhir_consent
from adapters.fhir_referrals import PERSONAL_CODE_SYSTEM, draft_from_bundle
from events.access import AccessRecorded
from events.base import Actor
from events.consent import ConsentGranted, ConsentGrantor
from events.registry import agency_id_for
from events.values import AgencyKind, DataCategory, Decision, Purpose, Relationship
from hub.api.app import create_app
from hub.audit.replay import ReplayFilter
from hub.kernel.errors import DomainError, InvalidFields
from hub.service import Hub
from tests.conftest import head
from tests.test_inbox_and_access import access_events


def fhir_bundle(request_id: str, **changes: Any) -> dict[str, Any]:
    patient = {
        "resourceType": "Patient",
        "name": [{"given": ["Elza"], "family": "Kalniņa"}],
        "birthDate": "2015-04-12",
        "identifier": [{"system": PERSONAL_CODE_SYSTEM, "value": "120415-20001"}],
        "address": [{"district": "tukuma-novads"}],
    }
    request = {
        "resourceType": "ServiceRequest",
        "id": request_id,
        "status": "active",
        "intent": "order",
        "subject": {"reference": "urn:uuid:child"},
        "priority": "urgent",
        "reasonCode": [{"coding": [{"code": "neglect"}]}, {"coding": [{"code": "school_absence"}]}],
        "note": [{"text": "Bērns nav apmeklējis skolu divas nedēļas; izskatās novārdzis."}],
    }
    mother = {
        "resourceType": "RelatedPerson",
        "patient": {"reference": "urn:uuid:child"},
        "name": [{"given": ["Inga"], "family": "Kalniņa"}],
        "relationship": [{"coding": [{"code": "mother"}]}],
    }
    request.update(changes)
    entries = [{"fullUrl": "urn:uuid:child", "resource": patient}, {"resource": request}, {"resource": mother}]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def consent_granted(**changes: Any) -> ConsentGranted:
    """A mother's consent to TUK-SD and schools, for education support, to the status of her child's case."""
    fields: dict[str, Any] = {
        "originator_id": uuid4(),
        "originator_version": 1,
        "subject_id": uuid4(),
        "grantor": ConsentGrantor(name="Inga Kalniņa"),
        "recipient_agencies": (agency_id_for("TUK-SD"),),
        "recipient_kinds": (AgencyKind.SCHOOL,),
        "purposes": (Purpose.EDUCATION_SUPPORT,),
        "categories": (DataCategory.STATUS,),
        "valid_from": datetime(2026, 1, 1, tzinfo=UTC),
        "valid_until": datetime(2026, 12, 31, tzinfo=UTC),
        "evidence": "signed form 12",
    }
    return ConsentGranted(**(fields | changes))


def outcome_reasons(outcome: dict[str, Any]) -> list[str]:
    """The hub's reason codes in an OperationOutcome, one per issue."""
    assert outcome["resourceType"] == "OperationOutcome"
    return [coding["code"] for issue in outcome["issue"] for coding in issue["details"]["coding"]]


@pytest.fixture
def fhir_client(hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub, follow_in_background=False, extra_routers=(router,))) as test_client:
        yield test_client


def test_a_bundle_becomes_a_referral_and_reads_back_as_the_same_bundle(
    hub: Hub, fhir_client: TestClient, auth: Callable[[str], dict[str, str]]
) -> None:
    headers = auth("doctor") | {"Content-Type": "application/fhir+json"}
    created = fhir_client.post("/v1/fhir/Bundle", json=fhir_bundle("sr-1"), headers=headers)
    assert created.status_code == 201
    again = fhir_client.post("/v1/fhir/Bundle", json=fhir_bundle("sr-1"), headers=headers)
    assert (again.status_code, again.json()["id"]) == (200, created.json()["id"])
    referral_id = created.json()["id"]
    before = head(hub)
    read = fhir_client.get(f"/v1/fhir/ServiceRequest/{referral_id}/$bundle", headers=auth("tukums.intake"))
    assert read.status_code == 200
    assert read.headers["content-type"].startswith("application/fhir+json")
    assert draft_from_bundle(read.json()) == draft_from_bundle(fhir_bundle("sr-1"))
    assert head(hub) == before + 1  # the read was recorded


def test_the_referrer_may_not_read_the_bundle_and_the_denial_is_recorded(
    hub: Hub, fhir_client: TestClient, auth: Callable[[str], dict[str, str]]
) -> None:
    created = fhir_client.post("/v1/fhir/Bundle", json=fhir_bundle("sr-2"), headers=auth("doctor"))
    before = head(hub)
    read = fhir_client.get(f"/v1/fhir/ServiceRequest/{created.json()['id']}/$bundle", headers=auth("doctor"))
    assert read.status_code == 403
    assert outcome_reasons(read.json()) == ["access_denied"]
    assert head(hub) == before + 1
    [denial] = [event for event in access_events(hub) if event.action == "referral.read.fhir"]
    assert (denial.decision, denial.categories) == ("deny", ())  # recorded as the denial it is


@pytest.mark.parametrize(
    ("bundle", "reasons", "expressions"),
    [
        ({"resourceType": "Bundle", "type": ["collection"]}, ["not_r4"], ["Bundle.type"]),
        ({"resourceType": "Bundle", "type": "collection", "entry": []}, ["missing"] * 2, ["Bundle.entry"] * 2),
        (fhir_bundle("sr-3", priority="whenever"), ["unknown_code"], ["Bundle.entry[1].resource.priority"]),
        (
            fhir_bundle("sr-4", reasonCode=[{"coding": [{"code": "homesick"}]}]),
            ["unknown_code"],
            ["Bundle.entry[1].resource.reasonCode[0]"],
        ),
        (
            {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Nope"}}]},
            ["missing"] * 2,  # an entry the hub does not read is not judged (this one once crashed the parser)
            ["Bundle.entry"] * 2,
        ),
    ],
)
def test_bad_bundles_are_refused_with_an_operation_outcome_and_nothing_appended(
    hub: Hub,
    fhir_client: TestClient,
    auth: Callable[[str], dict[str, str]],
    bundle: dict[str, Any],
    reasons: list[str],
    expressions: list[str],
) -> None:
    before = head(hub)
    response = fhir_client.post("/v1/fhir/Bundle", json=bundle, headers=auth("doctor"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/fhir+json"
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert [issue["expression"][0] for issue in outcome["issue"]] == expressions
    assert outcome_reasons(outcome) == reasons
    assert all(issue["severity"] == "error" and issue["diagnostics"] for issue in outcome["issue"])
    assert head(hub) == before


def test_every_fault_of_a_bundle_is_reported_in_plain_words_at_its_fhirpath(
    fhir_client: TestClient, auth: Callable[[str], dict[str, str]]
) -> None:
    bundle = fhir_bundle("sr-5", note=[])
    patient = bundle["entry"][0]["resource"]
    del patient["birthDate"], patient["address"]
    bundle["entry"][2]["resource"]["relationship"] = [{"coding": [{"system": "http://snomed.info/sct", "code": "MTH"}]}]
    outcome = fhir_client.post("/v1/fhir/Bundle", json=bundle, headers=auth("doctor")).json()
    found = {issue["expression"][0]: issue["diagnostics"] for issue in outcome["issue"]}
    assert set(found) == {
        "Bundle.entry[0].resource.birthDate",
        "Bundle.entry[0].resource.address.district",
        "Bundle.entry[1].resource.note",
        "Bundle.entry[2].resource.relationship",
    }
    assert found["Bundle.entry[0].resource.birthDate"] == "the child's birth date is missing"
    assert "Patient.address.district" in found["Bundle.entry[0].resource.address.district"]
    assert "http://snomed.info/sct|MTH" in found["Bundle.entry[2].resource.relationship"]  # the system is checked


@pytest.mark.parametrize(
    ("system", "code", "relationship"),
    [
        ("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "MTH", Relationship.MOTHER),
        ("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "NMTH", Relationship.MOTHER),
        ("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "FTH", Relationship.FATHER),
        ("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "SIGOTHR", Relationship.HOUSEHOLD_MEMBER),
        ("http://terminology.hl7.org/CodeSystem/v2-0131", "N", Relationship.HOUSEHOLD_MEMBER),
        ("http://terminology.hl7.org/CodeSystem/v2-0131", "C", Relationship.HOUSEHOLD_MEMBER),
        ("https://hub.example/codes", "guardian", Relationship.GUARDIAN),
    ],
)
def test_standard_relationship_codes_map_to_the_hubs_relationships(
    system: str, code: str, relationship: Relationship
) -> None:
    bundle = fhir_bundle("sr-6")
    bundle["entry"][2]["resource"]["relationship"] = [{"coding": [{"system": system, "code": code}]}]
    assert draft_from_bundle(bundle).family[0].relationship is relationship


def test_a_code_of_one_system_is_not_read_in_another() -> None:
    bundle = fhir_bundle("sr-7")
    bundle["entry"][2]["resource"]["relationship"] = [
        {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0131", "code": "MTH"}]}
    ]
    with pytest.raises(InvalidFields) as refused:
        draft_from_bundle(bundle)
    assert [error.field for error in refused.value.errors] == ["Bundle.entry[2].resource.relationship"]


def test_access_events_export_as_valid_audit_events() -> None:
    subject = uuid4()
    access = AccessRecorded(
        originator_id=uuid4(),
        originator_version=1,
        actor=Actor(user_id="tukums.cm", agency_id=agency_id_for("TUK-SD"), role="case_manager"),
        action="referral.read",
        resource="referral:1",
        purpose="referral-handling",
        subjects=(subject,),
        categories=(DataCategory.IDENTITY,),
        decision=Decision.DENY,
        basis=None,
        reasons=("not a recipient",),
    )
    exported = read_or_query(access)
    again = AuditEvent.model_validate(exported)
    assert again.outcome == "4"
    assert again.agent[0].who.identifier.value == "tukums.cm"
    assert f"Patient/{subject}" in [entity.what.reference for entity in again.entity if entity.what.reference]
    assert all("location" not in agent for agent in exported["agent"])  # R4: agent.location is a Location only
    agency = [agent["who"].get("identifier", {}).get("value") for agent in exported["agent"] if not agent["requestor"]]
    assert str(agency_id_for("TUK-SD")) in agency


def test_a_consent_maps_to_fhir_and_back() -> None:
    tuk_sd = agency_id_for("TUK-SD")
    granted = consent_granted()
    resource = fhir_consent(granted, {str(tuk_sd): "TUK-SD"})
    draft = consent_draft(resource, str(granted.subject_id), {"name": "Inga Kalniņa"}, "signed form 12")
    assert draft.recipient_agencies == ["TUK-SD"]
    assert draft.recipient_kinds == [AgencyKind.SCHOOL]
    assert (draft.purposes, draft.categories) == ([Purpose.EDUCATION_SUPPORT], [DataCategory.STATUS])
    assert (draft.valid_from, draft.valid_until) == (granted.valid_from, granted.valid_until)


def test_a_consent_without_a_permit_provision_is_refused() -> None:
    resource = {
        "resourceType": "Consent",
        "status": "active",
        "scope": {"coding": [{"code": "patient-privacy"}]},
        "category": [{"coding": [{"code": "59284-0"}]}],
        "provision": {"type": "deny"},
    }
    with pytest.raises(InvalidFields, match="permits nothing") as refused:
        consent_draft(resource, str(uuid4()), {"name": "Inga Kalniņa"}, "form")
    assert [(error.field, error.reason) for error in refused.value.errors] == [("Consent.provision", "no_permit")]


def test_the_root_rule_carries_no_type_and_the_grant_is_the_permit_nested_in_it() -> None:
    granted = consent_granted(recipient_agencies=(), valid_until=None)
    root = fhir_consent(granted, {})["provision"]
    assert "type" not in root  # R4: "not permitted in root rule, required in all nested rules"
    assert [rule["type"] for rule in root["provision"]] == ["permit"]


def test_a_nested_permit_of_another_system_is_read_and_every_fault_reported_at_its_fhirpath() -> None:
    resource = {
        "resourceType": "Consent",
        "status": "active",
        "scope": {"coding": [{"code": "patient-privacy"}]},
        "category": [{"coding": [{"code": "59284-0"}]}],
        "policyRule": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTIN"}]},
        "provision": {
            "period": {"start": "2026-01-01T00:00:00+02:00"},
            "provision": [
                {"type": "deny", "actor": [{"role": {"coding": [{"code": "PRCP"}]}, "reference": {"display": "x"}}]},
                {
                    "type": "permit",
                    "actor": [{"role": {"coding": [{"code": "IRCP"}]}, "reference": {"display": "agency-kind:school"}}],
                    "purpose": [{"code": "TREAT"}],
                },
            ],
        },
    }
    with pytest.raises(InvalidFields) as refused:
        consent_draft(resource, str(uuid4()), {"name": "Inga Kalniņa"}, "form")
    assert [error.field for error in refused.value.errors] == [
        "Consent.provision.provision[1].purpose[0]",
        "Consent.provision.provision[1].class",
    ]
    assert refused.value.errors[1].message == "the data classes (the hub's data category codes) is missing"
    resource["provision"]["provision"][1] |= {"purpose": [{"code": "education_support"}], "class": [{"code": "status"}]}
    draft = consent_draft(resource, str(uuid4()), {"name": "Inga Kalniņa"}, "form")
    assert (draft.recipient_kinds, draft.purposes) == ([AgencyKind.SCHOOL], [Purpose.EDUCATION_SUPPORT])
    assert draft.valid_from == datetime(2025, 12, 31, 22, tzinfo=UTC)  # 2026-01-01T00:00+02:00


def test_the_auditor_exports_replayed_accesses_as_a_bundle_of_audit_events(
    hub: Hub, fhir_client: TestClient, auth: Callable[[str], dict[str, str]]
) -> None:
    created = fhir_client.post("/v1/fhir/Bundle", json=fhir_bundle("sr-audit"), headers=auth("doctor"))
    fhir_client.get(f"/v1/referrals/{created.json()['id']}", headers=auth("tukums.cm"))
    fhir_client.get(f"/v1/referrals/{created.json()['id']}", headers=auth("daugavpils.cm"))
    with pytest.raises(DomainError):
        audit_bundle(hub, hub.principal_for("tukums.cm"), ReplayFilter(), "export")
    bundle = audit_bundle(hub, hub.principal_for("auditor"), ReplayFilter(user="daugavpils.cm"), "export")
    assert (bundle["type"], "total" in bundle) == ("collection", False)  # bdl-1: total only for search, history
    assert len(bundle["entry"]) >= 1
    events = [AuditEvent.model_validate(item["resource"]) for item in bundle["entry"]]
    assert {event.outcome for event in events} == {"4"}  # the other municipality's read was refused
