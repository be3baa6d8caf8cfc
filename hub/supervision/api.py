"""Supervision figures for the ministry (pseudonymised; audited)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query

from hub.api.auth import HubDep, PrincipalDep
from hub.api.downloads import csv_response
from hub.api.schemas import CaseReviewFigure, RecordsTimeliness, SupervisionReport
from hub.kernel.errors import InvalidInput
from policies.case_review import CASE_REVIEW_COLUMNS, CASE_REVIEW_FILE

router = APIRouter(prefix="/v1/supervision", tags=["supervision"])


@router.get("/referrals", response_model=SupervisionReport)
def referral_figures(
    hub: HubDep,
    principal: PrincipalDep,
    municipality: Annotated[str | None, Query(max_length=40)] = None,
    purpose: Annotated[str, Header(alias="X-Purpose", max_length=200)] = "supervision",
) -> dict[str, object]:
    """Per municipality: referrals by source and concern, time to acknowledge and decide, overdue clocks."""
    return hub.supervision.referrals(principal, municipality, purpose)


@router.get("/records", response_model=list[RecordsTimeliness])
def records_timeliness(
    hub: HubDep,
    principal: PrincipalDep,
    since: Annotated[datetime | None, Query(description="Requests made from then on (with a UTC offset)")] = None,
    until: Annotated[datetime | None, Query(description="Requests made until then (with a UTC offset)")] = None,
    purpose: Annotated[str, Header(alias="X-Purpose", max_length=200)] = "supervision",
) -> list[dict[str, Any]]:
    """Per municipality: prior-residence requests sent and received (made within the period, when given),
    answered on time, turnaround, overdue now, and the share of handed-over cases holding prior-residence records."""
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput("timezone_required", "give times with a UTC offset", name)
    return hub.supervision.records(principal, purpose=purpose, since=since, until=until)


@router.get(
    "/case-reviews",
    response_model=list[CaseReviewFigure],
    responses={200: {"content": {"text/csv": {"schema": {"type": "string", "description": "one row per group"}}}}},
)
def case_review_figures(
    hub: HubDep,
    principal: PrincipalDep,
    since: Annotated[date | None, Query(description="Reviews dated from this day on (in Riga)")] = None,
    until: Annotated[date | None, Query(description="Reviews dated until this day (in Riga)")] = None,
    municipality: Annotated[str | None, Query(max_length=40)] = None,
    format: Literal["json", "csv"] = "json",
    purpose: Annotated[str, Header(alias="X-Purpose", max_length=200)] = "supervision",
) -> Any:
    """Per municipality and criterion group: the case-file reviews' non-conformity % (counts only); as CSV with
    `format=csv`."""
    rows = hub.supervision.case_reviews(principal, since, until, municipality, purpose)
    return csv_response(rows, CASE_REVIEW_COLUMNS, CASE_REVIEW_FILE) if format == "csv" else rows
