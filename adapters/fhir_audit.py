"""Access and disclosure events as FHIR R4 AuditEvents following IHE Basic Audit Log Patterns (BALP).

Each recorded read is a BALP read (`rest`/`read`, action R) or query (`rest`/`search`, action E, the query in
`entity.query`); each disclosure a BALP privacy disclosure at the source (DICOM Export, ISO 21089 `disclose`); a
decision that rested on a consent is also a BALP consent authorization decision (Security Alert, `AuthZ-Consent`,
the consent as an entity). The policy that decided (its hash) and the legal basis go where BALP lets them: the
user agent's `policy` (URIs in the hub's code system) and `outcomeDesc`. Agents are the user (information
recipient), their agency (an agent of its own: R4 allows only a Location in `agent.location`) and the hub (the
server, source and authorizer). The hub records no network address, so BALP's `agent.network` is left out, and the
events claim no BALP profile in `meta.profile`. The export is a Bundle of type `collection` (no `total`, bdl-1).
"""

from __future__ import annotations

import base64
from typing import Any
from uuid import UUID

from fhir.resources.R4B.auditevent import AuditEvent

from events.access import AccessRecorded
from events.consent import HUB_CODES
from events.disclosure import DisclosureRecorded
from events.values import Decision
from hub.audit.replay import ReplayFilter
from hub.service import Hub
from policies.decision import Principal

DICOM = "http://dicom.nema.org/resources/ontology/DCM"
EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
INTERACTION = "http://hl7.org/fhir/restful-interaction"
LIFECYCLE = "http://terminology.hl7.org/CodeSystem/iso-21089-lifecycle"
AUTHZ_SUBTYPE = "https://profiles.ihe.net/ITI/BALP/CodeSystem/AuthZsubType"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
ROLE_CLASS = "http://terminology.hl7.org/CodeSystem/v3-RoleClass"
SECURITY_ROLE = "http://terminology.hl7.org/CodeSystem/extra-security-role-type"
ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role"
RESOURCE_TYPES = "http://hl7.org/fhir/resource-types"
PURPOSE_SYSTEM = f"{HUB_CODES}/purpose"
ACTION_SYSTEM = f"{HUB_CODES}/action"
AGENCY_SYSTEM = f"{HUB_CODES}/agency"
OBSERVER = "lv-referral-hub"

# Reads that return a list found by criteria: BALP queries. Every other recorded read is a BALP read.
QUERY_ACTIONS = frozenset(
    {
        "inbox.read",
        "audit.replay",
        "subjects.candidates",
        "consents.read",
        "reviews.read",
        "supervision.read",
        "task.search",
    }
)


def _coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    return {"system": system, "code": code} | ({"display": display} if display else {})


def _concept(system: str, code: str) -> dict[str, Any]:
    return {"coding": [_coding(system, code)]}


OBSERVER_AGENT: dict[str, Any] = {"who": {"display": OBSERVER}, "requestor": False}


def _agency_agent(agency_id: UUID, kind: dict[str, str]) -> dict[str, Any]:
    """An agency as an agent of its own (R4's `agent.location` may reference only a Location)."""
    who = {"identifier": {"system": AGENCY_SYSTEM, "value": str(agency_id)}}
    return {"type": {"coding": [kind]}, "who": who, "requestor": False}


def _policies(policy_hash: str | None, basis: str | None) -> list[str]:
    """The deciding policy (by hash) and the legal basis, as URIs in the hub's code system."""
    found = [f"{HUB_CODES}/policy/sha256/{policy_hash}"] if policy_hash else []
    return found + ([f"{HUB_CODES}/basis/{basis}"] if basis else [])


def _user(event: AccessRecorded | DisclosureRecorded, purpose: str) -> dict[str, Any]:
    """The person acting: the information recipient (BALP user agent), with role, purpose of use and policy."""
    agent: dict[str, Any] = {
        "type": {"coding": [_coding(PARTICIPATION, "IRCP", "information recipient")]},
        "who": {"identifier": {"system": f"{HUB_CODES}/user", "value": event.actor.user_id}},
        "requestor": True,
        "role": [_concept(f"{HUB_CODES}/role", event.actor.role)],
        "purposeOfUse": [_concept(PURPOSE_SYSTEM, purpose)],
    }
    policy = _policies(event.policy_hash, event.basis)
    if policy:
        agent["policy"] = policy
    return agent


def _patients(subjects: tuple[UUID, ...]) -> list[dict[str, Any]]:
    return [
        {
            "what": {"reference": f"Patient/{subject}"},
            "type": _coding(ENTITY_TYPE, "1", "Person"),
            "role": _coding(OBJECT_ROLE, "1", "Patient"),
        }
        for subject in subjects
    ]


def _outcome(permitted: bool, basis: str | None, reasons: tuple[str, ...]) -> dict[str, str]:
    description = "; ".join((f"basis={basis}" if basis else "no basis", *reasons))
    return {"outcome": "0" if permitted else "4", "outcomeDesc": description[:1000]}


def _validated(resource: dict[str, Any]) -> dict[str, Any]:
    return AuditEvent.model_validate(resource).model_dump(mode="json", exclude_none=True)


def read_or_query(access: AccessRecorded) -> dict[str, Any]:
    """A recorded read as a BALP read or query: who (agents), about whom and what (entities), why, the outcome."""
    query = access.action in QUERY_ACTIONS
    data: dict[str, Any] = {
        "what": {"identifier": {"value": access.resource}},
        "type": _coding(ENTITY_TYPE, "2", "System Object"),
        "role": _coding(OBJECT_ROLE, "24", "Query") if query else _coding(OBJECT_ROLE, "4", "Domain Resource"),
    }
    if query:
        data["query"] = base64.b64encode(access.resource.encode()).decode()
    agents = [_user(access, str(access.purpose))]
    if access.actor.agency_id is not None:
        agents.append(_agency_agent(access.actor.agency_id, _coding(ROLE_CLASS, "PROV", "healthcare provider")))
    agents.append(OBSERVER_AGENT | {"type": {"coding": [_coding(DICOM, "110153", "Source Role ID")]}})
    return _validated(
        {
            "resourceType": "AuditEvent",
            "id": str(access.originator_id),
            "type": _coding(EVENT_TYPE, "rest", "Restful Operation"),
            "subtype": [
                _coding(INTERACTION, "search" if query else "read"),
                _coding(ACTION_SYSTEM, access.action),
            ],
            "action": "E" if query else "R",
            "recorded": access.timestamp.isoformat(),
            **_outcome(access.decision is Decision.PERMIT, access.basis, access.reasons),
            "purposeOfEvent": [_concept(PURPOSE_SYSTEM, str(access.purpose))],
            "agent": agents,
            "source": {"observer": {"display": OBSERVER}},
            "entity": [data, *_patients(access.subjects)],
        }
    )


def privacy_disclosure(disclosure: DisclosureRecorded) -> dict[str, Any]:
    """A disclosure as a BALP privacy disclosure at the source: the agency that released, the recipient, the data."""
    agents = [_user(disclosure, disclosure.purpose.value)]
    if disclosure.actor.agency_id is not None:
        agents.append(_agency_agent(disclosure.actor.agency_id, _coding(DICOM, "110153", "Source Role ID")))
    agents.append(_agency_agent(disclosure.recipient_agency_id, _coding(DICOM, "110152", "Destination Role ID")))
    data = {
        "what": {"identifier": {"value": f"disclosure:{disclosure.originator_id}"}},
        "type": _coding(ENTITY_TYPE, "2", "System Object"),
        "role": _coding(OBJECT_ROLE, "4", "Domain Resource"),
        "detail": [{"type": "categories", "valueString": " ".join(str(c) for c in disclosure.categories)}],
    }
    return _validated(
        {
            "resourceType": "AuditEvent",
            "id": str(disclosure.originator_id),
            "type": _coding(DICOM, "110106", "Export"),
            "subtype": [_coding(LIFECYCLE, "disclose", "Disclose Record Lifecycle Event")],
            "action": "R",
            "recorded": disclosure.timestamp.isoformat(),
            **_outcome(True, disclosure.basis, disclosure.reasons),
            "purposeOfEvent": [_concept(PURPOSE_SYSTEM, disclosure.purpose.value)],
            "agent": agents,
            "source": {"observer": {"display": OBSERVER}},
            "entity": [*_patients(disclosure.subjects), data],
        }
    )


def consent_decision(event: AccessRecorded | DisclosureRecorded) -> dict[str, Any] | None:
    """A decision that rested on a consent, as a BALP consent authorization decision (None for any other)."""
    if event.consent_id is None:
        return None
    if isinstance(event, AccessRecorded):
        permitted, purpose, reasons = event.decision is Decision.PERMIT, str(event.purpose), event.reasons
    else:
        permitted, purpose, reasons = True, event.purpose.value, event.reasons
    consent = {
        "what": {"reference": f"Consent/{event.consent_id}"},
        "type": _coding(RESOURCE_TYPES, "Consent", "Consent"),
    }
    if event.consent_version is not None:
        consent["what"]["display"] = f"version {event.consent_version}"
    agents = [_user(event, purpose)]
    if event.actor.agency_id is not None:
        agents.append(_agency_agent(event.actor.agency_id, _coding(ROLE_CLASS, "PROV", "healthcare provider")))
    agents.append(OBSERVER_AGENT | {"type": {"coding": [_coding(SECURITY_ROLE, "authserver", "authorization server")]}})
    return _validated(
        {
            "resourceType": "AuditEvent",
            "id": f"{event.originator_id}-authz",
            "type": _coding(DICOM, "110113", "Security Alert"),
            "subtype": [_coding(AUTHZ_SUBTYPE, "AuthZ-Consent", "Authorization Decision using Roles and Consent")],
            "action": "E",
            "recorded": event.timestamp.isoformat(),
            **_outcome(permitted, event.basis, reasons),
            "purposeOfEvent": [_concept(PURPOSE_SYSTEM, purpose)],
            "agent": agents,
            "source": {"observer": {"display": OBSERVER}},
            "entity": [*_patients(event.subjects), consent],
        }
    )


def audit_events(event: AccessRecorded | DisclosureRecorded) -> list[dict[str, Any]]:
    """The BALP AuditEvents of one recorded access or disclosure."""
    main = read_or_query(event) if isinstance(event, AccessRecorded) else privacy_disclosure(event)
    decision = consent_decision(event)
    return [main] if decision is None else [main, decision]


def audit_bundle(hub: Hub, principal: Principal, where: ReplayFilter, purpose: str) -> dict[str, Any]:
    """The replayed accesses and disclosures (auditors only; the replay is recorded) as a Bundle of AuditEvents.
    Sign-ins and registry changes, also in the replay, are not BALP read or disclosure events and are left out."""
    replayed = hub.audit.replay(principal, where, purpose)
    resources: list[dict[str, Any]] = []
    for entry in replayed["entries"]:
        if entry["kind"] not in ("access", "disclosure"):
            continue
        [notification] = hub.app.recorder.select_notifications(entry["notification_id"], 1)
        event = hub.app.mapper.to_domain_event(notification)
        assert isinstance(event, AccessRecorded | DisclosureRecorded)
        resources += [{"resource": resource} for resource in audit_events(event)]
    return {"resourceType": "Bundle", "type": "collection", "entry": resources}
