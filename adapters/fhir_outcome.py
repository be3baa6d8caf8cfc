"""FHIR errors: every refusal of a FHIR endpoint is an OperationOutcome listing each issue with its FHIRPath.

A FHIR client reads `issue.expression` (where, as FHIRPath), `issue.diagnostics` (what is wrong, in plain words)
and `issue.details.coding` (the hub's stable reason code); the HTTP status says which kind of refusal it is.
Routes of the FHIR router use `FhirRoute`, whose `error_response` the hub's error handlers call.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, ValidationError
from pydantic_core import ErrorDetails

from events.consent import HUB_CODES
from hub.kernel.errors import FieldError, InvalidFields

FHIR_JSON = "application/fhir+json"
REASON_SYSTEM = f"{HUB_CODES}/reason"

# The OperationOutcome issue type (http://hl7.org/fhir/issue-type) of each HTTP refusal.
ISSUE_TYPE_OF_STATUS = {
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    409: "conflict",
    410: "deleted",
    413: "too-long",
    422: "invalid",
    429: "throttled",
    500: "exception",
    503: "transient",
}
# A finer issue type for some of the hub's reasons.
ISSUE_TYPE_OF_REASON = {"missing": "required", "unknown_code": "code-invalid", "not_r4": "structure"}


class Coding(BaseModel):
    system: str
    code: str


class CodeableConcept(BaseModel):
    coding: list[Coding]
    text: str | None = None


class Issue(BaseModel):
    severity: Literal["error"]
    code: str = Field(description="the issue type (http://hl7.org/fhir/issue-type)")
    details: CodeableConcept = Field(description="the hub's reason code and the reason in words")
    diagnostics: str = Field(description="what is wrong, in plain words")
    expression: list[str] | None = Field(None, description="where, as FHIRPath")


class OperationOutcome(BaseModel):
    """FHIR R4 OperationOutcome: one issue per fault found (all are reported, not only the first)."""

    resourceType: Literal["OperationOutcome"]
    issue: list[Issue]


def fhirpath(root: str, location: Iterable[int | str]) -> str:
    """A pydantic location as FHIRPath: `Bundle.entry[0].resource.birthDate`."""
    path = root
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


# Plain words for the kinds of validation error that need no more than the field's label.
PLAIN_KINDS = {
    "timezone_aware": "needs a time zone offset (for example 2026-01-01T00:00:00+02:00)",
    "list_type": "should be a list",
    "string_type": "should be text",
    "model_type": "should be an object",
    "dict_type": "should be an object",
    "extra_forbidden": "is not an element this resource has",
}


def plain_error(label: str, item: ErrorDetails) -> tuple[str, str]:
    """A validation error as a reason code and plain words about the field it names."""
    kind, context = item["type"], item.get("ctx") or {}
    if kind == "missing" or (kind in ("string_too_short", "too_short") and context.get("min_length") == 1):
        return "missing", f"{label} is missing"
    if kind in PLAIN_KINDS:
        return "invalid_value", f"{label} {PLAIN_KINDS[kind]}"
    if kind.startswith("datetime"):
        return "invalid_value", f"{label} is not a date and time (for example 2026-01-01T00:00:00+02:00)"
    if kind.startswith("date"):
        return "invalid_value", f"{label} is not a date (YYYY-MM-DD)"
    if kind == "enum":
        return "unknown_code", f"{label} is not one of the hub's codes ({context.get('expected', '')})"
    if kind in ("string_too_long", "too_long"):
        return "invalid_value", f"{label} is too long (at most {context.get('max_length')})"
    if kind == "value_error":
        return "invalid_value", f"{label}: {context.get('error', item['msg'])}"
    words = item["msg"].replace("Input should", "should").replace("Input", "the value")
    return "invalid_value", f"{label} is not valid: {words}"


def not_r4(error: ValidationError, root: str) -> InvalidFields:
    """The refusal of a resource that is not valid R4, with every fault the FHIR models found."""
    errors = [
        FieldError(fhirpath(root, item["loc"]), "not_r4", plain_error("this element", item)[1])
        for item in error.errors()
    ]
    return InvalidFields("invalid_fhir", f"the {root} is not valid FHIR R4", errors)


class FhirJSONResponse(JSONResponse):
    media_type = FHIR_JSON


def issue(status: int, reason: str, message: str, expression: str | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "severity": "error",
        "code": ISSUE_TYPE_OF_REASON.get(reason, ISSUE_TYPE_OF_STATUS.get(status, "processing")),
        "details": {"coding": [{"system": REASON_SYSTEM, "code": reason}], "text": reason.replace("_", " ")},
        "diagnostics": message,
    }
    if expression:
        item["expression"] = [expression]
    return item


def operation_outcome(
    status: int, reason: str, detail: str, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The refusal as an OperationOutcome: an issue per field at fault, or one issue for the whole request."""
    issues = [issue(status, item["reason"], item["message"], item.get("field")) for item in errors or []]
    return {"resourceType": "OperationOutcome", "issue": issues or [issue(status, reason, detail, None)]}


def outcome_response(
    status: int,
    reason: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return FhirJSONResponse(operation_outcome(status, reason, detail, errors), status_code=status, headers=headers)


class FhirRoute(APIRoute):
    """A route of the FHIR API: its refusals are OperationOutcomes (see `hub.api.problems`)."""

    error_response = staticmethod(outcome_response)


def _inlined(schema: Any, definitions: dict[str, Any]) -> Any:
    """A JSON schema with its local `$defs` references replaced by their definitions (to stand alone in OpenAPI)."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _inlined(definitions[schema["$ref"].rsplit("/", 1)[1]], definitions)
        return {key: _inlined(value, definitions) for key, value in schema.items() if key != "$defs"}
    if isinstance(schema, list):
        return [_inlined(item, definitions) for item in schema]
    return schema


OUTCOME_SCHEMA = OperationOutcome.model_json_schema()
# Refused before a route is chosen (body size, method), so answered as the hub's problem documents.
BEFORE_ANY_ROUTE = frozenset({405, 413})
OUTCOME_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "description": f"refused ({kind}): an OperationOutcome with every issue",
        "content": {FHIR_JSON: {"schema": _inlined(OUTCOME_SCHEMA, OUTCOME_SCHEMA.get("$defs", {}))}},
    }
    for status, kind in ISSUE_TYPE_OF_STATUS.items()
    if status not in BEFORE_ANY_ROUTE
}
