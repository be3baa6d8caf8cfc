"""Signing in through an OpenID provider, renewing the session from the page, and signing out (at the provider too).

The provider's answer arrives by a cross-site redirect, which does not carry SameSite=Strict cookies: the state is
bound to the browser by its own SameSite=Lax cookie, and after signing in the browser continues to its page from a
page of the hub (a same-site navigation, so the Strict session cookie goes along).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from hub.api.auth import HubDep
from hub.identity.service import SessionEnded
from hub.identity.web_addresses import public_base
from hub.web.provider_state import ProviderAnswerDep, forget_state, redirect_to_provider, refused_answer
from hub.web.rendering import WebRoute, render, safe_next
from hub.web.session import (
    SESSION_COOKIE,
    SESSION_ID_COOKIE,
    CheckedForm,
    WebPrincipal,
    end_session,
    seconds_left,
    set_session_cookie,
)

router = APIRouter(route_class=WebRoute, include_in_schema=False)
STATE_COOKIE = "hub_oidc_state"
CALLBACK_PATH = "/oidc/callback"


@router.get("/signin/oidc/{provider}")
def begin_sign_in(request: Request, hub: HubDep, provider: str, next: str | None = None) -> Response:
    """Off to the provider, with state, nonce and a PKCE challenge."""
    url, state = hub.identity.begin(provider, public_base(request) + CALLBACK_PATH, safe_next(next))
    return redirect_to_provider(request, url, state, STATE_COOKIE, CALLBACK_PATH)


@router.get(CALLBACK_PATH)
def finish_sign_in(
    request: Request,
    hub: HubDep,
    answer: ProviderAnswerDep,
) -> Response:
    """The provider's answer: the code is exchanged and the person signed in, or refused (and that is recorded)."""
    if refused := refused_answer(request, STATE_COOKIE, answer):
        return refused
    signed_in = hub.identity.finish(answer.state, answer.code, answer.iss)
    response = render(request, "signed_in.html", next=safe_next(signed_in.next))
    set_session_cookie(response, request, SESSION_COOKIE, signed_in.token, hub.settings.token_ttl_minutes * 60)
    set_session_cookie(response, request, SESSION_ID_COOKIE, signed_in.session_id, 12 * 3600)
    forget_state(response, STATE_COOKIE, CALLBACK_PATH)
    return response


@router.post("/session/renew")
def renew_session(request: Request, hub: HubDep, principal: WebPrincipal, _: CheckedForm) -> JSONResponse:
    """From the page's "stay signed in": a new session while the provider's lives (demo sessions always renew)."""
    if hub.settings.demo and SESSION_ID_COOKIE not in request.cookies:
        token = hub.issue_token(principal.username)
    else:
        try:
            token = hub.identity.renew(request.cookies.get(SESSION_ID_COOKIE), principal.username)
        except SessionEnded as ended:
            return JSONResponse({"reason": "session_not_renewed", "detail": str(ended)}, 401)
    response = JSONResponse({"seconds_left": hub.settings.token_ttl_minutes * 60})
    set_session_cookie(response, request, SESSION_COOKIE, token, hub.settings.token_ttl_minutes * 60)
    return response


@router.get("/session")
def session_status(request: Request, principal: WebPrincipal) -> JSONResponse:
    """How long the session has left (the page asks before warning, in case another tab renewed it)."""
    return JSONResponse({"seconds_left": seconds_left(request.state.session_expires)})


@router.post("/signout")
def sign_out(request: Request, hub: HubDep, _: CheckedForm) -> Response:
    """Forget the session here, then end it at the provider (RP-initiated logout) if it began there: from a page,
    since the policy lets forms go nowhere but this site (`form-action 'self'`, which covers a form's redirects)."""
    logout = hub.identity.sign_out(request.cookies.get(SESSION_ID_COOKIE), public_base(request) + "/signin")
    response: Response = (
        render(request, "signing_out.html", logout=logout) if logout else RedirectResponse("/signin", status_code=303)
    )
    end_session(response)
    return response
