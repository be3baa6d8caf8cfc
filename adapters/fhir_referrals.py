"""FHIR R4 referrals: a Bundle of ServiceRequest + Patient (+ RelatedPerson) to a referral draft, and back.

Models come from `fhir.resources.R4B` (the R4 technical correction; these resources are unchanged from R4).
Mapping (README, "FHIR"): Patient.name/birthDate/identifier (Latvian personal code) and address.district (the
municipality's code) for the child; RelatedPerson.name/identifier/relationship (v3 RoleCode, v2-0131 or the
hub's codes, see `adapters.fhir_codes`) for the family; ServiceRequest.reasonCode (the hub's concern codes),
priority (routine, urgent, asap -> urgent, stat -> immediate) and note (the summary). A Bundle that does not map
is refused with every fault found, each at its FHIRPath (`InvalidFields`, answered as an OperationOutcome).
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from adapters import fhir_codes
from adapters.fhir_outcome import not_r4, plain_error
from events.consent import HUB_CODES
from events.values import Urgency
from hub.kernel.errors import FieldError, InvalidFields
from hub.referrals.domain import Referral, ReferralDraft

PERSONAL_CODE_SYSTEM = "urn:oid:1.3.6.1.4.1.48950.1.1"  # placeholder OID for the Latvian personal code
URGENCY_OF_PRIORITY = {
    "routine": Urgency.ROUTINE,
    "urgent": Urgency.URGENT,
    "asap": Urgency.URGENT,
    "stat": Urgency.IMMEDIATE,
}
READ_TYPES = ("ServiceRequest", "Patient", "RelatedPerson")
PRIORITY_OF_URGENCY = {Urgency.ROUTINE: "routine", Urgency.URGENT: "urgent", Urgency.IMMEDIATE: "stat"}


def _skeleton(bundle: dict[str, Any]) -> dict[str, Any]:
    """The Bundle with only the resources the hub reads: the others' content is not the hub's to judge."""
    entries = bundle.get("entry")
    if not isinstance(entries, list):
        return bundle
    kept = []
    for entry in entries:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("resourceType") not in READ_TYPES:
            entry = {key: value for key, value in entry.items() if key != "resource"}
        kept.append(entry)
    return bundle | {"entry": kept}


def _resources(bundle: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """The resources the hub reads with their entry index; raises InvalidFields for what is not valid R4."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        not_bundle = FieldError("Bundle", "not_r4", "the body is not a Bundle")
        raise InvalidFields("invalid_fhir", "not a Bundle", [not_bundle])
    try:
        parsed = Bundle.model_validate(_skeleton(bundle))
    except ValidationError as error:
        raise not_r4(error, "Bundle") from None
    return [
        (index, entry.resource.model_dump(mode="json", exclude_none=True))
        for index, entry in enumerate(parsed.entry or [])
        if entry.resource is not None
    ]


def _of_type(resources: list[tuple[int, dict[str, Any]]], kind: str) -> list[tuple[int, dict[str, Any]]]:
    return [(index, resource) for index, resource in resources if resource["resourceType"] == kind]


def _name(resource: dict[str, Any]) -> dict[str, str]:
    """The first name's given and family parts; a name given only as text is read as "given ... family"."""
    name = (resource.get("name") or [{}])[0]
    given, family = " ".join(name.get("given", [])), name.get("family", "")
    if not (given or family) and " " in name.get("text", "").strip():
        given, family = name["text"].strip().rsplit(" ", 1)
    found = {"given_name": given, "family_name": family}
    return {key: value for key, value in found.items() if value}


def _personal_code(resource: dict[str, Any]) -> dict[str, str]:
    for identifier in resource.get("identifier", []):
        if identifier.get("system") == PERSONAL_CODE_SYSTEM and identifier.get("value"):
            return {"personal_code": identifier["value"]}
    return {}


def _municipality(patient: dict[str, Any]) -> dict[str, str]:
    """The municipality's code from the first address with a district (home addresses first)."""
    addresses = sorted(patient.get("address", []), key=lambda address: address.get("use") != "home")
    districts = [address["district"] for address in addresses if address.get("district")]
    return {"municipality": districts[0]} if districts else {}


def request_id(bundle: dict[str, Any]) -> str | None:
    """The ServiceRequest's id (the submission's idempotency key), if the sender gave one."""
    requests = _of_type(_resources(bundle), "ServiceRequest")
    return requests[0][1].get("id") if requests else None


class _BundleMapping:
    """One Bundle read into the draft's body, with every fault found and the FHIRPath of each draft field."""

    def __init__(self, resources: list[tuple[int, dict[str, Any]]]) -> None:
        self.errors: list[FieldError] = []
        self.covered: set[tuple[int | str, ...]] = set()
        self.concern_index: list[int] = []
        [(request_at, self.request)], [(patient_at, self.patient)] = (
            _of_type(resources, kind) for kind in ("ServiceRequest", "Patient")
        )
        self.paths = {
            "request": f"Bundle.entry[{request_at}].resource",
            "child": f"Bundle.entry[{patient_at}].resource",
        }
        self.family = _of_type(resources, "RelatedPerson")

    def fault(self, location: tuple[int | str, ...], expression: str, reason: str, message: str) -> None:
        self.covered.add(location)
        self.errors.append(FieldError(expression, reason, message))

    def body(self) -> dict[str, Any]:
        priority = self.request.get("priority", "routine")
        body: dict[str, Any] = {
            "child": {**_name(self.patient), **_municipality(self.patient), **_personal_code(self.patient)},
            "family": [self.member(number, index, person) for number, (index, person) in enumerate(self.family)],
            "concerns": self.concerns(),
            "urgency": URGENCY_OF_PRIORITY.get(priority, priority),
        }
        if "birthDate" in self.patient:
            body["child"]["birth_date"] = self.patient["birthDate"]
        summary = " ".join(note.get("text", "") for note in self.request.get("note", [])).strip()
        if summary:
            body["summary"] = summary
        return body

    def member(self, number: int, index: int, person: dict[str, Any]) -> dict[str, Any]:
        found: dict[str, Any] = {**_name(person), **_personal_code(person)}
        concepts = person.get("relationship", [])
        value = fhir_codes.relationship(concepts)
        if value is not None:
            found["relationship"] = value.value
        elif concepts:
            self.fault(
                ("family", number, "relationship"),
                f"Bundle.entry[{index}].resource.relationship",
                "unknown_code",
                f"family member {number + 1}'s relationship ({fhir_codes.described(concepts)}) is not a code the hub"
                " knows: use v3 RoleCode (MTH, FTH, PRN, GUARD, SIB, ...), v2-0131 (N, C) or the hub's codes",
            )
        return found

    def concerns(self) -> list[str]:
        codes = []
        for index, concept in enumerate(self.request.get("reasonCode", [])):
            code = fhir_codes.hub_code(concept)
            if code is None:
                self.fault(
                    ("concerns", index),
                    f"{self.paths['request']}.reasonCode[{index}]",
                    "unknown_code",
                    f"concern {index + 1} ({fhir_codes.described([concept])}) is not in the hub's concern codes",
                )
                continue
            self.concern_index.append(index)
            codes.append(code)
        return codes

    def where(self, location: tuple[int | str, ...]) -> tuple[str, str]:
        """The FHIRPath and the plain label of a draft field."""
        head, *rest = location
        if head in ("urgency", "summary", "concerns"):
            path = self.paths["request"] + REQUEST_PATHS[str(head)]
            if head == "concerns" and rest and isinstance(rest[0], int) and rest[0] < len(self.concern_index):
                path += f"[{self.concern_index[rest[0]]}]"
            return path, REQUEST_LABELS[str(head)]
        if head == "child":
            root, whose = self.paths["child"], "the child's"
        elif rest and isinstance(rest[0], int) and rest[0] < len(self.family):
            number = rest.pop(0)
            assert isinstance(number, int)
            root, whose = f"Bundle.entry[{self.family[number][0]}].resource", f"family member {number + 1}'s"
        else:
            return "Bundle", "the family"
        field = str(rest[0]) if rest else ""
        return root + PERSON_PATHS.get(field, ""), f"{whose} {PERSON_LABELS.get(field, 'details')}"


PERSON_PATHS = {
    "given_name": ".name[0].given",
    "family_name": ".name[0].family",
    "birth_date": ".birthDate",
    "personal_code": ".identifier",
    "municipality": ".address.district",
    "relationship": ".relationship",
}
PERSON_LABELS = {
    "given_name": "given name",
    "family_name": "family name",
    "birth_date": "birth date",
    "personal_code": "personal code",
    "municipality": "municipality (the municipality's code in Patient.address.district, for example tukuma-novads)",
    "relationship": "relationship to the child",
}
REQUEST_PATHS = {"urgency": ".priority", "summary": ".note", "concerns": ".reasonCode"}
REQUEST_LABELS = {
    "urgency": "the priority (routine, urgent, asap or stat)",
    "summary": "the summary (ServiceRequest.note)",
    "concerns": "the concerns (ServiceRequest.reasonCode)",
}


def draft_from_bundle(bundle: dict[str, Any]) -> ReferralDraft:
    """Raises InvalidFields (reason invalid_fhir or invalid_referral) listing every fault, each at its FHIRPath."""
    resources = _resources(bundle)
    missing = [
        FieldError("Bundle.entry", "missing", f"the Bundle needs exactly one {kind}")
        for kind in ("ServiceRequest", "Patient")
        if len(_of_type(resources, kind)) != 1
    ]
    if missing:
        raise InvalidFields("invalid_fhir", "the Bundle does not hold one ServiceRequest and one Patient", missing)
    mapping = _BundleMapping(resources)
    body = mapping.body()
    try:
        draft = ReferralDraft.model_validate(body)
    except ValidationError as error:
        for item in error.errors():
            location = tuple(item["loc"])
            if location not in mapping.covered:
                path, label = mapping.where(location)
                mapping.errors.append(FieldError(path, *plain_error(label, item)))
    if mapping.errors:
        raise InvalidFields("invalid_referral", "the Bundle does not map to a referral", mapping.errors)
    return draft


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
            person["relationship"] = [{"coding": fhir_codes.relationship_codings(member.relationship)}]
        if member.personal_code:
            person["identifier"] = [{"system": PERSONAL_CODE_SYSTEM, "value": member.personal_code}]
        entries.append({"fullUrl": f"urn:uuid:{member.subject_id}", "resource": person})
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    return Bundle.model_validate(bundle).model_dump(mode="json", exclude_none=True)
