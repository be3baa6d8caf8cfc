"""A person's own pages: signing in with a citizen's identity, their access report (each line with its inclusion
proof and how to check it offline), their data as a JSON download and as a page to print, and signing out.

The session is its own HttpOnly, SameSite=Strict cookie (`hub_citizen`), which no staff page reads; the provider's
answer arrives by a cross-site redirect, so the state is bound by a SameSite=Lax cookie, as for staff.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse

from hub.api.auth import HubDep
from hub.api.header_text import content_disposition
from hub.api.schemas import SubjectExport
from hub.citizens.service import CitizenSessionEnded
from hub.identity.service import IdentityService
from hub.identity.web_addresses import public_base
from hub.service import Hub
from hub.web.provider_state import ProviderAnswerDep, forget_state, redirect_to_provider, refused_answer
from hub.web.rendering import WebRoute, render
from hub.web.session import CheckedForm, set_session_cookie
from policies.decision import Citizen
from policies.legal_bases import LEGAL_BASES

router = APIRouter(route_class=WebRoute, include_in_schema=False)
CITIZEN_COOKIE = "hub_citizen"
STATE_COOKIE = "hub_citizen_state"
CALLBACK_PATH = "/my/oidc/callback"
SIGN_IN_PATH = "/my/signin"
KEY_PATH = "/transparency/checkpoint-key"
BASES = {basis.id: {"en": basis.title_en, "lv": basis.title_lv} for basis in LEGAL_BASES}


def _citizen(request: Request, hub: Hub) -> Citizen | None:
    """The signed-in person (counted against the per-user request limit), or None."""
    try:
        citizen = hub.citizens.authenticate(request.cookies.get(CITIZEN_COOKIE))
    except CitizenSessionEnded:
        return None
    request.app.state.rate_limits.check(citizen)
    return citizen


def _signed_out() -> RedirectResponse:
    return RedirectResponse(SIGN_IN_PATH, status_code=303)


def _providers(identity: IdentityService) -> list[dict[str, str]]:
    return [{"name": c.config.name, "title": c.config.title} for c in identity.citizen_providers()]


@router.get(SIGN_IN_PATH)
def citizen_sign_in_page(request: Request, hub: HubDep) -> HTMLResponse:
    """The citizens' sign-in services (a national eID)."""
    return render(request, "my_signin.html", providers=_providers(hub.identity))


@router.get(SIGN_IN_PATH + "/{provider}")
def begin_citizen_sign_in(request: Request, hub: HubDep, provider: str) -> Response:
    """Off to the citizens' provider, with state, nonce and a PKCE challenge."""
    url, state = hub.citizens.begin(provider, public_base(request) + CALLBACK_PATH)
    return redirect_to_provider(request, url, state, STATE_COOKIE, CALLBACK_PATH)


@router.get(CALLBACK_PATH)
def finish_citizen_sign_in(
    request: Request,
    hub: HubDep,
    answer: ProviderAnswerDep,
) -> Response:
    """The provider's answer: the person's own session, or a page saying the hub holds nothing about them."""
    if refused := refused_answer(request, STATE_COOKIE, answer):
        return refused
    signed_in = hub.citizens.finish(answer.state, answer.code, answer.iss)
    if signed_in.token is None:
        response = render(request, "my_nothing_held.html")
    else:
        response = render(request, "signed_in.html", next="/my")
        set_session_cookie(response, request, CITIZEN_COOKIE, signed_in.token, hub.settings.token_ttl_minutes * 60)
    forget_state(response, STATE_COOKIE, CALLBACK_PATH)
    return response


@router.get("/my")
def own_report(request: Request, hub: HubDep) -> Response:
    """Who has accessed the person's data, when, which agency, on what basis and why; each line with its proof."""
    citizen = _citizen(request, hub)
    if citizen is None:
        return _signed_out()
    report = hub.citizens.report(citizen, citizen.subject_id)
    proofs = {index: json.dumps(entry["proof"], indent=1) for index, entry in enumerate(report["entries"])}
    return render(
        request, "my_report.html", citizen=citizen, report=report, proofs=proofs, key_path=KEY_PATH, bases=BASES
    )


@router.get("/my/export.json")
def own_export_json(request: Request, hub: HubDep) -> Response:
    """Everything the hub holds about the person, as they may see it, to download (recorded)."""
    citizen = _citizen(request, hub)
    if citizen is None:
        return _signed_out()
    document = hub.citizens.export(citizen, citizen.subject_id)
    return Response(
        SubjectExport.model_validate(document).model_dump_json(indent=2),
        media_type="application/json",
        headers={"Content-Disposition": content_disposition("my-data.json")},
    )


@router.get("/my/export")
def own_export_page(request: Request, hub: HubDep) -> Response:
    """The same as a page to read and print (recorded)."""
    citizen = _citizen(request, hub)
    if citizen is None:
        return _signed_out()
    document: dict[str, Any] = hub.citizens.export(citizen, citizen.subject_id)
    return render(request, "my_export.html", citizen=citizen, export=document)


@router.post("/my/signout")
def citizen_sign_out(request: Request, hub: HubDep, _: CheckedForm) -> Response:
    """Forget the session here, then at the provider, if it offers that."""
    logout = hub.citizens.sign_out(request.cookies.get(CITIZEN_COOKIE), public_base(request) + SIGN_IN_PATH)
    response: Response = (
        render(request, "signing_out.html", logout=logout)
        if logout
        else RedirectResponse(SIGN_IN_PATH, status_code=303)
    )
    response.delete_cookie(CITIZEN_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get(KEY_PATH)
def checkpoint_key(hub: HubDep) -> PlainTextResponse:
    """The key the hub signs its checkpoints with (C2SP vkey): public, to check proofs offline."""
    return PlainTextResponse(hub.audit.verifier.vkey() + "\n")
