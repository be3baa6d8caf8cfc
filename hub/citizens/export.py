"""What a person reading for themselves is shown of what the hub holds about them (GDPR Art. 15), as pure functions.

A referral appears with its date, concerns, urgency, status and the agencies working on it; never its reporter and
never its free-text summary (it may name others, the reporter among them); open police work is left out
(`policies.access_report.referral_as_seen`). The names, birth dates and personal codes are those the referrals
recorded for the person, each once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from policies.access_report import WithholdingFacts, referral_as_seen

AgencyNamer = Callable[[UUID | None], dict[str, Any] | None]


def referrals_as_seen(held: list[dict[str, Any]], facts: WithholdingFacts, name: AgencyNamer) -> list[dict[str, Any]]:
    """The referrals about the person as they may see them (withheld ones left out)."""
    shown = []
    for referral in held:
        seen = referral_as_seen(
            referral["referrer_agency_id"], referral["recipients"], referral["lead_agency_id"], facts
        )
        if seen is None:
            continue
        shown.append(
            {
                "received_at": referral["submitted_at"],
                "status": referral["status"],
                "urgency": referral["urgency"],
                "concerns": referral["concerns"],
                "lead_agency": name(seen.lead_agency_id),
                "agencies": [name(agency) for agency in seen.recipients],
            }
        )
    return shown


def details_recorded(held: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each distinct way the referrals recorded the person (name, birth date, personal code, relationship)."""
    seen: list[dict[str, Any]] = []
    for referral in held:
        for named in referral["named_as"]:
            if named not in seen:
                seen.append(named)
    return seen


def export_document(
    subject_id: UUID, at: datetime, details: list[dict[str, Any]], referrals: list[dict[str, Any]], report: Any
) -> dict[str, Any]:
    """The person's export: their record, the referrals about them and who has accessed their data."""
    return {
        "format": "lv-referral-hub/subject-export/1",
        "generated_at": at,
        "person": {"record_id": str(subject_id), "details_recorded": details},
        "referrals": referrals,
        "access_report": report,
    }
