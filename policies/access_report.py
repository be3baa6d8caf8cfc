"""Withholding rules of a person's own access report (who looked at my child's data), as pure functions.

1. While a police investigation concerning the subject is open, nothing the investigating police agency did, and
   nothing disclosed to it or for a criminal investigation, appears; once closed, everything does.
2. When the report is for a person who is the alleged source of risk, agencies that reported a concern about the
   subject are not named (the reporter's identity is protected); the entries stay, the agency is withheld.

A person's own export of the referrals about them follows the same two rules (`referral_as_seen`): a referral the
investigating police made is left out while the investigation is open, and the investigating agency is not named
among the recipients; the reporter is never named to a person reading for themselves, since the hub cannot tell
whether they are the alleged source of risk.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from events.values import Purpose

POLICY_VERSION = "access-report/1"


@dataclass(frozen=True)
class ReportEntry:
    time: datetime
    kind: str  # access | disclosure
    action: str
    agency_id: UUID | None
    recipient_agency_id: UUID | None
    categories: tuple[str, ...]
    purpose: str
    basis: str | None
    break_glass: bool
    agency_withheld: bool = False
    recipient_withheld: bool = False


@dataclass(frozen=True)
class WithholdingFacts:
    """What the rules need about the subject at the time of the report."""

    investigating_agencies: frozenset[UUID]
    reporter_agencies: frozenset[UUID]
    for_alleged_source_of_risk: bool


def _under_investigation(entry: ReportEntry, facts: WithholdingFacts) -> bool:
    if not facts.investigating_agencies:
        return False
    return (
        entry.agency_id in facts.investigating_agencies
        or entry.recipient_agency_id in facts.investigating_agencies
        or entry.purpose == Purpose.CRIMINAL_INVESTIGATION
    )


def withhold(entry: ReportEntry, facts: WithholdingFacts) -> ReportEntry | None:
    """The entry as the person may see it, or None when it must not appear at all."""
    if _under_investigation(entry, facts):
        return None
    if not facts.for_alleged_source_of_risk:
        return entry
    agency_hidden = entry.agency_id in facts.reporter_agencies
    recipient_hidden = entry.recipient_agency_id is not None and entry.recipient_agency_id in facts.reporter_agencies
    if not (agency_hidden or recipient_hidden):
        return entry
    return replace(
        entry,
        agency_id=None if agency_hidden else entry.agency_id,
        recipient_agency_id=None if recipient_hidden else entry.recipient_agency_id,
        agency_withheld=agency_hidden,
        recipient_withheld=recipient_hidden,
    )


@dataclass(frozen=True)
class ReferralSeen:
    """What a person reading for themselves learns of a referral's agencies (`None`: it is left out)."""

    recipients: tuple[UUID, ...]
    lead_agency_id: UUID | None


def referral_as_seen(
    referrer: UUID, recipients: tuple[UUID, ...], lead: UUID | None, facts: WithholdingFacts
) -> ReferralSeen | None:
    """A referral as its subject may see it in their own export: never its reporter, never open police work."""
    if referrer in facts.investigating_agencies:
        return None
    shown = tuple(agency for agency in recipients if agency not in facts.investigating_agencies)
    return ReferralSeen(shown, lead if lead not in facts.investigating_agencies else None)
