"""FHIR R4 referrals: a Bundle of ServiceRequest + Patient (+ RelatedPerson) to a referral draft, and back.

Models come from `fhir.resources.R4B` (the R4 technical correction; these resources are unchanged from R4).
Mapping: Patient.name/birthDate/identifier (Latvian personal code) and address.district (municipality code) for
the child; RelatedPerson.name/relationship for family; ServiceRequest.reasonCode (concern codes), priority
(routine, urgent, asap -> urgent, stat -> immediate) and note (summary).
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from events.consent import HUB_CODES
from events.values import Urgency
from hub.kernel.errors import InvalidInput
from hub.referrals.domain import Referral, ReferralDraft

PERSONAL_CODE_SYSTEM = "urn:oid:1.3.6.1.4.1.48950.1.1"  # placeholder OID for the Latvian personal code
URGENCY_OF_PRIORITY = {
    "routine": Urgency.ROUTINE,
    "urgent": Urgency.URGENT,
    "asap": Urgency.URGENT,
    "stat": Urgency.IMMEDIATE,
}
PRIORITY_OF_URGENCY = {Urgency.ROUTINE: "routine", Urgency.URGENT: "urgent", Urgency.IMMEDIATE: "stat"}


def _first_error(error: ValidationError, prefix: str) -> InvalidInput:
    first = error.errors()[0]
    field = ".".join(str(part) for part in (prefix, *first["loc"]))
    return InvalidInput("invalid_fhir", first["msg"], field)


def _resources(bundle: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    try:
        parsed = Bundle.model_validate(bundle)
    except ValidationError as error:
        raise _first_error(error, "Bundle") from None
    found: dict[str, list[dict[str, Any]]] = {}
    for entry in parsed.entry or []:
        if entry.resource is not None:
            resource = entry.resource.model_dump(mode="json", exclude_none=True)
            found.setdefault(resource["resourceType"], []).append(resource)
    return found


def _name(resource: dict[str, Any]) -> dict[str, str]:
    names = resource.get("name") or [{}]
    return {"given_name": " ".join(names[0].get("given", [])), "family_name": names[0].get("family", "")}


def _personal_code(resource: dict[str, Any]) -> dict[str, str]:
    for identifier in resource.get("identifier", []):
        if identifier.get("system") == PERSONAL_CODE_SYSTEM and identifier.get("value"):
            return {"personal_code": identifier["value"]}
    return {}


def _codes(concepts: list[dict[str, Any]]) -> list[str]:
    return [coding["code"] for concept in concepts for coding in concept.get("coding", []) if "code" in coding]


def request_id(bundle: dict[str, Any]) -> str | None:
    """The ServiceRequest's id (the submission's idempotency key), if the sender gave one."""
    requests = _resources(bundle).get("ServiceRequest", [])
    return requests[0].get("id") if requests else None


def draft_from_bundle(bundle: dict[str, Any]) -> ReferralDraft:
    """Raises InvalidInput (reason invalid_fhir or invalid_referral, with the field) for anything unusable."""
    resources = _resources(bundle)
    for required in ("ServiceRequest", "Patient"):
        if len(resources.get(required, [])) != 1:
            raise InvalidInput("invalid_fhir", f"the Bundle needs exactly one {required}", f"Bundle.{required}")
    request, patient = resources["ServiceRequest"][0], resources["Patient"][0]
    addresses = patient.get("address") or [{}]
    priority = request.get("priority", "routine")
    body = {
        "child": {
            **_name(patient),
            "birth_date": patient.get("birthDate", ""),
            "municipality": addresses[0].get("district", ""),
            **_personal_code(patient),
        },
        "family": [
            {
                **_name(person),
                **_personal_code(person),
                "relationship": next(iter(_codes(person.get("relationship", []))), ""),
            }
            for person in resources.get("RelatedPerson", [])
        ],
        "concerns": _codes(request.get("reasonCode", [])),
        "urgency": URGENCY_OF_PRIORITY.get(priority, priority),
        "summary": " ".join(note.get("text", "") for note in request.get("note", [])).strip(),
    }
    try:
        return ReferralDraft.model_validate(body)
    except ValidationError as error:
        first = error.errors()[0]
        raise InvalidInput("invalid_referral", first["msg"], ".".join(str(part) for part in first["loc"])) from None


def bundle_from_referral(referral: Referral) -> dict[str, Any]:
    """A referral as a FHIR Bundle (collection), validated against the FHIR models."""
    child = referral.child
    patient_ref = f"urn:uuid:{child.subject_id}"
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(child.subject_id),
        "name": [{"given": child.given_name.split(" "), "family": child.family_name}],
        "address": [{"district": referral.municipality}],
    }
    if child.birth_date is not None:
        patient["birthDate"] = child.birth_date.isoformat()
    if child.personal_code:
        patient["identifier"] = [{"system": PERSONAL_CODE_SYSTEM, "value": child.personal_code}]
    entries: list[dict[str, Any]] = [{"fullUrl": patient_ref, "resource": patient}]
    entries.append(
        {
            "fullUrl": f"urn:uuid:{referral.id}",
            "resource": {
                "resourceType": "ServiceRequest",
                "id": str(referral.id),
                "status": "active",
                "intent": "order",
                "subject": {"reference": patient_ref},
                "priority": PRIORITY_OF_URGENCY[referral.urgency],
                "reasonCode": [
                    {"coding": [{"system": HUB_CODES, "code": concern.value}]} for concern in referral.concerns
                ],
                "note": [{"text": referral.summary}],
                "authoredOn": referral.submitted_at.isoformat(),
            },
        }
    )
    for member in referral.family:
        person: dict[str, Any] = {
            "resourceType": "RelatedPerson",
            "id": str(member.subject_id),
            "patient": {"reference": patient_ref},
            "name": [{"given": member.given_name.split(" "), "family": member.family_name}],
        }
        if member.relationship is not None:
            person["relationship"] = [{"coding": [{"system": HUB_CODES, "code": member.relationship.value}]}]
        if member.personal_code:
            person["identifier"] = [{"system": PERSONAL_CODE_SYSTEM, "value": member.personal_code}]
        entries.append({"fullUrl": f"urn:uuid:{member.subject_id}", "resource": person})
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    return Bundle.model_validate(bundle).model_dump(mode="json", exclude_none=True)
