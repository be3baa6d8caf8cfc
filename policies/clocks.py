"""Response clocks in Latvian working time: which deadline applies to whom, and how working days are counted."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from uuid import UUID
from zoneinfo import ZoneInfo

import holidays

from events.referrals import ClockDue
from events.values import AgencyKind, Urgency

CLOCKS_VERSION = "clocks/1"
RIGA = ZoneInfo("Europe/Riga")


class ClockName(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    DECIDE = "decide"
    ANSWER_RECORDS = "answer_records"
    REMIND_RECORDS = "remind_records"


@dataclass(frozen=True)
class Deadline:
    """Either calendar hours or working days (weekends and Latvian public holidays skipped)."""

    calendar_hours: int = 0
    working_days: int = 0

    def due(self, start: datetime) -> datetime:
        if self.calendar_hours:
            return start + timedelta(hours=self.calendar_hours)
        return add_working_days(start, self.working_days)


# (urgency, agency kind or None for every kind) -> deadlines; the most specific row wins.
CLOCK_TABLE: dict[tuple[Urgency, AgencyKind | None], dict[ClockName, Deadline]] = {
    (Urgency.IMMEDIATE, None): {
        ClockName.ACKNOWLEDGE: Deadline(calendar_hours=2),
        ClockName.DECIDE: Deadline(working_days=1),
    },
    (Urgency.URGENT, None): {
        ClockName.ACKNOWLEDGE: Deadline(working_days=1),
        ClockName.DECIDE: Deadline(working_days=3),
    },
    (Urgency.ROUTINE, None): {
        ClockName.ACKNOWLEDGE: Deadline(working_days=1),
        ClockName.DECIDE: Deadline(working_days=10),
    },
}


# Prior-residence record requests [assume, configurable]: the answer is due after ANSWER_RECORDS; a reminder
# goes out once the due time is within REMIND_RECORDS of now.
RECORD_REQUEST_CLOCKS: dict[Urgency, dict[ClockName, Deadline]] = {
    Urgency.IMMEDIATE: {
        ClockName.ANSWER_RECORDS: Deadline(working_days=1),
        ClockName.REMIND_RECORDS: Deadline(calendar_hours=4),
    },
    Urgency.URGENT: {
        ClockName.ANSWER_RECORDS: Deadline(working_days=1),
        ClockName.REMIND_RECORDS: Deadline(calendar_hours=4),
    },
    Urgency.ROUTINE: {
        ClockName.ANSWER_RECORDS: Deadline(working_days=10),
        ClockName.REMIND_RECORDS: Deadline(working_days=2),
    },
}


# A running clock is "due soon" once its due time is within DUE_SOON of now (one working day: the people who must
# act hear of it on the last working day) and at least half its time has passed (so a clock no longer than that,
# such as the two hours of an immediate acknowledgement, is due soon in its second half, not as soon as it starts).
# A consent "expires soon" once its end is within CONSENT_EXPIRES_SOON (two working weeks, time to ask the family
# again). The notification worker raises its items from these.
DUE_SOON = Deadline(working_days=1)
CONSENT_EXPIRES_SOON = Deadline(working_days=10)


def within(window: Deadline, due_at: datetime, now: datetime) -> bool:
    """Whether `due_at` is still ahead of `now` but no further than `window` from it."""
    return now < due_at <= window.due(now)


def due_soon(started_at: datetime, due_at: datetime, now: datetime) -> bool:
    """Whether a clock started at `started_at` and due at `due_at` is due soon at `now` (see `DUE_SOON`)."""
    return within(DUE_SOON, due_at, now) and now - started_at >= (due_at - started_at) / 2


def deadlines(urgency: Urgency, kind: AgencyKind) -> dict[ClockName, Deadline]:
    return CLOCK_TABLE.get((urgency, kind)) or CLOCK_TABLE[(urgency, None)]


@lru_cache(maxsize=16)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("LV", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: datetime, days: int) -> datetime:
    """The same local (Riga) time `days` working days later.

    Something received on a day off counts as received when the next working day begins (00:00 Riga time), so
    one working day from a Saturday runs to the end of Monday.
    """
    local = start.astimezone(RIGA)
    day, time_of_day = local.date(), local.timetz().replace(tzinfo=None)
    if not is_working_day(day):
        while not is_working_day(day):
            day += timedelta(days=1)
        time_of_day = time.min
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return datetime.combine(day, time_of_day, tzinfo=RIGA).astimezone(start.tzinfo)


def task_due(agreed_at: datetime, working_days: int) -> datetime:
    """When an agreed task between agencies is due: `working_days` Latvian working days after it was agreed."""
    return add_working_days(agreed_at, working_days)


def start_clocks(urgency: Urgency, kind: AgencyKind, agency_id: UUID, start: datetime) -> tuple[ClockDue, ...]:
    """The clocks a newly received referral starts for the agency that must act on it."""
    return tuple(
        ClockDue(clock=name.value, agency_id=agency_id, due_at=deadline.due(start))
        for name, deadline in deadlines(urgency, kind).items()
    )


# A person's written request about their data (GDPR Art. 12(3)): answered within one month of receipt, extendable by
# two further months with a reason. Months are calendar months counted as Regulation 1182/71 does: the period ends
# at the end of the day with the same number (the month's last day if it has none), moved to the end of the next
# working day if that day is a Saturday, Sunday or public holiday, all in Riga time.
WRITTEN_REQUEST_MONTHS = 1
WRITTEN_REQUEST_EXTENSION_MONTHS = 2


def add_calendar_months(day: date, months: int) -> date:
    """The day with the same number `months` later, or that month's last day if it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def written_request_due(received_at: datetime, extended: bool = False) -> datetime:
    """When the answer to a written request received at `received_at` is due (the end of that Riga day, in UTC);
    with `extended`, the two further months Art. 12(3) allows."""
    months = WRITTEN_REQUEST_MONTHS + (WRITTEN_REQUEST_EXTENSION_MONTHS if extended else 0)
    last = add_calendar_months(received_at.astimezone(RIGA).date(), months)
    while not is_working_day(last):
        last += timedelta(days=1)
    return datetime.combine(last + timedelta(days=1), time.min, tzinfo=RIGA).astimezone(received_at.tzinfo)
