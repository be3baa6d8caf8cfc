"""Audit events as IHE BALP AuditEvents: read, query, privacy disclosure and consent decision, with the policy hash
and the legal basis where BALP lets them go (the user agent's policy, the outcome description)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from adapters.fhir_audit import audit_events
from events.access import AccessRecorded
from events.base import Actor
from events.disclosure import DisclosureRecorded
from events.registry import agency_id_for
from events.values import DataCategory, Decision, Purpose

TUK_SD, TUK_SKOLA = agency_id_for("TUK-SD"), agency_id_for("TUK-SKOLA")
ACTOR = Actor(user_id="tukums.cm", agency_id=TUK_SD, role="case_manager")
SUBJECT = uuid4()


def access(action: str, **changes: Any) -> AccessRecorded:
    fields: dict[str, Any] = {
        "originator_id": uuid4(),
        "originator_version": 1,
        "actor": ACTOR,
        "action": action,
        "resource": "referral:1",
        "purpose": "referral-handling",
        "subjects": (SUBJECT,),
        "categories": (DataCategory.IDENTITY,),
        "decision": Decision.PERMIT,
        "basis": "statute:bti-73",
        "reasons": ("recipient of the referral",),
        "policy_hash": "ab" * 32,
    }
    return AccessRecorded(**(fields | changes))


def codes(concepts: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(coding["system"], coding["code"]) for coding in concepts}


def test_a_read_is_a_balp_read_with_the_policy_and_basis_on_the_user_agent() -> None:
    [read] = audit_events(access("referral.read"))
    assert read["type"]["code"] == "rest"
    assert ("http://hl7.org/fhir/restful-interaction", "read") in codes(read["subtype"])
    assert read["action"] == "R"
    user = read["agent"][0]
    assert user["type"]["coding"][0]["code"] == "IRCP"
    assert user["requestor"] is True
    assert user["policy"] == [
        f"https://hub.example/codes/policy/sha256/{'ab' * 32}",
        "https://hub.example/codes/basis/statute:bti-73",
    ]
    assert "basis=statute:bti-73" in read["outcomeDesc"]
    [patient] = [entity for entity in read["entity"] if entity["type"]["code"] == "1"]
    assert (patient["what"]["reference"], patient["role"]["code"]) == (f"Patient/{SUBJECT}", "1")


def test_a_list_read_is_a_balp_query_carrying_the_query() -> None:
    [query] = audit_events(access("inbox.read", resource="inbox:TUK-SD"))
    assert ("http://hl7.org/fhir/restful-interaction", "search") in codes(query["subtype"])
    assert query["action"] == "E"
    [data] = [entity for entity in query["entity"] if entity["type"]["code"] == "2"]
    assert data["role"]["code"] == "24"
    assert data["query"] == "aW5ib3g6VFVLLVNE"  # base64 of the resource read


def test_a_consent_based_read_is_also_a_balp_consent_decision() -> None:
    consent_id = uuid4()
    read, decision = audit_events(access("referral.read", basis="consent", consent_id=consent_id, consent_version=2))
    assert read["type"]["code"] == "rest"
    assert (decision["type"]["system"], decision["type"]["code"]) == (
        "http://dicom.nema.org/resources/ontology/DCM",
        "110113",
    )
    assert codes(decision["subtype"]) == {
        ("https://profiles.ihe.net/ITI/BALP/CodeSystem/AuthZsubType", "AuthZ-Consent")
    }
    assert decision["action"] == "E"
    [consent] = [entity for entity in decision["entity"] if entity["type"]["code"] == "Consent"]
    assert consent["what"] == {"reference": f"Consent/{consent_id}", "display": "version 2"}
    assert "authserver" in {agent["type"]["coding"][0]["code"] for agent in decision["agent"]}


def test_a_denied_read_is_a_failed_read() -> None:
    [denied] = audit_events(access("referral.read", decision=Decision.DENY, basis=None, policy_hash=None))
    assert denied["outcome"] == "4"
    assert "policy" not in denied["agent"][0]


def test_a_disclosure_is_a_balp_privacy_disclosure_at_the_source() -> None:
    disclosure = DisclosureRecorded(
        originator_id=uuid4(),
        originator_version=1,
        actor=ACTOR,
        recipient_agency_id=TUK_SKOLA,
        subjects=(SUBJECT,),
        categories=(DataCategory.STATUS,),
        purpose=Purpose.EDUCATION_SUPPORT,
        basis="consent",
        reasons=("covered by consent",),
        policy_hash="cd" * 32,
        consent_id=uuid4(),
        consent_version=1,
    )
    export, decision = audit_events(disclosure)
    assert (export["type"]["code"], export["action"]) == ("110106", "R")
    assert codes(export["subtype"]) == {("http://terminology.hl7.org/CodeSystem/iso-21089-lifecycle", "disclose")}
    roles = {agent["type"]["coding"][0]["code"]: agent for agent in export["agent"]}
    assert roles["110153"]["who"]["identifier"]["value"] == str(TUK_SD)
    assert roles["110152"]["who"]["identifier"]["value"] == str(TUK_SKOLA)
    assert export["purposeOfEvent"][0]["coding"][0]["code"] == "education_support"
    assert decision["subtype"][0]["code"] == "AuthZ-Consent"
