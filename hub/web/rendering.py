"""Rendering pages: the Jinja2 environment, the context every page gets, and friendly error pages.

Every web route uses `WebRoute`, so a refused command, bad input, a missing session or a failed audit write
becomes a page in the reader's language that still names the machine-readable reason.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape

from hub.api.ratelimit import RateLimited
from hub.kernel.core import AccessNotRecorded
from hub.kernel.errors import DomainError
from hub.web.i18n import LANGUAGE_COOKIE, LANGUAGES, chosen_language, translations
from hub.web.labels import label_id
from hub.web.navigation import navigation
from hub.web.reasons import reason_message
from hub.web.security import CSRF_COOKIE, CSRF_FIELD, new_csrf_token
from hub.web.session import CsrfRejected, SignInRequired, seconds_left
from hub.web.signed_out import signed_out_response

TEMPLATES_DIR = Path(__file__).parent / "templates"
RIGA = ZoneInfo("Europe/Riga")

environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def language_of(request: Request) -> str:
    return chosen_language(request.cookies.get(LANGUAGE_COOKIE))


def csrf_token_of(request: Request) -> str:
    """The browser's CSRF token, or a new one that the response will set as a cookie."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if token is None:
        token = new_csrf_token()
        request.state.new_csrf = token
    return str(token)


def safe_next(value: str | None, default: str = "/inbox") -> str:
    """A local path to return to; anything else (another site, a scheme, `//host`) falls back to the default."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


def render(
    request: Request, template: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> HTMLResponse:
    """Render a page in the reader's language with the CSRF token, the user and the navigation."""
    language = language_of(request)
    catalogue = translations(language)

    def label(kind: str, value: Any) -> str:
        return catalogue.gettext(label_id(kind, str(value)))

    def when(value: datetime | str | None) -> str:
        if value is None:
            return ""
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        return format_datetime(moment, "short", tzinfo=RIGA, locale=language)

    principal = getattr(request.state, "principal", None)
    expires = getattr(request.state, "session_expires", None)
    page = environment.get_template(template).render(
        _=catalogue.gettext,
        label=label,
        when=when,
        lang=language,
        languages=LANGUAGES,
        csrf_field=CSRF_FIELD,
        csrf=csrf_token_of(request),
        principal=principal,
        nav=navigation(principal),
        session_left=seconds_left(expires) if principal and expires else None,
        session_warn=request.app.state.hub.settings.session_warning_seconds,
        here=request.url.path,
        here_quoted=quote(str(request.url.path) + ("?" + request.url.query if request.url.query else ""), safe=""),
        **context,
    )
    response = HTMLResponse(page, status_code=status, headers=headers)
    new_token = getattr(request.state, "new_csrf", None)
    if new_token:
        response.set_cookie(
            CSRF_COOKIE, new_token, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/"
        )
    return response


def render_error(
    request: Request,
    status: int,
    reason: str,
    detail: str = "",
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    catalogue = translations(language_of(request))
    return render(
        request,
        "error.html",
        status=status,
        headers=headers,
        reason=reason,
        message=catalogue.gettext(reason_message(reason, status)),
        detail=detail,
        errors=errors or [],
    )


def _validation_errors(error: RequestValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(part) for part in item["loc"][1:]) or "body", "reason": item["type"]}
        for item in error.errors()
    ]


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class WebRoute(APIRoute):
    """A page route: errors become pages (with the reason code); a missing session goes to sign-in (keeping a form
    sent too late) or, for the page's own scripts, is a 401 (`hub.web.signed_out`)."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                return await signed_out_response(request)
            except CsrfRejected:
                return render_error(request, 403, "csrf_rejected")
            except DomainError as error:
                fields = [{"field": error.field, "reason": error.reason}] if error.field else None
                return render_error(request, error.status, error.reason, error.detail, fields)
            except RequestValidationError as error:
                return render_error(request, 422, "invalid_input", errors=_validation_errors(error))
            except AccessNotRecorded:
                return render_error(request, 503, "audit_unavailable")
            except RateLimited as error:
                return render_error(request, 429, "rate_limited", headers=error.headers)

        return page
