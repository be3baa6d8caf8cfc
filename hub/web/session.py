"""Who is signed in: the API's bearer token kept in an HttpOnly, SameSite=Strict cookie, and checked forms.

A session begun at an OpenID provider also has `hub_sid`, naming the sealed record of the provider's tokens that
renews the session and ends it at the provider (`hub.identity`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request, Response
from starlette.datastructures import FormData

from hub.api.auth import HubDep
from hub.kernel.core import SuspendedUser
from hub.kernel.identity import InvalidToken, token_expiry
from hub.web.security import CSRF_COOKIE, CSRF_FIELD, csrf_matches
from policies.decision import Principal

SESSION_COOKIE = "hub_session"
SESSION_ID_COOKIE = "hub_sid"


class SignInRequired(Exception):
    """No valid session: the page sends the browser to the sign-in page."""


class CsrfRejected(Exception):
    """A form arrived without the CSRF token of the browser that asked for it."""


def web_principal(request: Request, hub: HubDep) -> Principal:
    """The signed-in user, verified exactly like an API bearer token (expiry, suspension, agency), and counted
    against the same per-user and per-agency request limits as the API."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise SignInRequired
    try:
        principal = hub.authenticate(token)
    except (InvalidToken, SuspendedUser):
        raise SignInRequired from None
    request.app.state.rate_limits.check(principal)
    request.state.principal = principal
    request.state.session_expires = token_expiry(token)
    return principal


def seconds_left(expires: datetime | None) -> int:
    return max(0, int((expires - datetime.now(UTC)).total_seconds())) if expires else 0


def set_session_cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    """An HttpOnly, SameSite=Strict cookie for the whole site (secure over https)."""
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/"
    )


def end_session(response: Response) -> None:
    for name in (SESSION_COOKIE, SESSION_ID_COOKIE):
        response.delete_cookie(name, path="/", httponly=True, samesite="strict")


async def checked_form(request: Request) -> FormData:
    """The submitted form, once its CSRF token matches the cookie."""
    form = await request.form()
    submitted = form.get(CSRF_FIELD)
    if not csrf_matches(request.cookies.get(CSRF_COOKIE), submitted if isinstance(submitted, str) else None):
        raise CsrfRejected
    return form


WebPrincipal = Annotated[Principal, Depends(web_principal)]
CheckedForm = Annotated[FormData, Depends(checked_form)]
