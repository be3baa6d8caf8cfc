"""RFC 9457 problem responses with a machine-readable reason and, for bad input, the fields at fault."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from events.personal import TamperedCiphertext
from hub.api.ratelimit import RateLimited
from hub.kernel import access_tracking as access_tracking
from hub.kernel.core import AccessNotRecorded
from hub.kernel.errors import DomainError
from hub.kernel.store_outage import RETRY_AFTER_SECONDS, STORE_ERRORS, store_outage
from hub.web.rendering import render_error
from policies.decision import acting_role, denied

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
HTTP_REASONS = {
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "rate_limited",
}
# Paths whose clients are programs: their errors are problem documents; anywhere else a person gets a page.
MACHINE_PATHS = ("/v1/", "/healthz", "/readyz", "/openapi.json", "/docs", "/redoc")


class Problem(BaseModel):
    """An RFC 9457 problem: `reason` is the machine-readable cause; `errors` names the fields at fault."""

    type: str
    title: str
    status: int
    reason: str
    detail: str
    errors: list[dict[str, Any]] | None = None


PROBLEM_STATUSES = {
    401: "no valid bearer token",
    403: "the caller may not do this (denials of reads are recorded)",
    404: "no such resource visible to the caller",
    409: "the resource's state does not allow this",
    410: "the person this is about was erased",
    413: "the request body is too large",
    422: "the request is malformed or fails validation; nothing was appended",
    429: "too many requests; see Retry-After",
    500: "stored data failed an integrity check",
    503: "the store is unreachable, the views are catching up, or the access could not be recorded (so no data "
    "is returned); see Retry-After",
}
RETRY_LATER = {"Retry-After": str(RETRY_AFTER_SECONDS)}
# Added to every route, so that clients (and the API fuzzer) know every error's shape and media type.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": description, "content": {PROBLEM_JSON: {"schema": Problem.model_json_schema()}}}
    for status, description in PROBLEM_STATUSES.items()
}


def problem(
    status: int,
    reason: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://hub.example/problems/{reason}",
        "title": reason.replace("_", " "),
        "status": status,
        "reason": reason,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


class ErrorRenderer(Protocol):
    """Turns a refusal into a response; a route class may carry its own as `error_response` (FHIR routes do)."""

    def __call__(
        self,
        status: int,
        reason: str,
        detail: str,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response: ...


def _renderer(request: Request) -> ErrorRenderer:
    """The matched route's own error shape, else a problem document."""
    renderer: ErrorRenderer = getattr(request.scope.get("route"), "error_response", problem)
    return renderer


def _field_path(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location if part != "body"]
    return ".".join(parts) or "body"


def _validation_errors(error: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"field": _field_path(tuple(item["loc"])), "reason": item["type"], "message": item["msg"]}
        for item in error.errors()
    ]


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        return _renderer(request)(422, "invalid_input", "the request failed validation", _validation_errors(error))

    @app.exception_handler(DomainError)
    async def _domain(request: Request, error: DomainError) -> Response:
        if error.status in (403, 404) and not access_tracking.anything_recorded():
            await run_in_threadpool(_record_denial, request, error)
        errors = [asdict(field_error) for field_error in error.field_errors()] or None
        retry = RETRY_LATER if error.status == 503 else None
        return _renderer(request)(error.status, error.reason, error.detail, errors, retry)

    @app.exception_handler(RateLimited)
    async def _limited(request: Request, error: RateLimited) -> Response:
        return _renderer(request)(429, "rate_limited", str(error), headers=error.headers)

    @app.exception_handler(AccessNotRecorded)
    async def _unaudited(request: Request, error: AccessNotRecorded) -> Response:
        if store_outage(error):
            return _store_unavailable(request)
        detail = "the access could not be recorded, so no data is returned"
        return _renderer(request)(503, "audit_unavailable", detail)

    async def _unreachable(request: Request, error: Exception) -> Response:
        log.warning("store unreachable on %s: %s", request.url.path, type(error).__name__)
        return _store_unavailable(request)

    for store_error in STORE_ERRORS:  # wherever a request meets the store away: one answer, never a 500
        app.add_exception_handler(store_error, _unreachable)

    @app.exception_handler(TamperedCiphertext)
    async def _tampered(request: Request, __: TamperedCiphertext) -> Response:
        detail = "stored data failed its integrity check; nothing is returned"
        return _renderer(request)(500, "integrity_failure", detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        """A refusal before any route ran (no such path, wrong method): a problem, or a page for a person."""
        reason = HTTP_REASONS.get(error.status_code, "http_error")
        headers = getattr(error, "headers", None)
        if not request.url.path.startswith(MACHINE_PATHS):
            return render_error(request, error.status_code, reason, headers=headers)
        return _renderer(request)(error.status_code, reason, str(error.detail), headers=headers)


def _store_unavailable(request: Request) -> Response:
    """503 `store_unavailable` with `Retry-After`: a problem document for programs, a page for a person."""
    detail = "the hub's database cannot be reached; try again shortly (a submission with the same Idempotency-Key)"
    if not request.url.path.startswith(MACHINE_PATHS):
        return render_error(request, 503, "store_unavailable", headers=RETRY_LATER)
    return _renderer(request)(503, "store_unavailable", detail, headers=RETRY_LATER)


def _record_denial(request: Request, error: DomainError) -> None:
    """A refusal the service did not record itself (an action, not a read): record it here, without data."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        return
    route = request.scope.get("route")
    template = getattr(route, "path", request.url.path)
    decision = denied(acting_role(principal), error.reason)
    request.app.state.hub.record_access(
        principal, decision, f"{request.method} {template}", request.url.path, "refused request"
    )
