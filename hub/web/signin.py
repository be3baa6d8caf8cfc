"""Signing in and out (a demo user picker in demo mode, or an API token), and the language switch."""

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
from hub.web.session import SESSION_COOKIE, CheckedForm

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
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=hub.settings.token_ttl_minutes * 60,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/signout")
def sign_out(_: CheckedForm) -> RedirectResponse:
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/lang/{language}")
def switch_language(request: Request, language: str, next: str | None = None) -> Response:
    if language not in LANGUAGES:
        return render_error(request, 404, "unknown_language")
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        LANGUAGE_COOKIE, language, max_age=YEAR, samesite="strict", secure=request.url.scheme == "https", path="/"
    )
    return response
