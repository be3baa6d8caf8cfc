"""Access events as FHIR R4 AuditEvent resources (validated with `fhir.resources`)."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.auditevent import AuditEvent

from events.access import AccessRecorded
from events.consent import HUB_CODES
from events.values import Decision
from hub.audit.replay import ReplayFilter
from hub.service import Hub
from policies.decision import Principal

DICOM = "http://dicom.nema.org/resources/ontology/DCM"
PURPOSE_SYSTEM = f"{HUB_CODES}/purpose"
OBSERVER = "lv-referral-hub"


def audit_event(access: AccessRecorded) -> AuditEvent:
    """One access event: who (agent), what about whom (entity), why (purposeOfEvent), and the decision (outcome)."""
    permitted = access.decision is Decision.PERMIT
    entities: list[dict[str, Any]] = [{"what": {"identifier": {"value": access.resource}}, "type": {"code": "2"}}]
    entities += [{"what": {"reference": f"Patient/{subject}"}, "type": {"code": "1"}} for subject in access.subjects]
    agent: dict[str, Any] = {
        "who": {"identifier": {"value": access.actor.user_id}},
        "requestor": True,
        "role": [{"coding": [{"system": HUB_CODES, "code": access.actor.role}]}],
        "purposeOfUse": [{"coding": [{"system": PURPOSE_SYSTEM, "code": access.purpose}]}],
    }
    if access.actor.agency_id is not None:
        agent["location"] = {"reference": f"Organization/{access.actor.agency_id}"}
    description = "; ".join((f"basis={access.basis}" if access.basis else "no basis", *access.reasons))
    return AuditEvent.model_validate(
        {
            "resourceType": "AuditEvent",
            "id": str(access.originator_id),
            "type": {"system": DICOM, "code": "110110", "display": "Patient Record"},
            "subtype": [{"system": HUB_CODES, "code": access.action}],
            "action": "R",
            "recorded": access.timestamp.isoformat(),
            "outcome": "0" if permitted else "4",
            "outcomeDesc": description[:1000],
            "purposeOfEvent": [{"coding": [{"system": PURPOSE_SYSTEM, "code": access.purpose}]}],
            "agent": [agent],
            "source": {"observer": {"display": OBSERVER}},
            "entity": entities,
        }
    )


def audit_bundle(hub: Hub, principal: Principal, where: ReplayFilter, purpose: str) -> dict[str, Any]:
    """The replayed access events (auditors only; the replay is recorded) as a FHIR Bundle of AuditEvents."""
    replayed = hub.audit.replay(principal, where, purpose)
    resources: list[dict[str, Any]] = []
    for entry in replayed["entries"]:
        if entry["kind"] != "access":
            continue
        [notification] = hub.app.recorder.select_notifications(entry["notification_id"], 1)
        event = hub.app.mapper.to_domain_event(notification)
        assert isinstance(event, AccessRecorded)
        resources.append({"resource": audit_event(event).model_dump(mode="json", exclude_none=True)})
    return {"resourceType": "Bundle", "type": "collection", "total": len(resources), "entry": resources}
