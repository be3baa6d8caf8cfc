"""Consents to and from FHIR R4 Consent: the grant is a permit rule nested in the root rule (actor, action,
purpose, data class, period).

R4 allows no `type` in the root rule and requires one in every nested rule; the hub writes the root rule with the
period only and `policyRule` OPTIN (nothing is disclosed but what a permit allows). Reading, it takes the one
permit rule: the root rule itself if a sender typed it (the hub's older exports did), else the permit nested in
it. Anything that does not map is refused with every fault, each at its FHIRPath.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.consent import Consent as FhirConsent
from pydantic import ValidationError

from adapters.fhir_outcome import fhirpath, not_r4, plain_error
from events.consent import FHIR_CONSENT_SCOPE, HUB_CODES, ConsentGranted, fhir_provision
from hub.consent.domain import ConsentDraft
from hub.kernel.errors import FieldError, InvalidFields

KIND_PREFIX = "agency-kind:"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"


# Where each field of the draft is in the permit rule, and its plain label.
SHAPE_PATHS = {
    "recipient_agencies": (".actor", "the recipient agencies (actor)"),
    "recipient_kinds": (".actor", "the recipient agency kinds (actor)"),
    "purposes": (".purpose", "the purposes (the hub's purpose codes)"),
    "categories": (".class", "the data classes (the hub's data category codes)"),
    "valid_from": (".period.start", "the start of the period (a date and time with an offset)"),
    "valid_until": (".period.end", "the end of the period (a date and time with an offset)"),
}


def fhir_consent(granted: ConsentGranted, agency_codes: dict[str, str]) -> dict[str, Any]:
    """A consent grant as a validated FHIR Consent; `agency_codes` maps agency ids to codes for the actors."""
    permit = fhir_provision(granted)
    for actor in permit["actor"]:
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
        "policyRule": {"coding": [{"system": ACT_CODE, "code": "OPTIN"}]},
        "provision": {"period": permit["period"], "provision": [permit]},
    }
    return FhirConsent.model_validate(resource).model_dump(mode="json", exclude_none=True)


def _permit(provision: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The one permit rule and its FHIRPath (raises InvalidFields when there is none, or more than one)."""
    if provision.get("type") == "permit":
        return provision, "Consent.provision"
    permits = [
        (rule, f"Consent.provision.provision[{index}]")
        for index, rule in enumerate(provision.get("provision", []))
        if rule.get("type") == "permit"
    ]
    if len(permits) != 1:
        found = "permits nothing" if not permits else f"has {len(permits)} permit rules"
        message = f"the Consent {found}: the hub records one permit rule (the root rule or one nested in it)"
        raise InvalidFields("invalid_fhir", message, [FieldError("Consent.provision", "no_permit", message)])
    rule, path = permits[0]
    return {"period": provision.get("period", {})} | rule, path


def _draft_fields(permit: dict[str, Any]) -> dict[str, Any]:
    """The draft's recipients, purposes, data categories and period, from the permit rule's codes."""
    codes, kinds = [], []
    for actor in permit.get("actor", []):
        reference = actor.get("reference", {})
        if "identifier" in reference and reference["identifier"].get("system") in (HUB_CODES, None):
            codes.append(reference["identifier"].get("value"))
        elif reference.get("display", "").startswith(KIND_PREFIX):
            kinds.append(reference["display"].removeprefix(KIND_PREFIX))
    period = permit.get("period", {})
    return {
        "recipient_agencies": codes,
        "recipient_kinds": kinds,
        "purposes": [coding.get("code") for coding in permit.get("purpose", [])],
        "categories": [coding.get("code") for coding in permit.get("class", [])],
        "valid_from": period.get("start"),
        "valid_until": period.get("end"),
    }


def _faults(error: ValidationError, path: str) -> list[FieldError]:
    faults = []
    for item in error.errors():
        location = tuple(item["loc"])
        name = str(location[0]) if location else ""
        suffix, label = SHAPE_PATHS.get(name, ("", "the consent"))
        where = fhirpath(path + suffix, [part for part in location[1:2] if isinstance(part, int)])
        faults.append(FieldError(where, *plain_error(label, item)))
    return faults


def consent_draft(resource: dict[str, Any], subject_id: str, grantor: dict[str, Any], evidence: str) -> ConsentDraft:
    """A FHIR Consent as the draft the consent service records (the grantor and evidence come from the caller).

    Raises InvalidFields listing every fault at its FHIRPath."""
    try:
        consent = FhirConsent.model_validate(resource)
    except ValidationError as error:
        raise not_r4(error, "Consent") from None
    if consent.provision is None:
        message = "the Consent has no rules: the hub records one permit rule"
        raise InvalidFields("invalid_fhir", message, [FieldError("Consent.provision", "missing", message)])
    permit, path = _permit(consent.provision.model_dump(mode="json", exclude_none=True))
    body = {"subject_id": subject_id, "granted_by": grantor, "evidence": evidence, **_draft_fields(permit)}
    try:
        return ConsentDraft.model_validate(body)
    except ValidationError as error:
        raise InvalidFields("invalid_consent", "the Consent does not map to a consent", _faults(error, path)) from None
