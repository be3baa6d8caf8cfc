"""Authentication as a FastAPI dependency: bearer token -> Principal, or 401/403."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hub.kernel import access_tracking as access_tracking
from hub.kernel.core import SuspendedUser
from hub.kernel.identity import InvalidToken
from hub.service import Hub
from policies.access import Principal

bearer = HTTPBearer(auto_error=False, description="A token from `hub tokens issue --user ID`")
CHALLENGE = {"WWW-Authenticate": "Bearer"}


async def get_hub(request: Request) -> Hub:
    """Async, so that FastAPI calls it on the event loop instead of sending it to the thread pool and back."""
    hub: Hub = request.app.state.hub
    return hub


HubDep = Annotated[Hub, Depends(get_hub)]


async def current_principal(
    request: Request, hub: HubDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    """Async: on SQLite a token already verified, of a user the registry cache holds, is resolved on the event loop
    (one single-row read without a lock, in WAL mode), saving a hop to the thread pool and back; anything more
    (a signature to verify, an OpenID provider, views to wait for, a PostgreSQL round trip) takes the one hop."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "a bearer token is required", headers=CHALLENGE)
    token = credentials.credentials
    try:
        known = None if hub.settings.uses_postgres else hub.authenticate_known(token)
        principal = known if known is not None else await run_in_threadpool(hub.authenticate, token)
    except InvalidToken as error:
        raise HTTPException(401, f"invalid token ({error})", headers=CHALLENGE) from error
    except SuspendedUser as error:
        raise HTTPException(403, "the user is suspended") from error
    request.app.state.rate_limits.check(principal)
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


async def track_accesses() -> None:
    """Runs first for every request (in the request's own context), so denials can be checked for a record."""
    access_tracking.start_tracking()
