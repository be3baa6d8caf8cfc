"""How long personal data is kept (who may erase a person's data before that: `policies/people.cedar`)."""

from __future__ import annotations

from datetime import datetime

RETENTION_VERSION = "retention/1"

# Years after the last referral about a person closed, as for children's client files; per record kind.
RETENTION_YEARS: dict[str, int] = {"referral": 10}


def retention_ends(closed_at: datetime, kind: str = "referral") -> datetime:
    years = RETENTION_YEARS[kind]
    try:
        return closed_at.replace(year=closed_at.year + years)
    except ValueError:
        return closed_at.replace(year=closed_at.year + years, day=28)
