"""Every API route × every kind of demo user, own and other agency: each outcome checked against the table below.

The table is the reviewed statement of who may do what (a capability's own test module may hold its rows, see
`contributed_rows`). A route missing from it fails the test, so no new route can ship without a decision about
every kind of user; every refusal (403/404) must leave an access record.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from adapters import fhir_api, webhook_api
from adapters.fhir_task import task_id
from events.access import AccessRecorded
from hub.api.app import create_app
from hub.registry.domain import AgencyDraft, ReasonDraft, UserDraft
from hub.service import Hub
from policies.clocks import RIGA
from tests.conftest import child_referral, demo_hub_without_rate_limits, fresh_code, log_of, moved_child

# One user per kind of caller: the referral's own social service (three roles), its bāriņtiesa and school,
# another municipality's social service, and national bodies.
PERSONAS = (
    "tukums.intake",
    "tukums.cm",
    "tukums.head",
    "tukums.bt",
    "tukums.school",
    "daugavpils.cm",
    "police.officer",
    "doctor",
    "ministry.supervisor",
    "auditor",
)
# The token endpoint authenticates its caller by the agency's signed assertion, not by a bearer token: who may get
# a token (and every refusal) is tested in tests/test_client_credentials.py.
UNAUTHENTICATED_ROUTES = {("GET", "/healthz"), ("GET", "/readyz"), ("POST", "/v1/oauth/token")}
Params = dict[str, str]


# Who builds the state when the person lives in Rīga instead: no persona's agency is related to them.
IN_RIGA = {
    "tukums.intake": "riga.cm",
    "tukums.cm": "riga.cm",
    "tukums.head": "riga.head",
    "tukums.bt": "riga.bt",
    "tukums.school": "riga.school",
}


def riga_today(hub: Hub) -> str:
    return hub.now().astimezone(RIGA).date().isoformat()


class Setup:
    """Fresh state for one cell of the matrix, built through the API by the users who would build it.

    `in_riga`: the same state about a person of Rīga, built by Rīga's agencies (none of the personas is related).
    """

    def __init__(self, client: TestClient, hub: Hub, in_riga: bool = False) -> None:
        self.client = client
        self.hub = hub
        self.in_riga = in_riga

    def local(self, user: str) -> str:
        return IN_RIGA.get(user, user) if self.in_riga else user

    def call(self, user: str, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.hub.issue_token(self.local(user))}"}
        response = self.client.request(method, path, json=body, headers=headers)
        assert response.status_code < 300, (method, path, response.status_code, response.text)
        return response.json()

    def referral(self, *steps: tuple[str, str, Any]) -> Params:
        """A referral about a child of its own (a code nobody else has), so cells cannot see each other's work."""
        municipality = "riga" if self.in_riga else "tukuma-novads"
        child = {**child_referral()["child"], "personal_code": fresh_code(), "municipality": municipality}
        body = child_referral(concerns=["violence_physical"], child=child)
        referral_id = self.call("tukums.school", "POST", "/v1/referrals", body)["id"]
        for user, action, step_body in steps:
            self.call(user, "POST", f"/v1/referrals/{referral_id}/{action}", step_body)
        child = self.hub.app.referral(UUID(referral_id)).child.subject_id
        return {"referral_id": referral_id, "subject_id": str(child)}

    def acknowledged(self) -> Params:
        return self.referral(("tukums.intake", "acknowledge", None))

    def assigned(self) -> Params:
        worker = {"worker": self.local("tukums.cm")}
        return self.referral(("tukums.intake", "acknowledge", None), ("tukums.head", "assign", worker))

    def questioned(self) -> Params:
        params = self.assigned()
        self.call("tukums.cm", "POST", f"/v1/referrals/{params['referral_id']}/request-information", {"question": "?"})
        return params

    def accepted(self) -> Params:
        params = self.assigned()
        self.call("tukums.cm", "POST", f"/v1/referrals/{params['referral_id']}/accept")
        return params

    def candidate(self) -> Params:
        child = {
            **child_referral()["child"],
            "personal_code": None,
            "given_name": f"Anna {uuid4().hex[:6]}",
            "municipality": "riga" if self.in_riga else "tukuma-novads",
        }
        first = self.call("tukums.school", "POST", "/v1/referrals", {**child_referral(), "child": child})["id"]
        second = self.call("tukums.school", "POST", "/v1/referrals", {**child_referral(), "child": child})["id"]
        return {
            "subject_id": str(self.hub.app.referral(UUID(second)).child.subject_id),
            "candidate_id": str(self.hub.app.referral(UUID(first)).child.subject_id),
        }

    def moved(self) -> Params:
        """A child Tukums and Daugavpils both know (a referral in each): the social services both lead a case."""
        if self.in_riga:
            return self.referral()
        return {"subject_id": moved_child(self.hub)["subject_id"]}

    def record_request(self, acknowledged: bool = False) -> Params:
        body = {
            "municipality": "tukuma-novads",
            "agencies": ["TUK-SD"],
            "subjects": [{"subject_id": self.moved()["subject_id"], "given_name": "Elza", "family_name": "Kalniņa"}],
            "basis": "GDPR-6-1-c",
            "categories": ["assessment", "services"],
        }
        [created] = self.call("daugavpils.cm", "POST", "/v1/record-requests", body)
        if acknowledged:
            self.call("tukums.cm", "POST", f"/v1/record-requests/{created['id']}/acknowledge")
        return {"request_id": created["id"], "document_id": str(uuid4())}

    def handover(self) -> Params:
        body = {
            "subjects": [{"subject_id": self.referral()["subject_id"], "given_name": "Elza", "family_name": "Kalniņa"}],
            "to_municipality": "daugavpils",
            "moved_on": "2026-01-05",
        }
        return {"handover_id": self.call("tukums.cm", "POST", "/v1/handovers", body)["id"]}

    def consent(self) -> Params:
        subject = self.referral()["subject_id"]
        consent = self.call("tukums.cm", "POST", "/v1/consents", consent_body(subject))
        return {"consent_id": consent["id"], "subject_id": subject}

    def sealed(self) -> Params:
        """A log with at least one signed checkpoint, so proofs exist."""
        self.referral()
        self.hub.audit.seal()
        return {"size": str(self.hub.audit.latest_checkpoint()["tree_size"])}

    def sealed_twice(self) -> Params:
        first = self.sealed()["size"]
        return {"first": first, **self.sealed()}

    def referral_task(self) -> Params:
        """A referral and the id of its FHIR Task at the lead social service."""
        params = self.referral()
        lead = self.hub.app.referral(UUID(params["referral_id"])).lead_agency_id
        return params | {"task_id": task_id(UUID(params["referral_id"]), lead)}

    def investigation(self) -> Params:
        subject = self.referral()["subject_id"]
        body = {"subjects": [subject], "reference": "VP-2026-1"}
        return {"investigation_id": self.call("police.officer", "POST", "/v1/investigations", body)["id"]}

    def review(self) -> Params:
        subject = self.referral()["subject_id"]
        body = {
            "recipient": "TUK-BT",
            "subjects": [subject],
            "categories": ["assessment"],
            "purpose": "emergency",
            "break_glass_justification": "Bērns ir tiešās briesmās; bāriņtiesa nav sasniedzama pa tālruni.",
        }
        return {"review_id": self.call("tukums.cm", "POST", "/v1/disclosures", body)["review_id"]}

    def written_request(self) -> Params:
        """A referral's child whose written request (GDPR Art. 12(3)) the lead social service recorded today."""
        params = self.referral()
        body = {"subject_id": params["subject_id"], "right": "access", "received_on": riga_today(self.hub)}
        return params | {"request_id": self.call("tukums.cm", "POST", "/v1/written-requests", body)["id"]}

    def team_task(self) -> Params:
        """A referral's child with a task the lead social service agreed with the school."""
        params = self.referral()
        body = {"agency_code": "RIX-SKOLA" if self.in_riga else "TUK-SKOLA", "title": "Uzskaite", "working_days": 3}
        task = self.call("tukums.cm", "POST", f"/v1/people/{params['subject_id']}/team/tasks", body)
        return params | {"task_id": task["task_id"]}

    def team_visit(self) -> Params:
        """A referral's child with a home visit the lead social service planned."""
        params = self.referral()
        body = {"window_from": "2026-12-07", "window_to": "2026-12-08", "purpose": "Apsekošana",
                "visiting_roles": ["case_manager"]}  # fmt: skip
        visit = self.call("tukums.cm", "POST", f"/v1/people/{params['subject_id']}/team/visits", body)
        return params | {"visit_id": visit["visit_id"]}

    def fresh_user(self) -> Params:
        """A user of the Tukums social service of its own, registered at the console."""
        draft = UserDraft.model_validate(new_user())
        document = self.hub.registry_admin.add_user(None, draft)
        return {"username": document["username"], "user_id": document["id"], "group_id": "case_manager"}

    def fresh_agency(self) -> Params:
        code = f"TST-{uuid4().hex[:8].upper()}"
        self.hub.registry_admin.add_agency(None, AgencyDraft.model_validate({**NEW_AGENCY, "code": code}))
        return {"code": code}


NEW_AGENCY = {"code": "TAL-SD", "name": "Talsu novada sociālais dienests", "kind": "social_service",
              "municipality": "talsu-novads"}  # fmt: skip
ROLES = {"roles": ["intake_officer"]}
MOVE = {"agency": "TUK-BT", "roles": ["intake_officer"]}
IDP = {"idp_issuer": "https://idp.tukums.example.lv"}
RENAME = {"display_name": "Ilze Ozola-Kalniņa"}
REASON = {"reason": "aizgājusi no darba"}
SCIM_USER = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "scim.new", "active": True}
DEACTIVATE = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{"op": "replace", "path": "active", "value": False}],
}


def new_user(agency: str = "TUK-SD") -> dict[str, Any]:
    return {"username": f"fresh.{uuid4().hex[:10]}", "display_name": "Jauna Lietotāja", "agency": agency,
            "roles": ["case_manager"]}  # fmt: skip


def add_member(params: Params) -> dict[str, Any]:
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": params["user_id"]}]}],
    }


def consent_body(subject: str) -> dict[str, Any]:
    return {
        "subject_id": subject,
        "granted_by": {"name": "Inga Kalniņa", "relationship": "mother"},
        "recipient_kinds": ["school"],
        "purposes": ["education_support"],
        "categories": ["school_attendance"],
        "evidence": "TUK-SD/2026/117",
    }


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    prepare: Callable[[Setup], Params]
    body: Callable[[Params], Any] | None
    expected: dict[str, int]


def nothing(_: Setup) -> Params:
    return {}


def row(*statuses: int) -> dict[str, int]:
    assert len(statuses) == len(PERSONAS)
    return dict(zip(PERSONAS, statuses, strict=True))


#                 intake cm  head  bt  school dau  police doctor minis audit
ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/referrals",
        nothing,
        lambda _: child_referral(),
        row(201, 201, 201, 201, 201, 201, 201, 201, 403, 403),
    ),
    Route(
        "GET",
        "/v1/referrals/{referral_id}",
        Setup.referral,
        None,
        row(200, 200, 200, 200, 200, 404, 404, 404, 404, 404),
    ),
    Route(
        "POST",
        "/v1/referrals/{referral_id}/emergency-read",
        Setup.referral,
        lambda _: {"justification": "Bērns ir tiešās briesmās; bāriņtiesa nav sasniedzama pa tālruni."},
        row(403, 200, 200, 200, 403, 200, 200, 403, 403, 403),
    ),
    Route(
        "GET",
        "/v1/referrals/{referral_id}/timeline",
        Setup.referral,
        None,
        row(200, 200, 200, 200, 200, 404, 404, 404, 404, 404),
    ),
    Route(
        "POST",
        "/v1/referrals/{referral_id}/acknowledge",
        Setup.referral,
        None,
        row(200, 200, 200, 403, 403, 404, 404, 404, 404, 404),
    ),
    Route(
        "POST",
        "/v1/referrals/{referral_id}/assign",
        Setup.acknowledged,
        lambda _: {"worker": "tukums.cm"},
        row(200, 200, 200, 403, 403, 404, 404, 404, 404, 404),
    ),
    Route(
        "POST",
        "/v1/referrals/{referral_id}/request-information",
        Setup.assigned,
        lambda _: {"question": "?"},
        row(403, 200, 200, 403, 403, 404, 404, 404, 404, 404),
    ),
    Route(
        "POST",
        "/v1/referrals/{referral_id}/provide-information",
        Setup.questioned,
        lambda _: {"answer": "!"},
        row(403, 403, 403, 403, 200, 404, 404, 404, 404, 404),
    ),
    Route(
        "POST",
        "/v1/referrals/{referral_id}/accept",
        Setup.assigned,
        None,
        row(403, 200, 200, 403, 403, 404, 404, 404, 404, 404),
    ),
    Route(
        "POST",
        "/v1/referrals/{referral_id}/redirect",
        Setup.referral,
        lambda _: {"municipality": "daugavpils", "reason": "pārcēlušies"},
        row(200, 200, 200, 403, 403, 404, 404, 404, 404, 404),
    ),
    Route(
        "POST",
        "/v1/referrals/{referral_id}/decline",
        Setup.acknowledged,
        lambda _: {"reason": "nav pamata"},
        row(403, 200, 200, 403, 403, 404, 404, 404, 404, 404),
    ),
    Route(
        "POST",
        "/v1/referrals/{referral_id}/close",
        Setup.accepted,
        lambda _: {"outcome": "services_provided"},
        row(403, 200, 200, 403, 403, 404, 404, 404, 404, 404),
    ),
    Route(
        "POST",
        "/v1/referrals/{referral_id}/withdraw",
        Setup.referral,
        lambda _: {"reason": "kļūda"},
        row(403, 403, 403, 403, 200, 404, 404, 404, 404, 404),
    ),
    Route("GET", "/v1/inbox", nothing, None, row(200, 200, 200, 200, 403, 200, 200, 403, 403, 403)),
    Route("GET", "/v1/subjects/candidates", nothing, None, row(403, 200, 200, 200, 403, 200, 403, 403, 403, 403)),
    Route(
        "POST",
        "/v1/subjects/{subject_id}/candidates/{candidate_id}/confirm",
        Setup.candidate,
        None,
        row(403, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    ),
    Route(
        "POST",
        "/v1/subjects/{subject_id}/candidates/{candidate_id}/reject",
        Setup.candidate,
        None,
        row(403, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    ),
    Route(
        "POST",
        "/v1/subjects/{subject_id}/codes",
        Setup.referral,
        lambda _: {"personal_code": fresh_code()},
        row(403, 200, 200, 200, 403, 403, 403, 403, 403, 403),
    ),
    Route(
        "GET",
        "/v1/subjects/{subject_id}/case",
        Setup.referral,
        None,
        row(200, 200, 200, 200, 404, 404, 404, 404, 404, 404),
    ),
    # Case workers may search; a search finding no child the agency is related to answers an empty list.
    Route(
        "POST",
        "/v1/subjects/search",
        Setup.referral,
        lambda _: {"given_name": "Elza", "family_name": "Kalniņa", "birth_date": "2015-04-12"},
        row(200, 200, 200, 200, 403, 200, 200, 403, 403, 403),
    ),
    Route(
        "POST",
        "/v1/subjects/{subject_id}/erase",
        Setup.referral,
        lambda _: {"reason": "court_order"},
        row(403, 403, 200, 403, 403, 403, 403, 403, 403, 403),
    ),
    Route(
        "GET",
        "/v1/people/{subject_id}/team",
        Setup.referral,
        None,
        row(200, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    ),
    Route(
        "PUT",
        "/v1/people/{subject_id}/team/worker",
        Setup.referral,
        lambda _: {"username": "tukums.cm"},
        row(200, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    ),
    Route(
        "GET",
        "/v1/people/{subject_id}/team/tasks",
        Setup.team_task,
        None,
        row(200, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    ),
    Route(
        "POST",
        "/v1/people/{subject_id}/team/tasks",
        Setup.referral,
        lambda _: {"agency_code": "VP", "title": "Pārbaude", "working_days": 5},
        row(201, 201, 201, 403, 403, 403, 403, 403, 403, 403),
    ),
    Route(
        "POST",
        "/v1/people/{subject_id}/team/tasks/{task_id}/accept",
        Setup.team_task,
        None,
        row(403, 403, 403, 403, 200, 403, 403, 403, 403, 403),
    ),
    Route(
        "POST",
        "/v1/people/{subject_id}/team/tasks/{task_id}/report",
        Setup.team_task,
        lambda _: {"note": "Apmeklē skolu"},
        row(403, 403, 403, 403, 200, 403, 403, 403, 403, 403),
    ),
    Route(
        "POST",
        "/v1/people/{subject_id}/team/tasks/{task_id}/finish",
        Setup.team_task,
        lambda _: {"done": True, "note": "Izdarīts"},
        row(403, 403, 403, 403, 200, 403, 403, 403, 403, 403),
    ),
    Route(
        "GET",
        "/v1/people/{subject_id}/team/visits",
        Setup.team_visit,
        None,
        row(200, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    ),
    Route(
        "POST",
        "/v1/people/{subject_id}/team/visits",
        Setup.referral,
        lambda _: {
            "window_from": "2026-12-07",
            "window_to": "2026-12-07",
            "purpose": "Pārbaude",
            "visiting_roles": ["police_officer"],
        },
        row(201, 201, 201, 201, 201, 403, 403, 403, 403, 403),
    ),
    Route(
        "POST",
        "/v1/people/{subject_id}/team/visits/{visit_id}/join",
        Setup.team_visit,
        None,
        row(409, 409, 409, 200, 200, 403, 403, 403, 403, 403),
    ),
    Route(
        "POST",
        "/v1/people/{subject_id}/team/visits/{visit_id}/done",
        Setup.team_visit,
        lambda _: {"findings": "Kārtībā"},
        row(200, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    ),
    Route(
        "POST",
        "/v1/people/{subject_id}/team/visits/{visit_id}/cancel",
        Setup.team_visit,
        None,
        row(200, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    ),
    Route(
        "GET",
        "/v1/people/{subject_id}/case-review",
        Setup.referral,
        None,
        row(403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ),
    Route(
        "POST",
        "/v1/people/{subject_id}/case-review",
        Setup.referral,
        lambda _: {"answers": {}},
        row(403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ),
    Route(
        "GET",
        "/v1/people/{subject_id}/case-reviews",
        Setup.referral,
        None,
        row(403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ),
    Route("GET", "/v1/case-reviews/sample", nothing, None, row(403, 403, 403, 403, 403, 403, 403, 403, 403, 403)),
    Route("GET", "/v1/team/tasks", nothing, None, row(200, 200, 200, 200, 200, 200, 200, 200, 403, 403)),
    Route("GET", "/v1/supervision/case-reviews", nothing, None, row(403, 403, 403, 403, 403, 403, 403, 403, 200, 403)),
    Route("GET", "/v1/supervision/referrals", nothing, None, row(403, 403, 403, 403, 403, 403, 403, 403, 200, 403)),
    Route("GET", "/v1/supervision/records", nothing, None, row(403, 403, 403, 403, 403, 403, 403, 403, 200, 403)),
    Route(
        "POST",
        "/v1/record-requests",
        Setup.moved,
        lambda params: {
            "municipality": "riga",
            "agencies": ["RIX-SD"],
            "subjects": [{"subject_id": params["subject_id"], "given_name": "E", "family_name": "K"}],
            "basis": "GDPR-6-1-c",
            "categories": ["assessment"],
        },
        row(201, 201, 201, 403, 403, 201, 403, 403, 403, 403),
    ),
    Route("GET", "/v1/record-requests", nothing, None, row(200, 200, 200, 200, 403, 200, 200, 403, 403, 403)),
    Route(
        "GET",
        "/v1/record-requests/{request_id}",
        Setup.record_request,
        None,
        row(200, 200, 200, 404, 404, 200, 404, 404, 404, 404),
    ),
    Route(
        "POST",
        "/v1/record-requests/{request_id}/acknowledge",
        Setup.record_request,
        None,
        row(200, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    ),
    Route(
        "POST",
        "/v1/record-requests/{request_id}/answers",
        lambda setup: setup.record_request(True),
        lambda _: {"answers": [{"category": "assessment", "outcome": "withheld", "reason": "no_records"}]},
        row(200, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    ),
    Route(
        "POST",
        "/v1/record-requests/{request_id}/refuse",
        Setup.record_request,
        lambda _: {"reason": "nav"},
        row(200, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    ),
    Route(
        "POST",
        "/v1/record-requests/{request_id}/withdraw",
        Setup.record_request,
        lambda _: {"reason": "nav"},
        row(403, 403, 403, 403, 403, 200, 403, 403, 403, 403),
    ),
    Route(
        "GET",
        "/v1/record-requests/{request_id}/released",
        Setup.record_request,
        None,
        row(404, 404, 404, 404, 404, 200, 404, 404, 404, 404),
    ),
    Route(
        "GET",
        "/v1/record-requests/{request_id}/documents/{document_id}",
        Setup.record_request,
        None,
        row(404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ),
    Route(
        "POST",
        "/v1/handovers",
        Setup.referral,
        lambda params: {
            "subjects": [{"subject_id": params["subject_id"], "given_name": "E", "family_name": "K"}],
            "to_municipality": "riga",
            "moved_on": "2026-01-05",
        },
        row(201, 201, 201, 403, 403, 403, 403, 403, 403, 403),
    ),
    Route("GET", "/v1/handovers", nothing, None, row(200, 200, 200, 403, 403, 200, 403, 403, 403, 403)),
    Route(
        "GET",
        "/v1/handovers/{handover_id}",
        Setup.handover,
        None,
        row(200, 200, 200, 404, 404, 200, 404, 404, 404, 404),
    ),
    Route(
        "POST",
        "/v1/handovers/{handover_id}/accept",
        Setup.handover,
        None,
        row(403, 403, 403, 403, 403, 200, 403, 403, 403, 403),
    ),
    Route(
        "POST",
        "/v1/handovers/{handover_id}/decline",
        Setup.handover,
        lambda _: {"reason": "nav deklarēti"},
        row(403, 403, 403, 403, 403, 200, 403, 403, 403, 403),
    ),
    Route(
        "POST",
        "/v1/consents",
        Setup.referral,
        lambda params: consent_body(params["subject_id"]),
        row(201, 201, 201, 403, 403, 403, 403, 403, 403, 403),
    ),
    Route(
        "GET",
        "/v1/consents?subject_id={subject_id}",
        Setup.consent,
        None,
        row(200, 200, 200, 200, 403, 403, 403, 403, 403, 403),
    ),
    Route(
        "POST",
        "/v1/consents/{consent_id}/withdraw",
        Setup.consent,
        lambda _: {"reason": "atsauc"},
        row(200, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    ),
    Route(
        "POST",
        "/v1/disclosures",
        Setup.referral,
        lambda params: {
            "recipient": "TUK-BT",
            "subjects": [params["subject_id"]],
            "categories": ["identity"],
            "purpose": "child_protection",
            "basis": "BTAL-73",
        },
        row(201, 201, 201, 201, 201, 403, 403, 403, 403, 403),
    ),
    Route("GET", "/v1/reviews", nothing, None, row(403, 403, 200, 403, 403, 403, 403, 403, 403, 403)),
    Route(
        "POST",
        "/v1/reviews/{review_id}/resolve",
        Setup.review,
        lambda _: {"outcome": "justified", "note": "pamatoti"},
        row(403, 403, 200, 403, 403, 403, 403, 403, 403, 403),
    ),
    # The record of processing (GDPR Art. 30) holds no personal data.
    Route("GET", "/v1/policy/ropa", nothing, None, row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    # Signed tree heads and proofs hold only hashes: like any transparency log, anyone signed in may check them.
    Route("GET", "/v1/audit/checkpoint", Setup.sealed, None, row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Route(
        "GET",
        "/v1/audit/proof/inclusion?notification_id=1",
        Setup.sealed,
        None,
        row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    Route(
        "GET",
        "/v1/audit/proof/consistency?from={first}&to={size}",
        Setup.sealed_twice,
        None,
        row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    Route("GET", "/v1/audit/replay", nothing, None, row(403, 403, 403, 403, 403, 403, 403, 403, 403, 200)),
    Route(
        "GET",
        "/v1/subjects/{subject_id}/access-report",
        Setup.referral,
        None,
        row(403, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    ),
    # A person's own report and export take a citizen's session only (tests/test_citizen_access.py).
    Route("GET", "/v1/me/access-report", nothing, None, row(*[401] * 10)),
    Route("GET", "/v1/me/export", nothing, None, row(*[401] * 10)),
    # A person's written requests: the social service leading the case handles them; the DPO oversees the clocks.
    Route(
        "POST",
        "/v1/written-requests",
        Setup.referral,
        lambda params: {"subject_id": params["subject_id"], "right": "access", "received_on": "2026-12-01"},
        row(201, 201, 201, 403, 403, 403, 403, 403, 403, 403),
    ),
    Route("GET", "/v1/written-requests", nothing, None, row(200, 200, 200, 403, 403, 200, 403, 403, 403, 200)),
    Route(
        "POST",
        "/v1/written-requests/{request_id}/extend",
        Setup.written_request,
        lambda _: {"reason": "Jāsaņem arhīva dati."},
        row(200, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    ),
    Route(
        "POST",
        "/v1/written-requests/{request_id}/answer",
        Setup.written_request,
        None,
        row(200, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    ),
    Route(
        "POST",
        "/v1/investigations",
        Setup.referral,
        lambda params: {"subjects": [params["subject_id"]], "reference": "VP-2026-1"},
        row(403, 403, 403, 403, 403, 403, 201, 403, 403, 403),
    ),
    Route(
        "POST",
        "/v1/investigations/{investigation_id}/close",
        Setup.investigation,
        None,
        row(403, 403, 403, 403, 403, 403, 200, 403, 403, 403),
    ),
    Route(
        "PUT",
        "/v1/webhooks",
        nothing,
        lambda _: {"url": "https://hooks.example.lv/hub"},
        row(403, 403, 200, 403, 403, 403, 403, 403, 403, 403),
    ),
    # A user's own notifications: items hold no personal data (kind, agency, reference); each user sees their own.
    Route("GET", "/v1/notifications", nothing, None, row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Route(
        "POST",
        "/v1/notifications/read",
        nothing,
        lambda _: {"item_ids": []},
        row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    Route("GET", "/v1/notifications/preferences", nothing, None, row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Route(
        "PUT",
        "/v1/notifications/preferences",
        nothing,
        lambda _: {"mode": "off"},
        row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    # What the caller's agency requires of its users' e-mail: every user reads it, only its administrators set it
    # (ADMIN_ROUTES below); it applies to the caller's own agency only, so no agency can be named.
    Route("GET", "/v1/notifications/requirement", nothing, None, row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Route(
        "PUT",
        "/v1/notifications/requirement",
        nothing,
        lambda _: {"urgent_at_least": "immediate", "others_at_least": "off"},
        row(*[403] * 10),
    ),
    Route("GET", "/v1/webhooks", nothing, None, row(403, 403, 200, 403, 403, 403, 403, 403, 403, 403)),
    Route("DELETE", "/v1/webhooks", nothing, None, row(403, 403, 200, 403, 403, 403, 403, 403, 403, 403)),
    Route("GET", "/v1/webhooks/deliveries", nothing, None, row(403, 403, 200, 403, 403, 403, 403, 403, 403, 403)),
    # Registry administration and SCIM provisioning: none of these personas administers anything (the
    # administrators' own table is ADMIN_ROUTES below).
    Route("GET", "/v1/admin/agencies", nothing, None, row(*[403] * 10)),
    Route("POST", "/v1/admin/agencies", nothing, lambda _: NEW_AGENCY, row(*[403] * 10)),
    Route("POST", "/v1/admin/agencies/{code}/rename", Setup.fresh_agency, lambda _: {"name": "N"}, row(*[403] * 10)),
    Route("POST", "/v1/admin/agencies/{code}/close", Setup.fresh_agency, lambda _: {"reason": "r"}, row(*[403] * 10)),
    Route("GET", "/v1/admin/users", nothing, None, row(*[403] * 10)),
    Route("POST", "/v1/admin/users", nothing, lambda _: new_user(), row(*[403] * 10)),
    Route("POST", "/v1/admin/users/{username}/roles", Setup.fresh_user, lambda _: ROLES, row(*[403] * 10)),
    Route("POST", "/v1/admin/users/{username}/move", Setup.fresh_user, lambda _: MOVE, row(*[403] * 10)),
    Route("POST", "/v1/admin/users/{username}/rename", Setup.fresh_user, lambda _: RENAME, row(*[403] * 10)),
    Route("POST", "/v1/admin/users/{username}/identity-provider", Setup.fresh_user, lambda _: IDP, row(*[403] * 10)),
    Route("POST", "/v1/admin/users/{username}/suspend", Setup.fresh_user, lambda _: REASON, row(*[403] * 10)),
    Route("POST", "/v1/admin/users/{username}/reinstate", Setup.fresh_user, None, row(*[403] * 10)),
    Route("POST", "/v1/admin/users/{username}/remove", Setup.fresh_user, lambda _: REASON, row(*[403] * 10)),
    Route("POST", "/v1/admin/import", nothing, lambda _: "record,code\n", row(*[403] * 10)),
    Route("GET", "/scim/v2/ServiceProviderConfig", nothing, None, row(*[403] * 10)),
    Route("GET", "/scim/v2/ResourceTypes", nothing, None, row(*[403] * 10)),
    Route("GET", "/scim/v2/Schemas", nothing, None, row(*[403] * 10)),
    Route("GET", "/scim/v2/Users", nothing, None, row(*[403] * 10)),
    Route("POST", "/scim/v2/Users", nothing, lambda _: SCIM_USER, row(*[403] * 10)),
    Route("GET", "/scim/v2/Users/{user_id}", Setup.fresh_user, None, row(*[403] * 10)),
    Route("PUT", "/scim/v2/Users/{user_id}", Setup.fresh_user, lambda _: SCIM_USER, row(*[403] * 10)),
    Route("PATCH", "/scim/v2/Users/{user_id}", Setup.fresh_user, lambda _: DEACTIVATE, row(*[403] * 10)),
    Route("DELETE", "/scim/v2/Users/{user_id}", Setup.fresh_user, None, row(*[403] * 10)),
    Route("GET", "/scim/v2/Groups", nothing, None, row(*[403] * 10)),
    Route("GET", "/scim/v2/Groups/{group_id}", lambda _: {"group_id": "case_manager"}, None, row(*[403] * 10)),
    Route("PATCH", "/scim/v2/Groups/{group_id}", Setup.fresh_user, lambda p: add_member(p), row(*[403] * 10)),
    Route("POST", "/v1/fhir/Bundle", nothing, None, row(422, 422, 422, 422, 422, 422, 422, 422, 422, 422)),
    Route(
        "GET",
        "/v1/fhir/ServiceRequest/{referral_id}/$bundle",
        Setup.referral,
        None,
        row(200, 200, 200, 200, 403, 404, 404, 404, 404, 404),
    ),
    Route(
        "GET",
        "/v1/fhir/Task?focus=ServiceRequest/{referral_id}",
        Setup.referral,
        None,
        row(200, 200, 200, 200, 200, 404, 404, 404, 404, 404),
    ),
    Route(
        "GET",
        "/v1/fhir/Task/{task_id}",
        Setup.referral_task,
        None,
        row(200, 200, 200, 200, 200, 404, 404, 404, 404, 404),
    ),
)


def contributed_rows() -> tuple[Route, ...]:
    """The rows a capability's own test module holds beside its tests, as `AUTHORIZATION_ROWS`: cells
    (method, path, prepare, body, statuses in the order of `PERSONAS`), so adding a capability edits no row here."""
    rows: list[Route] = []
    for path in sorted(Path(__file__).parent.glob("test_*.py")):
        if path != Path(__file__) and "\nAUTHORIZATION_ROWS" in path.read_text(encoding="utf-8"):
            for method, route, prepare, body, statuses in importlib.import_module(
                f"tests.{path.stem}"
            ).AUTHORIZATION_ROWS:
                rows.append(Route(method, route, prepare, body, row(*statuses)))
    return tuple(rows)


ROUTES += contributed_rows()


@pytest.fixture(scope="module")
def matrix_client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    hub = demo_hub_without_rate_limits(tmp_path_factory.mktemp("matrix"))
    with TestClient(
        create_app(hub, follow_in_background=False, extra_routers=[fhir_api.router, webhook_api.router])
    ) as client:
        yield client, hub
    hub.close()


def test_every_route_has_a_row(matrix_client: Any) -> None:
    client, _ = matrix_client
    documented = {(method.upper(), path) for path, item in client.app.openapi()["paths"].items() for method in item}
    covered = {(route.method, route.path.split("?")[0]) for route in ROUTES}
    assert documented - UNAUTHENTICATED_ROUTES - covered == set(), "routes with no row in the matrix"
    assert covered - documented == set(), "rows for routes that no longer exist"


def accesses_by(hub: Hub, user: str, after: int) -> int:
    """Access records by `user` since notification `after` (a refusal is one; so is a permitted look that found
    nothing, like an unknown document id)."""
    return sum(1 for event in log_of(hub, AccessRecorded, after) if event.actor.user_id == user)


def outcomes(setup: Setup, route: Route) -> dict[str, int]:
    """Each persona's status for the route, on fresh state of its own; every refusal must be an access record."""
    client, hub = setup.client, setup.hub
    observed: dict[str, int] = {}
    for user in PERSONAS:
        params = route.prepare(setup)
        path = route.path.format(**params)
        body = route.body(params) if route.body else None
        before = hub.app.recorder.max_notification_id() or 0
        headers = {"Authorization": f"Bearer {hub.issue_token(user)}"}
        response = client.request(route.method, path, json=body, headers=headers)
        observed[user] = response.status_code
        if response.status_code in (403, 404):
            assert accesses_by(hub, user, before) >= 1, (user, route.path, "refusal not recorded")
    return observed


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_each_kind_of_user_gets_the_expected_outcome(matrix_client: Any, route: Route) -> None:
    client, hub = matrix_client
    observed = outcomes(Setup(client, hub), route)
    assert observed == route.expected, f"observed: row({', '.join(str(observed[user]) for user in PERSONAS)})"


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_a_citizens_session_reaches_only_their_own_report_and_export(matrix_client: Any, route: Route) -> None:
    """A person signed in for themselves (tests/test_citizen_access.py) is no staff caller: every other route
    refuses their session as a bearer token."""
    client, hub = matrix_client
    params = route.prepare(Setup(client, hub))
    subject = UUID(params.get("subject_id") or Setup(client, hub).referral()["subject_id"])
    token = hub.citizens.open_session(subject, "eid", None)
    response = client.request(
        route.method,
        route.path.format(**params),
        json=route.body(params) if route.body else None,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == (200 if route.path.startswith("/v1/me/") else 401), response.text


# Routes about a person whose outcome depends on the caller's relationship to that person. Left out: routes about
# a request or handover (decided by being party to it, which the matrix above covers with non-parties), opening
# an investigation (the police may open one about anyone; it is what makes them related) and the emergency read
# (break-glass: a justified reading by anyone whose role allows it, flagged and reviewed, is its whole point) and
# the search for a child (it names no person; finding none the caller is related to is an empty answer, recorded).
PERSON_SETUPS = {Setup.referral, Setup.acknowledged, Setup.assigned, Setup.questioned, Setup.accepted}
PERSON_SETUPS |= {Setup.candidate, Setup.consent, Setup.review, Setup.moved, Setup.team_task, Setup.team_visit}
PERSON_SETUPS |= {Setup.written_request}
ABOUT_A_PERSON = tuple(
    route
    for route in ROUTES
    if route.prepare in PERSON_SETUPS
    and not route.path.startswith("/v1/investigations")
    and not route.path.endswith("/emergency-read")
    and route.path != "/v1/subjects/search"
)


@pytest.mark.parametrize("route", ABOUT_A_PERSON, ids=lambda route: f"{route.method} {route.path}")
def test_an_agency_unrelated_to_the_person_is_refused_and_the_refusal_recorded(
    matrix_client: Any, route: Route
) -> None:
    """The same routes about a person of Rīga: no persona's agency is related to her, so every kind of user of
    every other agency, same kinds included, is refused, and each refusal is an access record."""
    client, hub = matrix_client
    observed = outcomes(Setup(client, hub, in_riga=True), route)
    assert {user: status for user, status in observed.items() if status not in (403, 404)} == {}, observed


# The administrators: the registry's, the Tukums social service's, and the Daugavpils social service's (another
# municipality's agency of the same kind). Each cell acts on fresh state about the Tukums social service.
ADMIN_PERSONAS = ("registry.admin", "tukums.admin", "daugavpils.admin")


def suspended_user(setup: Setup) -> Params:
    params = setup.fresh_user()
    setup.hub.registry_admin.suspend(None, params["username"], ReasonDraft(reason="atvaļinājums"))
    return params


AdminCell = tuple[str, str, Callable[[Setup], Params], Callable[[Params], Any] | None, tuple[int, ...]]
ADMIN_ROUTES: tuple[AdminCell, ...] = (
    ("GET", "/v1/admin/agencies", nothing, None, (200, 200, 200)),
    ("POST", "/v1/admin/agencies", nothing, lambda _: {**NEW_AGENCY, "code": f"N-{uuid4().hex[:8].upper()}"},
     (201, 403, 403)),
    ("POST", "/v1/admin/agencies/{code}/rename", Setup.fresh_agency, lambda _: {"name": "N"}, (200, 403, 403)),
    ("POST", "/v1/admin/agencies/{code}/close", Setup.fresh_agency, lambda _: REASON, (200, 403, 403)),
    ("GET", "/v1/admin/users?agency=TUK-SD", nothing, None, (200, 200, 403)),
    ("POST", "/v1/admin/users", nothing, lambda _: new_user(), (201, 201, 403)),
    ("POST", "/v1/admin/users", nothing, lambda _: {**new_user("DAU-SD")}, (201, 403, 201)),
    ("POST", "/v1/admin/users/{username}/roles", Setup.fresh_user, lambda _: ROLES, (200, 200, 403)),
    ("POST", "/v1/admin/users/{username}/roles", Setup.fresh_user, lambda _: {"roles": ["registry_admin"]},
     (422, 403, 403)),
    ("POST", "/v1/admin/users/{username}/move", Setup.fresh_user, lambda _: MOVE, (200, 403, 403)),
    ("POST", "/v1/admin/users/{username}/rename", Setup.fresh_user, lambda _: RENAME, (200, 200, 403)),
    ("POST", "/v1/admin/users/{username}/identity-provider", Setup.fresh_user, lambda _: IDP, (200, 200, 403)),
    ("POST", "/v1/admin/users/{username}/suspend", Setup.fresh_user, lambda _: REASON, (200, 200, 403)),
    ("POST", "/v1/admin/users/{username}/reinstate", suspended_user, None, (200, 200, 403)),
    ("POST", "/v1/admin/users/{username}/remove", Setup.fresh_user, lambda _: REASON, (200, 200, 403)),
    ("POST", "/v1/admin/import", nothing, lambda _: "record,username,display_name,agency,roles\n"
     f"user,fresh.{uuid4().hex[:8]},Ilze,TUK-SD,case_manager\n", (200, 200, 422)),
    # Each administrator sets what their own agency requires of its users' e-mail (never another agency's).
    ("PUT", "/v1/notifications/requirement", nothing, lambda _: {"urgent_at_least": "immediate"}, (200, 200, 200)),
    # SCIM works inside the caller's own agency: another agency's user is not found there.
    ("GET", "/scim/v2/Users/{user_id}", Setup.fresh_user, None, (404, 200, 404)),
    ("PATCH", "/scim/v2/Users/{user_id}", Setup.fresh_user, lambda _: DEACTIVATE, (404, 200, 404)),
    ("DELETE", "/scim/v2/Users/{user_id}", Setup.fresh_user, None, (404, 204, 404)),
)  # fmt: skip


@pytest.mark.parametrize("cell", ADMIN_ROUTES, ids=lambda cell: f"{cell[0]} {cell[1]} -> {cell[4]}")
def test_each_administrator_gets_the_expected_outcome(matrix_client: Any, cell: Any) -> None:
    client, hub = matrix_client
    method, path, prepare, body, expected = cell
    setup = Setup(client, hub)
    observed = []
    for user in ADMIN_PERSONAS:
        params = prepare(setup)
        before = hub.app.recorder.max_notification_id() or 0
        headers = {"Authorization": f"Bearer {hub.issue_token(user)}"}
        payload = body(params) if body else None
        if isinstance(payload, str):
            headers["Content-Type"] = "text/csv"
            response = client.request(method, path.format(**params), content=payload.encode(), headers=headers)
        else:
            response = client.request(method, path.format(**params), json=payload, headers=headers)
        observed.append(response.status_code)
        if response.status_code == 403:
            assert accesses_by(hub, user, before) >= 1, (user, path, "refusal not recorded")
    assert tuple(observed) == expected, response.text
