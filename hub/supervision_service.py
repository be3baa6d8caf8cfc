"""The ministry's supervision figures per municipality: timeliness of prior-residence requests (aggregates only)."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from datetime import datetime
from typing import Any

from eventsourcing.domain import datetime_now_with_tzinfo

from hub.core import Core
from hub.domain.errors import Forbidden
from policies import roles
from policies.decision import Principal
from projections.record_requests import parse_utc_text
from projections.supervision import SupervisionQueries

CLOSED_ANSWERED = "answered"


def _percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (None without data)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return round(ordered[rank - 1], 1)


class SupervisionService:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.queries = SupervisionQueries(core.views_db)

    def records(self, principal: Principal, now: datetime | None = None) -> list[dict[str, Any]]:
        """Per municipality: sent, received, answered on time, turnaround (hours), overdue now, cases informed."""
        if not roles.may_supervise(principal.roles, principal.agency_kind):
            raise Forbidden("supervisors_only", "supervision figures are for the ministry's supervisors")
        moment = now or datetime_now_with_tzinfo()
        self.core.follower.catch_up()
        figures: dict[str, dict[str, Any]] = defaultdict(
            lambda: {"sent": 0, "received": 0, "answered": 0, "on_time": 0, "overdue_now": 0, "turnaround": []}
        )
        for row in self.queries.requests():
            figures[row["requester_municipality"]]["sent"] += 1
            received = figures[row["responder_municipality"]]
            received["received"] += 1
            due = parse_utc_text(row["due_at"])
            if row["status"] == CLOSED_ANSWERED:
                answered = parse_utc_text(row["answered_at"])
                received["answered"] += 1
                received["on_time"] += answered <= due
                received["turnaround"].append((answered - parse_utc_text(row["created_at"])).total_seconds() / 3600)
            elif row["status"] in ("open", "acknowledged") and moment > due:
                received["overdue_now"] += 1
        cases: dict[str, list[bool]] = defaultdict(list)
        for row in self.queries.accepted_cases():
            cases[row["municipality"]].append(bool(row["holds_records"]))
        return [
            self._row(municipality, figures[municipality], cases.get(municipality, []))
            for municipality in sorted(set(figures) | set(cases))
        ]

    @staticmethod
    def _row(municipality: str, counts: dict[str, Any], cases: list[bool]) -> dict[str, Any]:
        turnaround: list[float] = counts["turnaround"]
        return {
            "municipality": municipality,
            "requests_sent": counts["sent"],
            "requests_received": counts["received"],
            "answered": counts["answered"],
            "answered_on_time_percent": round(100 * counts["on_time"] / counts["answered"], 1)
            if counts["answered"]
            else None,
            "median_turnaround_hours": round(statistics.median(turnaround), 1) if turnaround else None,
            "p90_turnaround_hours": _percentile(turnaround, 0.9),
            "overdue_now": counts["overdue_now"],
            "handed_over_cases": len(cases),
            "cases_holding_prior_residence_records_percent": round(100 * sum(cases) / len(cases), 1) if cases else None,
        }
