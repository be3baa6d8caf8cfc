"""Pure rules of a person's own data: only their own record (Cedar), what they see of a referral, and the one-month
clock of their written requests (GDPR Art. 12(3)) in Riga calendar days."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from events.values import DataCategory
from policies.access_report import WithholdingFacts, referral_as_seen
from policies.clocks import add_calendar_months, written_request_due
from policies.decision import Citizen
from policies.engine import default_engine


def test_a_citizen_may_read_their_own_record_and_no_other() -> None:
    me, other = uuid4(), uuid4()
    citizen = Citizen(me, "eid")
    own = default_engine().decide_own(citizen, me, (DataCategory.ACCESS_LOG,))
    assert (own.permitted, own.basis, own.role, own.policies) == (
        True,
        "GDPR-15",
        "data_subject",
        ("citizen.own-data",),
    )
    refused = default_engine().decide_own(citizen, other, (DataCategory.ACCESS_LOG,))
    assert (refused.permitted, refused.categories, refused.redacted) == (False, (), (DataCategory.ACCESS_LOG,))


def test_a_referral_as_its_subject_sees_it_names_no_reporter_and_no_open_police_work() -> None:
    school, social, police = uuid4(), uuid4(), uuid4()
    quiet = WithholdingFacts(frozenset(), frozenset({school}), True)
    seen = referral_as_seen(school, (social, police), social, quiet)
    assert seen is not None
    assert (seen.recipients, seen.lead_agency_id) == ((social, police), social)
    investigating = WithholdingFacts(frozenset({police}), frozenset({school}), True)
    during = referral_as_seen(school, (social, police), social, investigating)
    assert during is not None
    assert during.recipients == (social,)
    assert referral_as_seen(police, (social,), social, investigating) is None


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_calendar_months_keep_the_day_or_end_with_the_shorter_month(day: date, months: int, expected: date) -> None:
    assert add_calendar_months(day, months) == expected


def test_a_written_request_is_due_a_calendar_month_later_in_riga_moved_off_days_off_and_extendable() -> None:
    # Thursday 3 December: 3 January 2027 is a Sunday, so the answer is due by the end of Monday 4 January (Riga).
    assert written_request_due(datetime(2026, 12, 3, 10, tzinfo=UTC)) == datetime(2027, 1, 4, 22, tzinfo=UTC)
    # 22:30 UTC on 31 December is already 1 January in Riga: the month runs from the Riga day, to 1 February.
    assert written_request_due(datetime(2026, 12, 31, 22, 30, tzinfo=UTC)) == datetime(2027, 2, 1, 22, tzinfo=UTC)
    # Extended by two further months: 3 March 2027, a Wednesday.
    assert written_request_due(datetime(2026, 12, 3, 10, tzinfo=UTC), extended=True) == datetime(
        2027, 3, 3, 22, tzinfo=UTC
    )
