"""Dates, times and numbers as each language writes them (babel): Latvian with four-digit years and a decimal
comma, English in the British style (day before month, 24-hour clock), never the US style. Times are in Riga."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

RIGA = ZoneInfo("Europe/Riga")
# The babel locale of each page language.
LOCALES = {"lv": "lv_LV", "en": "en_GB"}
DATE_PATTERNS = {"lv": "dd.MM.yyyy", "en": "d MMM yyyy"}
DATETIME_PATTERNS = {"lv": "dd.MM.yyyy HH:mm", "en": "d MMM yyyy, HH:mm"}


def moment_text(value: datetime | str | None, language: str) -> str:
    """A point in time in Riga, e.g. `02.12.2026 18:33` (lv) or `2 Dec 2026, 18:33` (en); '' for none."""
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return format_datetime(moment, DATETIME_PATTERNS[language], tzinfo=RIGA, locale=LOCALES[language])


def day_text(value: date | datetime | str | None, language: str) -> str:
    """A calendar date, e.g. `12.04.2015` (lv) or `12 Apr 2015` (en); text that is not a date is shown as is."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            return value
    else:
        day = value.astimezone(RIGA).date() if isinstance(value, datetime) else value
    return format_date(day, DATE_PATTERNS[language], locale=LOCALES[language])


def number_text(value: float | int | None, language: str, digits: int = 1) -> str:
    """A number with the language's decimal sign and grouping, at most `digits` decimals; '—' for none."""
    if value is None:
        return "—"
    return format_decimal(value, format=f"#,##0.{'#' * digits}", locale=LOCALES[language])


def reference_text(identifier: object) -> str:
    """The short reference people quote for a referral or request: the first eight characters of its id."""
    return str(identifier)[:8].upper()
