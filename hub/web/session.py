"""Who is signed in: the API's bearer token kept in an HttpOnly, SameSite=Strict cookie, and checked forms."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from hub.api.auth import HubDep
from hub.kernel.core import SuspendedUser
from hub.kernel.identity import InvalidToken
from hub.web.security import CSRF_COOKIE, CSRF_FIELD, csrf_matches
from policies.decision import Principal

SESSION_COOKIE = "hub_session"


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
    return principal


async def checked_form(request: Request) -> FormData:
    """The submitted form, once its CSRF token matches the cookie."""
    form = await request.form()
    submitted = form.get(CSRF_FIELD)
    if not csrf_matches(request.cookies.get(CSRF_COOKIE), submitted if isinstance(submitted, str) else None):
        raise CsrfRejected
    return form


WebPrincipal = Annotated[Principal, Depends(web_principal)]
CheckedForm = Annotated[FormData, Depends(checked_form)]
