"""The sign-in page (the configured OpenID providers, a demo user picker in demo mode, or an API token), a form
kept while its author signed in again, and the language switch. Sign-in through a provider, renewal and sign-out
are `hub.identity.web`."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from hub.api.auth import HubDep
from hub.kernel.core import SuspendedUser
from hub.kernel.errors import NotFound
from hub.kernel.identity import InvalidToken
from hub.web.forms import text
from hub.web.i18n import LANGUAGE_COOKIE, LANGUAGES
from hub.web.rendering import WebRoute, render, render_error, safe_next
from hub.web.session import SESSION_COOKIE, CheckedForm, WebPrincipal, set_session_cookie
from hub.web.signed_out import KEPT_FORM_PATH, kept_forms

router = APIRouter(route_class=WebRoute, include_in_schema=False)
YEAR = int(timedelta(days=365).total_seconds())


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/inbox", status_code=303)


@router.get("/signin")
def signin_page(request: Request, hub: HubDep, next: str | None = None) -> HTMLResponse:
    users = hub.registry_queries.users() if hub.settings.demo else []
    return render(
        request,
        "signin.html",
        users=[user for user in users if not user["suspended"]],
        providers=[provider for provider in hub.settings.oidc_providers if not provider.citizens],
        next=safe_next(next),
    )


@router.post("/signin")
def sign_in(request: Request, hub: HubDep, form: CheckedForm) -> Response:
    """Demo mode: pick a user; always: paste a token from `hub tokens issue`. Either way the cookie holds a token."""
    username, token = text(form, "username"), text(form, "token").strip()
    try:
        if username and hub.settings.demo:
            token = hub.issue_token(username)
        hub.authenticate(token)
    except (InvalidToken, SuspendedUser, NotFound):
        return render_error(request, 401, "sign_in_failed")
    response = RedirectResponse(safe_next(text(form, "next")), status_code=303)
    set_session_cookie(response, request, SESSION_COOKIE, token, hub.settings.token_ttl_minutes * 60)
    return response


@router.get(KEPT_FORM_PATH + "{form_id}")
def kept_form(request: Request, principal: WebPrincipal, form_id: str) -> HTMLResponse:
    """The form its author sent after the session ended, filled in, to send now (once; only to its author)."""
    records = kept_forms(request)
    kept = records.get(form_id)
    if kept is None or kept["username"] != principal.username:
        return render_error(request, 404, "kept_form_not_found")
    records.remove(form_id)
    return render(request, "kept_form.html", action=kept["path"], fields=kept["fields"])


@router.get("/lang/{language}")
def switch_language(request: Request, language: str, next: str | None = None) -> Response:
    if language not in LANGUAGES:
        return render_error(request, 404, "unknown_language")
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        LANGUAGE_COOKIE, language, max_age=YEAR, samesite="strict", secure=request.url.scheme == "https", path="/"
    )
    return response
