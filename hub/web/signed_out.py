"""What a page request gets when its session has ended.

- A request from the page's own scripts (htmx's `HX-Request`, or `Accept: application/json`): 401 JSON, so an
  as-you-type check never pastes the sign-in page into the form.
- A form sent after the session ended: if its CSRF token matches and the expired session cookie still names the
  user (signed by this hub), the form is kept, sealed, for `form_keep_minutes`, and after signing in again the same
  user is offered it, filled in, to send (`/forms/kept/{id}`). Files are not kept.
- Anything else: the sign-in page, coming back here afterwards.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.datastructures import UploadFile

from hub.kernel.identity import expired_token_user
from hub.kernel.sealed_records import SealedRecords
from hub.web.security import CSRF_COOKIE, CSRF_FIELD, csrf_matches
from hub.web.session import SESSION_COOKIE

FORMS_TABLE = "web_kept_forms"
KEPT_FORM_PATH = "/forms/kept/"


def kept_forms(request: Request) -> SealedRecords:
    """The kept forms of this app's hub (the table is made on first use)."""
    state = request.app.state
    if not hasattr(state, "kept_forms"):
        state.kept_forms = SealedRecords(state.hub.store_db, FORMS_TABLE, state.hub.sealing_key)
    records: SealedRecords = state.kept_forms
    return records


def wants_json(request: Request) -> bool:
    return "hx-request" in request.headers or "application/json" in request.headers.get("accept", "")


async def _keep_form(request: Request) -> str | None:
    """The id the form is kept under, or None when it may not be kept."""
    if request.method != "POST":
        return None
    hub = request.app.state.hub
    username = expired_token_user(hub.signing_key.public_key(), request.cookies.get(SESSION_COOKIE, ""))
    form = await request.form()
    submitted = form.get(CSRF_FIELD)
    if username is None or not csrf_matches(
        request.cookies.get(CSRF_COOKIE), submitted if isinstance(submitted, str) else None
    ):
        return None
    fields: list[list[Any]] = []
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            return None
        if name != CSRF_FIELD:
            fields.append([name, value])
    key = secrets.token_urlsafe(24)
    lifetime = timedelta(minutes=hub.settings.form_keep_minutes)
    kept_forms(request).add(key, {"username": username, "path": request.url.path, "fields": fields}, lifetime)
    return key


async def signed_out_response(request: Request) -> Response:
    if wants_json(request):
        return JSONResponse({"reason": "signed_out", "detail": "the session has ended; sign in again"}, 401)
    kept = await _keep_form(request)
    if kept is not None:
        target = KEPT_FORM_PATH + kept
    else:
        target = request.url.path + ("?" + request.url.query if request.url.query else "")
    return RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)
