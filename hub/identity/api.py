"""The token endpoint agency systems call: client credentials with a signed assertion (RFC 7523)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from hub.api.auth import HubDep
from hub.identity.client_credentials import ASSERTION_TYPE, InvalidClient
from hub.identity.web_addresses import public_base

router = APIRouter(tags=["identity"])


class TokenResponse(BaseModel):
    """RFC 6749 section 5.1: a hub bearer token of the agency's integration user."""

    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int


class TokenError(BaseModel):
    """RFC 6749 section 5.2, with the hub's machine-readable `reason`."""

    error: str
    error_description: str
    reason: str


def _oauth_error(status: int, error: str, reason: str, description: str) -> JSONResponse:
    body = TokenError(error=error, error_description=description, reason=reason)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


@router.post(
    "/v1/oauth/token",
    response_model=TokenResponse,
    responses={400: {"model": TokenError}, 401: {"model": TokenError}},
    summary="An agency system's token, for an assertion signed with its registered Ed25519 key",
)
def token(
    request: Request,
    hub: HubDep,
    grant_type: Annotated[str, Form()],
    client_assertion_type: Annotated[str, Form()],
    client_assertion: Annotated[str, Form(max_length=8192)],
    client_id: Annotated[str | None, Form(max_length=100)] = None,
) -> TokenResponse | JSONResponse:
    if grant_type != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "unsupported_grant_type", "only client_credentials")
    if client_assertion_type != ASSERTION_TYPE:
        return _oauth_error(400, "invalid_client", "unsupported_assertion_type", f"use {ASSERTION_TYPE}")
    try:
        issued = hub.client_credentials.exchange(client_assertion, client_id, public_base(request) + "/v1/oauth/token")
    except InvalidClient as refused:
        return _oauth_error(401, "invalid_client", refused.reason, refused.detail)
    return TokenResponse(access_token=issued.access_token, token_type="Bearer", expires_in=issued.expires_in)  # noqa: S106
