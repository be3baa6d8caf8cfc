"""The access report's withholding rules as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from events.values import Purpose
from policies.access_report import ReportEntry, WithholdingFacts, withhold

SCHOOL, POLICE, SOCIAL = uuid4(), uuid4(), uuid4()


def entry(agency: object, recipient: object = None, purpose: str = Purpose.CHILD_PROTECTION) -> ReportEntry:
    return ReportEntry(
        datetime(2026, 1, 5, tzinfo=UTC),
        "access",
        "referral.read",
        agency,
        recipient,  # type: ignore[arg-type]
        ("identity",),
        purpose,
        "BTAL-73",
        False,
    )


def facts(investigating: frozenset[object] = frozenset(), parent: bool = False) -> WithholdingFacts:
    return WithholdingFacts(investigating, frozenset({SCHOOL}), parent)  # type: ignore[arg-type]


def test_without_an_investigation_or_a_risk_source_everything_is_shown() -> None:
    for item in (entry(SCHOOL), entry(POLICE), entry(SOCIAL, POLICE, Purpose.CRIMINAL_INVESTIGATION)):
        assert withhold(item, facts()) == item


def test_an_open_investigation_hides_the_police_part_only() -> None:
    open_case = facts(frozenset({POLICE}))
    assert withhold(entry(POLICE), open_case) is None
    assert withhold(entry(SOCIAL, POLICE), open_case) is None
    assert withhold(entry(SOCIAL, None, Purpose.CRIMINAL_INVESTIGATION), open_case) is None
    assert withhold(entry(SOCIAL), open_case) == entry(SOCIAL)


def test_the_alleged_source_of_risk_does_not_learn_who_reported() -> None:
    shown = withhold(entry(SCHOOL), facts(parent=True))
    assert shown is not None
    assert (shown.agency_id, shown.agency_withheld) == (None, True)
    received = withhold(entry(SOCIAL, SCHOOL), facts(parent=True))
    assert received is not None
    assert (received.agency_id, received.recipient_agency_id, received.recipient_withheld) == (SOCIAL, None, True)
    assert withhold(entry(SOCIAL), facts(parent=True)) == entry(SOCIAL)
