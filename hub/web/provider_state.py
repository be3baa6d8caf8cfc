"""The OpenID round trip's state, bound to the browser: a SameSite=Lax cookie for the callback path only (the
provider's answer is a cross-site redirect, which carries no Strict cookies), checked and forgotten at the callback.
Staff and citizens' sign-ins share it, each with its own cookie name and callback path.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from hub.web.rendering import render_error

STATE_MAX_AGE = 600


@dataclass(frozen=True)
class ProviderAnswer:
    """The query of the provider's redirect back to the hub."""

    state: str
    code: str
    iss: str | None
    error: str | None


def provider_answer(
    state: Annotated[str, Query(max_length=200)] = "",
    code: Annotated[str, Query(max_length=2000)] = "",
    iss: Annotated[str | None, Query(max_length=500)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> ProviderAnswer:
    return ProviderAnswer(state, code, iss, error)


ProviderAnswerDep = Annotated[ProviderAnswer, Depends(provider_answer)]


def redirect_to_provider(request: Request, url: str, state: str, cookie: str, callback_path: str) -> RedirectResponse:
    """Off to the provider, with the state bound to this browser until the callback."""
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        cookie,
        state,
        max_age=STATE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path=callback_path,
    )
    return response


def refused_answer(request: Request, cookie: str, answer: ProviderAnswer) -> HTMLResponse | None:
    """The page for a provider's answer that cannot be used (an error, or a state this browser did not start)."""
    bound = request.cookies.get(cookie, "")
    if (
        answer.error
        or not answer.code
        or not answer.state
        or not hmac.compare_digest(bound.encode(), answer.state.encode())
    ):
        return render_error(request, 400, "sign_in_expired" if not answer.error else "sign_in_rejected")
    return None


def forget_state(response: Response, cookie: str, callback_path: str) -> None:
    response.delete_cookie(cookie, path=callback_path, httponly=True, samesite="lax")
