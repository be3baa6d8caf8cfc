"""Every route answers with a declared model, and the model is the allow-list of what a caller receives.

The OpenAPI document must name, for every success response, the fields of its JSON body (a model, not a free-form
object) and every other media type the route answers (the audit replay's CSV, the FHIR Bundle). The models are
then checked against the services on both stores: a route returns what its service gives, field for field, so a
model neither drops a field callers rely on nor lets an unlisted one through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.testclient import TestClient

from adapters import fhir_api, webhook_api
from adapters.fhir_referrals import bundle_from_referral
from adapters.fhir_task import referral_tasks, search_bundle
from adapters.webhook_api import webhook_document
from adapters.webhook_outbox import DeliveryLog, WebhookOutbox
from hub.api.app import create_app
from hub.audit.replay import ReplayFilter
from hub.service import Hub
from tests.conftest import demo_hub_without_rate_limits, known_child, moved_child
from tests.test_fhir import fhir_bundle

Auth = Callable[[str], dict[str, str]]


def names_its_fields(schema: dict[str, Any]) -> bool:
    """The schema lists the fields of a JSON body: a model, a list of models, or a choice between them."""
    if "$ref" in schema or schema.get("type") == "null":
        return True
    if schema.get("type") == "array":
        return names_its_fields(schema["items"])
    variants = schema.get("anyOf") or schema.get("oneOf")
    if variants:
        return all(names_its_fields(variant) for variant in variants)
    return (
        schema.get("type") == "object"
        and bool(schema.get("properties"))
        and schema.get("additionalProperties") is not True
    )


def declares(media_type: str, schema: dict[str, Any]) -> bool:
    """A JSON body names its fields; any other body (CSV, a file) says at least what it is."""
    return names_its_fields(schema) if media_type.endswith("json") else bool(schema)


def undeclared(app: FastAPI) -> set[tuple[str, str]]:
    """The operations with a success response whose body the OpenAPI document does not describe."""
    found = set()
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                content = response.get("content")
                described = content and all(declares(media, body.get("schema", {})) for media, body in content.items())
                if status.startswith("2") and status != "204" and not described:
                    found.add((method.upper(), path))
    return found


def bearer(hub: Hub) -> Auth:
    return lambda user: {"Authorization": f"Bearer {hub.issue_token(user)}"}


def full_app(hub: Hub) -> FastAPI:
    return create_app(hub, follow_in_background=False, extra_routers=[fhir_api.router, webhook_api.router])


@pytest.fixture(scope="module")
def sqlite_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    hub = demo_hub_without_rate_limits(tmp_path_factory.mktemp("models"))
    try:
        yield hub
    finally:
        hub.close()


def test_every_route_declares_a_model_of_what_it_returns(sqlite_hub: Hub) -> None:
    missing = undeclared(full_app(sqlite_hub))
    assert missing == set(), "routes whose response body is not described by a model"


def test_a_route_returning_a_free_form_object_or_an_undeclared_body_is_caught() -> None:
    app = FastAPI()

    @app.get("/free")
    def free() -> dict[str, Any]:
        return {}

    @app.get("/listed")
    def listed() -> list[dict[str, Any]]:
        return []

    @app.get("/unknown", response_model=None)
    def unknown() -> Any:
        return {}

    @app.get("/csv", response_model=None, responses={200: {"content": {"text/csv": {}}}})
    def csv() -> Any:
        return ""

    assert undeclared(app) == {("GET", "/free"), ("GET", "/listed"), ("GET", "/unknown"), ("GET", "/csv")}


def declared_media_types(app: FastAPI, method: str, path: str, status: int) -> set[str]:
    return set(app.openapi()["paths"][path][method.lower()]["responses"][str(status)]["content"])


def test_the_csv_replay_and_the_fhir_bundle_answer_in_media_types_the_document_declares(sqlite_hub: Hub) -> None:
    app = full_app(sqlite_hub)
    client = TestClient(app)
    auth = bearer(sqlite_hub)
    submitted = client.post("/v1/fhir/Bundle", json=fhir_bundle("sr-models"), headers=auth("doctor"))
    bundle_path = "/v1/fhir/ServiceRequest/{referral_id}/$bundle"
    answers = (
        ("/v1/audit/replay", client.get("/v1/audit/replay", headers=auth("auditor"))),
        ("/v1/audit/replay", client.get("/v1/audit/replay?format=csv", headers=auth("auditor"))),
        (bundle_path, client.get(bundle_path.format(referral_id=submitted.json()["id"]), headers=auth("tukums.cm"))),
    )
    for path, response in answers:
        assert response.status_code == 200, response.text
        media_type = response.headers["content-type"].split(";")[0]
        assert media_type in declared_media_types(app, "GET", path, 200), (path, media_type)
    assert declared_media_types(app, "GET", "/v1/audit/replay", 200) == {"application/json", "text/csv"}
    assert declared_media_types(app, "GET", bundle_path, 200) == {"application/fhir+json"}
    for method, path in (("GET", bundle_path), ("GET", "/v1/fhir/Task"), ("POST", "/v1/fhir/Bundle")):
        assert declared_media_types(app, method, path, 422) == {"application/fhir+json"}  # an OperationOutcome
        assert declared_media_types(app, method, path, 413) == {"application/problem+json"}  # before any route
    refused = client.post("/v1/fhir/Bundle", json={"resourceType": "Bundle"}, headers=auth("doctor"))
    assert (refused.status_code, refused.headers["content-type"]) == (422, "application/fhir+json")


def fhir_tasks(hub: Hub, user: str, referral_id: str) -> list[dict[str, Any]]:
    referral = hub.app.referral(UUID(referral_id))
    _, decision = hub.referrals.authorize_read(hub.principal_for(user), referral.id, "task.read", "models")
    codes = {agency: hub.app.agency(agency).code for agency in (referral.referrer_agency_id, *referral.recipients)}
    return referral_tasks(referral, decision.categories, codes)


def normal(value: Any) -> Any:
    """JSON with its timestamps as datetimes, so that `…+00:00` and `…Z` compare equal."""
    if isinstance(value, dict):
        return {key: normal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normal(item) for item in value]
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def test_each_route_returns_exactly_what_its_service_gives(hub: Hub) -> None:
    client = TestClient(full_app(hub))
    auth = bearer(hub)
    assert client.put("/v1/webhooks", json={"url": "https://sd.tukums.lv/hook"}, headers=auth("tukums.head")).is_success
    child = known_child(hub)
    for user in ("tukums.cm", "tukums.school"):
        assert client.get(f"/v1/referrals/{child['referral_id']}", headers=auth(user)).is_success
    disclosure = {
        "recipient": "VP",
        "subjects": [child["subject_id"]],
        "categories": ["identity"],
        "purpose": "child_protection",
        "basis": "BTAL-73",
    }
    assert client.post("/v1/disclosures", json=disclosure, headers=auth("tukums.cm")).is_success
    moved = moved_child(hub)
    person = {"subject_id": moved["subject_id"], "given_name": "Elza", "family_name": "Kalniņa"}
    request = {"municipality": "tukuma-novads", "agencies": ["TUK-SD"], "subjects": [person]}
    request |= {"basis": "GDPR-6-1-c", "categories": ["assessment", "services"]}
    assert client.post("/v1/record-requests", json=request, headers=auth("daugavpils.cm")).is_success
    first = hub.audit.seal()
    fhir_referral = client.post("/v1/fhir/Bundle", json=fhir_bundle("sr-1"), headers=auth("doctor")).json()["id"]
    hub.follower.catch_up()
    WebhookOutbox(hub, DeliveryLog(hub.views_db)).queue_once()
    hub.notifications.work_round()
    last = hub.audit.seal()
    assert first is not None
    assert last is not None
    moment = datetime.now(UTC)
    subject = UUID(child["subject_id"])
    principal = hub.principal_for

    cases: list[tuple[str, str, dict[str, Any], Callable[[], Any]]] = [
        (
            "tukums.cm",
            f"/v1/subjects/{subject}/access-report",
            {"as_of": moment.isoformat()},
            lambda: hub.access_reports.report(principal("tukums.cm"), subject, "subject access request", False, moment),
        ),
        (
            "tukums.cm",
            f"/v1/subjects/{subject}/access-report",
            {"as_of": moment.isoformat(), "for_alleged_source_of_risk": "true"},
            lambda: hub.access_reports.report(principal("tukums.cm"), subject, "subject access request", True, moment),
        ),
        (
            "auditor",
            "/v1/audit/replay",
            {"as_of": moment.isoformat()},
            lambda: hub.audit.replay(principal("auditor"), ReplayFilter(as_of=moment), "audit"),
        ),
        ("auditor", "/v1/audit/checkpoint", {}, hub.audit.latest_checkpoint),
        ("auditor", "/v1/audit/proof/inclusion", {"notification_id": "3"}, lambda: hub.audit.inclusion_proof(3)),
        (
            "auditor",
            "/v1/audit/proof/consistency",
            {"from": str(first["tree_size"]), "to": str(last["tree_size"])},
            lambda: hub.audit.consistency_proof(int(first["tree_size"]), int(last["tree_size"])),
        ),
        (
            "ministry.supervisor",
            "/v1/supervision/records",
            {},
            lambda: hub.supervision.records(principal("ministry.supervisor")),
        ),
        ("tukums.head", "/v1/webhooks", {}, lambda: webhook_document(hub, principal("tukums.head"))),
        (
            "tukums.intake",
            "/v1/notifications",
            {},
            lambda: {
                "counters": hub.notifications.counters(principal("tukums.intake")),
                "items": hub.notifications.items(principal("tukums.intake")),
            },
        ),
        (
            "tukums.intake",
            "/v1/notifications/preferences",
            {},
            lambda: hub.notifications.preference(principal("tukums.intake")),
        ),
        (
            "tukums.head",
            "/v1/webhooks/deliveries",
            {},
            lambda: DeliveryLog(hub.views_db).entries(principal("tukums.head").agency_id),
        ),
        (
            "tukums.intake",
            f"/v1/fhir/ServiceRequest/{fhir_referral}/$bundle",
            {},
            lambda: bundle_from_referral(hub.app.referral(UUID(fhir_referral))),
        ),
        (
            "doctor",
            "/v1/fhir/Task",
            {"focus": f"ServiceRequest/{fhir_referral}"},
            lambda: search_bundle(fhir_tasks(hub, "doctor", fhir_referral), "http://testserver/v1/fhir"),
        ),
        (
            "tukums.cm",
            f"/v1/fhir/Task/{fhir_tasks(hub, 'tukums.cm', fhir_referral)[0]['id']}",
            {},
            lambda: fhir_tasks(hub, "tukums.cm", fhir_referral)[0],
        ),
    ]
    for user, path, params, service in cases:
        response = client.get(path, params=params, headers=auth(user))
        assert response.status_code == 200, (path, response.text)
        given = service()
        assert given, (path, "the scenario should give the route something to show")
        assert normal(response.json()) == normal(jsonable_encoder(given)), path


def test_an_investigation_is_returned_with_its_id_status_and_subjects(
    sqlite_hub: Hub,
) -> None:
    client = TestClient(full_app(sqlite_hub))
    auth = bearer(sqlite_hub)
    subject = known_child(sqlite_hub)["subject_id"]
    body = {"subjects": [subject], "reference": "VP-2026-0042"}
    opened = client.post("/v1/investigations", json=body, headers=auth("police.officer")).json()
    assert set(opened) == {"id", "status", "subjects"}
    assert (opened["status"], opened["subjects"]) == ("open", [subject])
    closed = client.post(f"/v1/investigations/{opened['id']}/close", headers=auth("police.officer")).json()
    assert closed == {"id": opened["id"], "status": "closed", "subjects": [subject]}


def test_a_fhir_submission_answers_with_the_referral_receipt(sqlite_hub: Hub) -> None:
    client = TestClient(full_app(sqlite_hub))
    headers = {"Authorization": f"Bearer {sqlite_hub.issue_token('doctor')}"}
    first = client.post("/v1/fhir/Bundle", json=fhir_bundle("sr-receipt"), headers=headers)
    again = client.post("/v1/fhir/Bundle", json=fhir_bundle("sr-receipt"), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert set(first.json()) <= {"id", "status", "routed_to", "already_known", "notice", "replayed"}
    assert (first.json()["replayed"], again.json()["replayed"]) == (False, True)
