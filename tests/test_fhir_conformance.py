"""Conformance: every FHIR resource the hub emits is valid R4 (HL7's JSON schema and the R4 invariants checked in
`tests/fhir_r4.py`), and HL7's own R4 examples fed to every FHIR input are accepted or refused with a complete
OperationOutcome (every issue with its type, the hub's reason, plain words and, for bad input, a FHIRPath)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from adapters.fhir_api import router
from adapters.fhir_audit import audit_bundle, audit_events
from adapters.fhir_consent import consent_draft, fhir_consent
from adapters.fhir_outcome import operation_outcome
from events.access import AccessRecorded
from events.base import Actor
from events.disclosure import DisclosureRecorded
from events.registry import agency_id_for
from events.values import DataCategory, Decision, Purpose
from hub.api.app import create_app
from hub.audit.replay import ReplayFilter
from hub.kernel.errors import InvalidFields
from hub.service import Hub
from tests import fhir_r4
from tests.conftest import head
from tests.test_fhir import consent_granted, fhir_bundle
from tests.test_referral_lifecycle import act

Auth = Callable[[str], dict[str, str]]
FHIR_HEADERS = {"Content-Type": "application/fhir+json"}


@pytest.fixture
def fhir_client(hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub, follow_in_background=False, extra_routers=(router,))) as test_client:
        yield test_client


def assert_valid_r4(resource: dict[str, Any]) -> None:
    assert fhir_r4.conformance_errors(resource) == [], resource.get("resourceType")


def assert_complete_outcome(outcome: dict[str, Any], with_expressions: bool) -> None:
    """Valid R4, and every issue says what kind it is, the hub's reason, in words, and (for bad input) where."""
    assert_valid_r4(outcome)
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"]
    for issue in outcome["issue"]:
        assert issue["severity"] == "error"
        assert issue["code"]
        assert issue["details"]["coding"][0]["code"]
        assert issue["diagnostics"]
        assert "input" not in issue["diagnostics"].lower()  # plain words, not the parser's ("input is too short")
        if with_expressions:
            assert issue["expression"]


def emitted_resources(hub: Hub, client: TestClient, auth: Auth) -> list[dict[str, Any]]:
    """Every kind of resource the hub emits, produced through its own paths."""
    headers = auth("doctor") | FHIR_HEADERS
    referral_id = client.post("/v1/fhir/Bundle", json=fhir_bundle("sr-conformance"), headers=headers).json()["id"]
    emitted = [client.get(f"/v1/fhir/ServiceRequest/{referral_id}/$bundle", headers=auth("tukums.intake")).json()]
    act(client, auth, "tukums.intake", referral_id, "acknowledge")
    act(client, auth, "tukums.cm", referral_id, "request-information", question="Kopš kura laika?")
    focus = {"focus": f"ServiceRequest/{referral_id}"}
    for user in ("tukums.cm", "doctor"):
        search = client.get("/v1/fhir/Task", params=focus, headers=auth(user)).json()
        emitted += [
            search,
            client.get(f"/v1/fhir/Task/{search['entry'][0]['resource']['id']}", headers=auth(user)).json(),
        ]
    refusals = [
        client.post("/v1/fhir/Bundle", json=fhir_bundle("sr-bad", priority="whenever", note=[]), headers=headers),
        client.get(f"/v1/fhir/ServiceRequest/{referral_id}/$bundle", headers=auth("doctor")),
        client.get("/v1/fhir/Task", params=focus, headers=auth("daugavpils.cm")),
        client.get("/v1/fhir/Task", params={"focus": "Patient/1"}, headers=auth("tukums.cm")),
        client.get("/v1/fhir/Task/nonsense", headers={}),
    ]
    assert [response.status_code for response in refusals] == [422, 403, 404, 422, 401]
    emitted += [response.json() for response in refusals]
    emitted.append(audit_bundle(hub, hub.principal_for("auditor"), ReplayFilter(), "conformance"))
    emitted += [fhir_consent(consent_granted(), {str(agency_id_for("TUK-SD")): "TUK-SD"})]
    emitted += [resource for event in consent_based_events() for resource in audit_events(event)]
    return emitted


def consent_based_events() -> list[AccessRecorded | DisclosureRecorded]:
    """A read and a disclosure that rested on a consent (the BALP consent decision and privacy disclosure)."""
    actor = Actor(user_id="tukums.cm", agency_id=agency_id_for("TUK-SD"), role="case_manager")
    common: dict[str, Any] = {
        "originator_version": 1,
        "actor": actor,
        "subjects": (uuid4(),),
        "categories": (DataCategory.STATUS,),
        "basis": "consent",
        "reasons": ("covered by consent",),
        "policy_hash": "ab" * 32,
        "consent_id": uuid4(),
        "consent_version": 1,
    }
    read = AccessRecorded(
        originator_id=uuid4(),
        action="referral.read",
        resource="referral:1",
        purpose="p",
        decision=Decision.PERMIT,
        **common,
    )
    disclosure = DisclosureRecorded(
        originator_id=uuid4(),
        recipient_agency_id=agency_id_for("TUK-SKOLA"),
        purpose=Purpose.EDUCATION_SUPPORT,
        **common,
    )
    return [read, disclosure]


def test_every_resource_the_hub_emits_is_valid_r4(hub: Hub, fhir_client: TestClient, auth: Auth) -> None:
    emitted = emitted_resources(hub, fhir_client, auth)
    kinds = {resource["resourceType"] for resource in emitted}
    assert kinds == {"Bundle", "Task", "OperationOutcome", "Consent", "AuditEvent"}
    nested = {entry["resource"]["resourceType"] for bundle in emitted for entry in bundle.get("entry", [])}
    assert nested >= {"Patient", "ServiceRequest", "RelatedPerson", "Task", "AuditEvent"}
    for resource in emitted:
        assert_valid_r4(resource)
    for resource in emitted:
        if resource["resourceType"] == "OperationOutcome":
            assert_complete_outcome(resource, with_expressions=False)


def test_the_checks_find_what_they_check() -> None:
    """The validators are live: the defects this issue fixed are found in the resources the hub used to emit."""
    old_export = {"resourceType": "Bundle", "type": "collection", "total": 0, "entry": []}
    assert "bdl-1: total only when a search or history" in fhir_r4.invariant_errors(old_export)
    old_consent = fhir_consent(consent_granted(), {str(agency_id_for("TUK-SD")): "TUK-SD"})
    old_consent["provision"] = old_consent["provision"]["provision"][0]
    assert "Consent.provision.type: not permitted in the root rule" in fhir_r4.invariant_errors(old_consent)
    assert fhir_r4.schema_errors({"resourceType": "Patient", "birthDate": "12.04.2015"})


def _submitted(client: TestClient, auth: Auth, bundle: dict[str, Any]) -> int:
    """POST a Bundle; a refusal must be a complete OperationOutcome (but for a body over the hub's size limit,
    refused before any route is chosen, as a problem document)."""
    body = json.dumps(bundle).encode()
    response = client.post("/v1/fhir/Bundle", content=body, headers=auth("doctor") | FHIR_HEADERS)
    if len(body) > client.app.state.hub.settings.max_body_bytes:
        assert (response.status_code, response.json()["reason"]) == (413, "body_too_large")
    elif response.status_code >= 400:
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/fhir+json"
        assert_complete_outcome(response.json(), with_expressions=True)
    return response.status_code


def _name(path: Path) -> str:
    return path.stem


@pytest.mark.parametrize("path", fhir_r4.examples("Bundle"), ids=_name)
def test_hl7_example_bundles_are_accepted_or_refused_with_a_complete_outcome(
    hub: Hub, fhir_client: TestClient, auth: Auth, path: Path
) -> None:
    before = head(hub)
    status = _submitted(fhir_client, auth, fhir_r4.example(path.stem))
    assert status in (201, 413, 422)
    if status != 201:
        assert head(hub) == before


def _with(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": entry} for entry in entries]}


@pytest.mark.parametrize("path", fhir_r4.examples("ServiceRequest"), ids=_name)
def test_hl7_example_service_requests_with_a_child_are_accepted_or_refused_with_a_complete_outcome(
    fhir_client: TestClient, auth: Auth, path: Path
) -> None:
    child = fhir_bundle("child")["entry"][0]["resource"]
    assert _submitted(fhir_client, auth, _with([fhir_r4.example(path.stem), child])) in (201, 422)


# HL7's people in the hub's referral: each Patient as the child (accepted, or refused: no Latvian municipality
# in its address), each RelatedPerson as the family member (all accepted: their relationships are standard codes).
PEOPLE = [(path, 0, {201, 422}) for path in fhir_r4.examples("Patient")]
PEOPLE += [(path, 2, {201}) for path in fhir_r4.examples("RelatedPerson")]


@pytest.mark.parametrize(("path", "entry", "statuses"), PEOPLE, ids=[path.stem for path, _, _ in PEOPLE])
def test_hl7_example_people_in_a_referral_are_accepted_or_refused_with_a_complete_outcome(
    fhir_client: TestClient, auth: Auth, path: Path, entry: int, statuses: set[int]
) -> None:
    bundle = fhir_bundle(f"sr-{path.stem}")
    bundle["entry"][entry]["resource"] = fhir_r4.example(path.stem)
    assert _submitted(fhir_client, auth, bundle) in statuses


@pytest.mark.parametrize("path", fhir_r4.examples("Consent"), ids=_name)
def test_hl7_example_consents_map_to_a_consent_or_are_refused_with_a_complete_outcome(path: Path) -> None:
    resource = fhir_r4.example(path.stem)
    assert fhir_r4.schema_errors(resource) == []  # they are valid R4
    try:
        consent_draft(resource, str(uuid4()), {"name": "Inga Kalniņa"}, "form")
        return
    except InvalidFields as error:
        refused = error
    assert refused.errors
    errors = [{"field": error.field, "reason": error.reason, "message": error.message} for error in refused.errors]
    assert_complete_outcome(operation_outcome(422, refused.reason, refused.detail, errors), with_expressions=True)
    if any(rule.get("type") == "permit" for rule in resource["provision"].get("provision", [])):
        # the nested permit is read: what stops it is its codes, never the root rule's missing type
        assert all(error.field.startswith("Consent.provision.provision[") for error in refused.errors)


def test_the_referral_the_hub_sends_reads_back_through_its_own_input(
    hub: Hub, fhir_client: TestClient, auth: Auth
) -> None:
    referral_id = fhir_client.post("/v1/fhir/Bundle", json=fhir_bundle("sr-back"), headers=auth("doctor")).json()["id"]
    sent = fhir_client.get(f"/v1/fhir/ServiceRequest/{referral_id}/$bundle", headers=auth("tukums.intake")).json()
    assert _submitted(fhir_client, auth, sent | {"entry": sent["entry"]}) == 201
    assert UUID(referral_id)
