"""Consents to and from FHIR R4 Consent (permit provision: actor, action, purpose, data class, period)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fhir.resources.R4B.consent import Consent as FhirConsent
from pydantic import BaseModel, ConfigDict, ValidationError

from events.consent import FHIR_CONSENT_SCOPE, HUB_CODES, ConsentGranted, fhir_provision
from events.values import AgencyKind, DataCategory, Purpose
from hub.consent.domain import ConsentDraft
from hub.kernel.errors import InvalidInput

KIND_PREFIX = "agency-kind:"


class ProvisionShape(BaseModel):
    """The parts of a FHIR Consent.provision the hub reads: recipients (actor), purposes, data classes, period."""

    model_config = ConfigDict(frozen=True)

    agency_codes: list[str]
    agency_kinds: list[AgencyKind]
    actions: list[str]
    purposes: list[Purpose]
    categories: list[DataCategory]
    start: datetime | None = None
    end: datetime | None = None


def fhir_consent(granted: ConsentGranted, agency_codes: dict[str, str]) -> dict[str, Any]:
    """A consent grant as a validated FHIR Consent; `agency_codes` maps agency ids to codes for the actors."""
    provision = fhir_provision(granted)
    for actor in provision["actor"]:
        reference = actor["reference"].get("reference", "")
        if reference.startswith("Organization/"):
            actor["reference"] = {"identifier": {"system": HUB_CODES, "value": agency_codes[reference.split("/")[1]]}}
    resource = {
        "resourceType": "Consent",
        "id": str(granted.originator_id),
        "status": "active",
        "scope": {"coding": [{"system": FHIR_CONSENT_SCOPE, "code": "patient-privacy"}]},
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
        "patient": {"reference": f"Patient/{granted.subject_id}"},
        "dateTime": granted.timestamp.isoformat(),
        "performer": [{"display": granted.grantor.name}],
        "policyRule": {"coding": [{"system": HUB_CODES, "code": "consent"}]},
        "provision": provision,
    }
    return FhirConsent.model_validate(resource).model_dump(mode="json", exclude_none=True)


def provision_shape(resource: dict[str, Any]) -> ProvisionShape:
    """Read the provision of a FHIR Consent (raises InvalidInput naming the field)."""
    try:
        consent = FhirConsent.model_validate(resource)
    except ValidationError as error:
        first = error.errors()[0]
        raise InvalidInput("invalid_fhir", first["msg"], ".".join(str(p) for p in ("Consent", *first["loc"]))) from None
    if consent.provision is None or consent.provision.type != "permit":
        raise InvalidInput("invalid_fhir", "only a permit provision maps to a consent", "Consent.provision.type")
    provision = consent.provision.model_dump(mode="json", exclude_none=True)
    codes, kinds = [], []
    for actor in provision.get("actor", []):
        reference = actor.get("reference", {})
        if "identifier" in reference:
            codes.append(reference["identifier"]["value"])
        elif reference.get("display", "").startswith(KIND_PREFIX):
            kinds.append(reference["display"].removeprefix(KIND_PREFIX))
    period = provision.get("period", {})
    try:
        return ProvisionShape(
            agency_codes=codes,
            agency_kinds=kinds,
            actions=[coding["code"] for concept in provision.get("action", []) for coding in concept.get("coding", [])],
            purposes=[coding["code"] for coding in provision.get("purpose", [])],
            categories=[coding["code"] for coding in provision.get("class", [])],
            start=period.get("start"),
            end=period.get("end"),
        )
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in ("Consent.provision", *first["loc"]))
        raise InvalidInput("invalid_fhir", first["msg"], field) from None


def consent_draft(resource: dict[str, Any], subject_id: str, grantor: dict[str, Any], evidence: str) -> ConsentDraft:
    """A FHIR Consent as the draft the consent service records (the grantor and evidence come from the caller)."""
    shape = provision_shape(resource)
    return ConsentDraft.model_validate(
        {
            "subject_id": subject_id,
            "granted_by": grantor,
            "recipient_agencies": shape.agency_codes,
            "recipient_kinds": shape.agency_kinds,
            "purposes": shape.purposes,
            "categories": shape.categories,
            "valid_from": shape.start,
            "valid_until": shape.end,
            "evidence": evidence,
        }
    )
