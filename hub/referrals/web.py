"""Referral pages: the submission form (with a server-side personal-code check), one referral with the actions
its reader may take, and its timeline. Reads go through the same audited services as the API."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from events.referrals import Outcome
from events.values import MUNICIPALITIES, Concern, Relationship, Urgency
from hub.api.auth import HubDep
from hub.kernel.config import MAX_MONITORING_DAYS
from hub.kernel.drafts import DraftModel
from hub.kernel.errors import DomainError, Forbidden, NotFound
from hub.referrals.emergency_read import MAX_JUSTIFICATION, EmergencyReadDraft
from hub.referrals.transitions import TRANSITIONS
from hub.referrals.web_actions import available_actions, may_read_in_emergency
from hub.referrals.web_form import FAMILY_ROWS, check_personal_code, parse_referral_form
from hub.service import Hub
from hub.web.form_errors import FormInvalid
from hub.web.forms import text, validated
from hub.web.i18n import translations
from hub.web.reasons import reason_message
from hub.web.rendering import WebRoute, form_failure, language_of, render
from hub.web.session import CheckedForm, WebPrincipal
from policies.decision import Principal
from policies.engine import BREAK_GLASS_MIN_CHARS
from policies.referral_actions import ASSIGNABLE_ROLES, ReferralAction

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PURPOSE = "referral-handling"
# Notices a redirect to the referral page may ask for ("emergency" is shown only after an emergency read).
PAGE_NOTICES = ("submitted", "already_known", "done")
CODE_FIELDS = ("child.personal_code", *(f"family.{row}.personal_code" for row in range(FAMILY_ROWS)))


def _form_page(request: Request) -> Response:
    """The empty form, or (after a refused submit) the form with what was typed and the errors."""
    return render(
        request,
        "referral_form.html",
        municipalities=sorted(MUNICIPALITIES.items(), key=lambda item: item[1]),
        concerns=list(Concern),
        urgencies=list(Urgency),
        relationships=list(Relationship),
        family_rows=range(FAMILY_ROWS),
        idempotency_key=str(uuid4()),
    )


@router.get("/referrals/new")
def new_referral(request: Request, principal: WebPrincipal) -> Response:
    return _form_page(request)


@router.post("/referrals/new")
def submit_referral(hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> Response:
    """Submit through the same service as the API; a repeated click (same form key) returns the same referral."""
    draft = parse_referral_form(form)
    key = text(form, "idempotency_key")[:200] or None
    receipt = hub.referrals.submit(principal, draft, key)
    notice = "already_known" if receipt["already_known"] else "submitted"
    return RedirectResponse(f"/referrals/{receipt['id']}?notice={notice}", status_code=303)


@router.post("/referrals/check-code")
def check_code(
    request: Request,
    principal: WebPrincipal,
    form: CheckedForm,
    field: Annotated[str, Query(max_length=40)] = "child.personal_code",
) -> HTMLResponse:
    """As-you-type feedback on a personal code (htmx); the submission is checked again in full."""
    problem = check_personal_code(text(form, field)) if field in CODE_FIELDS else None
    message = translations(language_of(request)).gettext(problem) if problem else ""
    return render(request, "_code_check.html", message=message)


def _workers(hub: Hub, agency_id: UUID) -> list[str]:
    assignable = {role.value for role in ASSIGNABLE_ROLES}
    return [
        user["username"]
        for user in hub.registry_queries.users()
        if user["agency_id"] == str(agency_id) and not user["suspended"] and set(user["roles"]) & assignable
    ]


def _show_referral(
    request: Request, hub: Hub, principal: Principal, document: dict[str, Any], notice: str | None
) -> Response:
    referral = hub.app.referral(UUID(str(document["id"])))
    actions = available_actions(principal, referral)
    return render(
        request,
        "referral.html",
        referral=document,
        actions=actions,
        forms={action: TRANSITIONS[action].draft for action in actions},
        workers=_workers(hub, referral.lead_agency_id) if ReferralAction.ASSIGN in actions else [],
        municipalities=sorted(MUNICIPALITIES.items(), key=lambda item: item[1]),
        outcomes=list(Outcome),
        monitoring_days=hub.settings.monitoring_days,
        max_monitoring_days=MAX_MONITORING_DAYS,
        notice=notice,
    )


def _offer_emergency_read(
    request: Request, referral_id: UUID, error: DomainError, justification: str = "", status: int | None = None
) -> Response:
    """The refusal, with the emergency-read form for a role that may break the glass (whether the referral exists
    or not, so the form reveals nothing)."""
    return render(
        request,
        "emergency_read.html",
        status=status or error.status,
        reason=error.reason,
        message=translations(language_of(request)).gettext(reason_message(error.reason, error.status)),
        referral_id=referral_id,
        justification=justification,
        min_chars=BREAK_GLASS_MIN_CHARS,
        max_chars=MAX_JUSTIFICATION,
    )


@router.get("/referrals/{referral_id}")
def referral_page(
    request: Request,
    referral_id: UUID,
    hub: HubDep,
    principal: WebPrincipal,
    notice: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """One referral as its reader may see it (recorded), with the actions they may take now; a refused reader whose
    role allows it is offered an emergency read."""
    try:
        document = hub.referrals.read(principal, referral_id, PURPOSE)
    except (NotFound, Forbidden) as error:
        if not may_read_in_emergency(principal):
            raise
        return _offer_emergency_read(request, referral_id, error)
    return _show_referral(request, hub, principal, document, notice if notice in PAGE_NOTICES else None)


@router.post("/referrals/{referral_id}/emergency-read")
def emergency_read(
    request: Request, referral_id: UUID, hub: HubDep, principal: WebPrincipal, form: CheckedForm
) -> Response:
    """Read a referral in an emergency with a written justification (break-glass, reviewed by the head of service);
    the same decision and review as the API's emergency read. The page shows the referral at once."""
    try:
        draft = validated(EmergencyReadDraft, {"justification": text(form, "justification")})
    except FormInvalid as invalid:
        request.state.form_failure = form_failure(request, 422, "invalid_input", invalid.problems, form)
        refusal = DomainError("invalid_input", "the justification is not valid")
        return _offer_emergency_read(request, referral_id, refusal, status=422)
    try:
        document = hub.referrals.read(principal, referral_id, PURPOSE, draft.justification)
    except Forbidden as error:
        if not may_read_in_emergency(principal):
            raise
        return _offer_emergency_read(request, referral_id, error, draft.justification)
    return _show_referral(request, hub, principal, document, "emergency")


@router.get("/referrals/{referral_id}/timeline")
def timeline_page(request: Request, referral_id: UUID, hub: HubDep, principal: WebPrincipal) -> Response:
    """Who did what and when; a referrer sees milestones only. Recorded like the API's timeline."""
    return render(request, "timeline.html", timeline=hub.referral_timeline.read(principal, referral_id, PURPOSE))


def _draft(action: ReferralAction, form: CheckedForm) -> DraftModel | None:
    """The action's body from the form, whose fields are named like the draft's (none for a one-click action)."""
    draft_type = TRANSITIONS[action].draft
    if draft_type is None:
        return None
    fields = draft_type.model_fields
    # An optional field left empty takes its default (a close without a period gets the hub's usual one).
    return validated(
        draft_type, {name: text(form, name) for name in fields if fields[name].is_required() or text(form, name)}
    )


@router.post("/referrals/{referral_id}/actions/{action}")
def take_action(
    referral_id: UUID, action: ReferralAction, hub: HubDep, principal: WebPrincipal, form: CheckedForm
) -> RedirectResponse:
    """Move the referral along through the same workflow as the API; refusals come back as an error page."""
    hub.referral_workflow.act(principal, referral_id, action, _draft(action, form))
    back = text(form, "back")
    target = "/inbox" if back == "inbox" else f"/referrals/{referral_id}?notice=done"
    return RedirectResponse(target, status_code=303)
