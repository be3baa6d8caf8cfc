"""Rendering pages: the Jinja2 environment, the context every page gets, and friendly error pages.

Every web route uses `WebRoute`: a refused form comes back on its own page with what was typed and the errors
tied to its fields (`hub/web/replay.py`); other refusals, a missing session or a failed audit write become a page
in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import ImmutableMultiDict

from hub.api.ratelimit import RateLimited
from hub.kernel.core import AccessNotRecorded
from hub.kernel.errors import DomainError
from hub.web.form_errors import FormFailure, FormInvalid, FormValues, field_errors, id_prefix, state_for
from hub.web.formats import RIGA, day_text, moment_text, number_text, reference_text
from hub.web.i18n import LANGUAGE_COOKIE, LANGUAGES, chosen_language, translations
from hub.web.labels import label_id
from hub.web.navigation import navigation
from hub.web.reasons import reason_message
from hub.web.replay import form_page
from hub.web.security import CSRF_COOKIE, CSRF_FIELD, new_csrf_token
from hub.web.session import CsrfRejected, SignInRequired, seconds_left
from hub.web.signed_out import signed_out_response

TEMPLATES_DIR = Path(__file__).parent / "templates"
__all__ = ["RIGA", "WebRoute", "render", "render_error"]

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

    principal = getattr(request.state, "principal", None)
    failure: FormFailure | None = getattr(request.state, "form_failure", None)
    context.setdefault("values", failure.values if failure and failure.values else FormValues())
    context.setdefault("errors", failure.errors if failure else {})
    expires = getattr(request.state, "session_expires", None)
    page = environment.get_template(template).render(
        _=catalogue.gettext,
        label=label,
        reason_text=lambda reason: catalogue.gettext(reason_message(reason, 0)),
        when=lambda value: moment_text(value, language),
        day=lambda value: day_text(value, language),
        number=lambda value, digits=1: number_text(value, language, digits),
        reference=reference_text,
        lang=language,
        languages=LANGUAGES,
        csrf_field=CSRF_FIELD,
        csrf=csrf_token_of(request),
        principal=principal,
        failure=failure,
        print_view=request.query_params.get("view") == "print",
        state_for=lambda action, prefix="": state_for(failure, action, prefix),
        nav=navigation(principal),
        notice_counts=request.app.state.hub.notifications.counters(principal) if principal else None,
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
    failure: FormFailure | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A page saying, in the reader's language, why nothing was done (the reason code only for support)."""
    catalogue = translations(language_of(request))
    return render(
        request,
        "error.html",
        status=status,
        headers=headers,
        reason=reason,
        message=catalogue.gettext(reason_message(reason, status)),
        field_errors=list(failure.errors.values()) if failure else [],
    )


def _parameter_problems(error: RequestValidationError) -> list[tuple[str, str]]:
    """(field, reason) of FastAPI's own validation of a route's query, path and form parameters."""
    return [(".".join(str(part) for part in item["loc"][1:]), str(item["type"])) for item in error.errors()]


def form_failure(
    request: Request,
    status: int,
    reason: str,
    problems: list[tuple[str, str]],
    form: ImmutableMultiDict[str, Any] | None = None,
) -> FormFailure:
    """Why a form was refused, in the reader's language, with what was typed in it (a posted form, or the query
    of a search form)."""
    gettext = translations(language_of(request)).gettext
    return FormFailure(
        message=gettext(reason_message(reason, status)),
        reason=reason,
        errors=field_errors(problems, gettext),
        values=FormValues.of(form) if form is not None else None,
        action=request.url.path,
        prefix=id_prefix(str(form.get("form_id") or "")) if form is not None else "",
    )


async def refused_form(request: Request, status: int, reason: str, problems: list[tuple[str, str]]) -> Response:
    """A refused form shown again on its page with what was typed and the errors; an error page otherwise."""
    form = await request.form() if request.method == "POST" else None
    failure = form_failure(request, status, reason, problems, form)
    if form is not None:
        page = await form_page(request, failure, status)
        if page is not None:
            return page
    return render_error(request, status, reason, failure)


Handler = Callable[[Request], Coroutine[Any, Any, Response]]
# Refusals a person can fix on the form itself (bad input, a conflicting state); others end on an error page.
FIXABLE = (400, 409, 422)


class WebRoute(APIRoute):
    """A page route: a refused form comes back with its input and errors, other refusals become pages in the
    reader's language, and a missing session goes to sign-in (keeping a form sent too late) or, for the page's own
    scripts, is a 401 (`hub.web.signed_out`)."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                return await signed_out_response(request)
            except CsrfRejected:
                return render_error(request, 403, "csrf_rejected")
            except FormInvalid as error:
                return await refused_form(request, 422, "invalid_input", error.problems)
            except DomainError as error:
                if error.status not in FIXABLE:
                    return render_error(request, error.status, error.reason)
                return await refused_form(
                    request, error.status, error.reason, [(error.field, error.reason)] if error.field else []
                )
            except RequestValidationError as error:
                return await refused_form(request, 422, "invalid_input", _parameter_problems(error))
            except AccessNotRecorded:
                return render_error(request, 503, "audit_unavailable")
            except RateLimited as error:
                return render_error(request, 429, "rate_limited", headers=error.headers)

        return page
