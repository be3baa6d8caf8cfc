"""Supervision figures per municipality (aggregates, pseudonymised): referrals and prior-residence requests."""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from datetime import date, datetime
from typing import Any
from uuid import UUID

from hub.kernel.blind_index import BlindIndex
from hub.kernel.core import Core
from hub.kernel.errors import Forbidden
from policies.case_review import catalogue, non_conformity_percent
from policies.decision import Principal
from policies.supervision import decide_supervision_read
from projections.record_requests import parse_utc_text
from projections.referrals import ReferralQueries
from projections.supervision import SupervisionQueries
from projections.team import TeamQueries
from projections.viewdb import Row

CLOSED_ANSWERED = "answered"


def hours_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 3600


def distribution(values: list[float]) -> dict[str, float | int | None]:
    """Count, median and 90th percentile (hours, one decimal); None where there is nothing to measure."""
    if not values:
        return {"count": 0, "median_hours": None, "p90_hours": None}
    p90 = values[0] if len(values) == 1 else statistics.quantiles(values, n=10, method="inclusive")[-1]
    return {"count": len(values), "median_hours": round(statistics.median(values), 1), "p90_hours": round(p90, 1)}


class SupervisionService:
    def __init__(self, core: Core, index: BlindIndex) -> None:
        self.core = core
        self.index = index
        self.queries = ReferralQueries(core.views_db)
        self.requests = SupervisionQueries(core.views_db)
        self.reviews = TeamQueries(core.views_db)

    def _authorize(self, principal: Principal, resource: str, purpose: str) -> None:
        decision = decide_supervision_read(principal)
        self.core.record_access(principal, decision, "supervision.read", f"supervision:{resource}", purpose)
        if not decision.permitted:
            raise Forbidden("access_denied", "; ".join(decision.reasons))
        self.core.wait_for_views()

    def referrals(self, principal: Principal, municipality: str | None, purpose: str) -> dict[str, Any]:
        self._authorize(principal, f"referrals:{municipality or 'all'}", purpose)
        by_municipality: dict[str, list[Row]] = {}
        for row in self.queries.for_supervision(municipality):
            by_municipality.setdefault(row["municipality"], []).append(row)
        overdue: dict[str, list[Row]] = {}
        for row in self.queries.overdue_now(municipality):
            overdue.setdefault(row["municipality"], []).append(row)
        return {
            "generated_at": self.core.now(),
            "municipalities": [
                self._figures(name, rows, overdue.get(name, [])) for name, rows in sorted(by_municipality.items())
            ],
        }

    def _figures(self, municipality: str, rows: list[Row], overdue: list[Row]) -> dict[str, Any]:
        concerns = Counter(concern for row in rows for concern in json.loads(row["concerns"]))
        return {
            "municipality": municipality,
            "referrals": len(rows),
            "by_source_kind": dict(sorted(Counter(row["referrer_kind"] for row in rows).items())),
            "by_concern": dict(sorted(concerns.items())),
            "by_status": dict(sorted(Counter(row["status"] for row in rows).items())),
            "time_to_acknowledge": distribution(
                [hours_between(row["submitted_at"], row["acknowledged_at"]) for row in rows if row["acknowledged_at"]]
            ),
            "time_to_decide": distribution(
                [hours_between(row["submitted_at"], row["decided_at"]) for row in rows if row["decided_at"]]
            ),
            "overdue_now": [
                {
                    "referral": self.index.pseudonym("referral", row["referral_id"]),
                    "clock": row["clock"],
                    "urgency": row["urgency"],
                    "due_at": row["due_at"],
                    "agency": self._agency_code(UUID(row["agency_id"])),
                }
                for row in overdue
            ],
        }

    def _agency_code(self, agency_id: UUID) -> str | None:
        row = self.core.registry_queries.agency(agency_id)
        return row["code"] if row else None

    def records(
        self,
        principal: Principal,
        now: datetime | None = None,
        purpose: str = "supervision",
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Per municipality: prior-residence requests sent and received (made within the period, when given),
        answered on time, turnaround (hours), overdue now, and the share of handed-over cases that hold
        prior-residence records."""
        self._authorize(principal, "records", purpose)
        moment = now or self.core.now()
        figures: dict[str, dict[str, Any]] = defaultdict(
            lambda: {"sent": 0, "received": 0, "answered": 0, "on_time": 0, "overdue_now": 0, "turnaround": []}
        )
        for row in self.requests.requests(since, until):
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
        for row in self.requests.accepted_cases():
            cases[row["municipality"]].append(bool(row["holds_records"]))
        return [
            _records_row(municipality, figures[municipality], cases.get(municipality, []))
            for municipality in sorted(set(figures) | set(cases))
        ]

    def case_reviews(
        self,
        principal: Principal,
        since: date | None = None,
        until: date | None = None,
        municipality: str | None = None,
        purpose: str = "supervision",
    ) -> list[dict[str, Any]]:
        """Per municipality and criterion group: the case-file reviews' non-conformity % within the period
        (answers that apply), with how many answers it rests on; counts only, no case or person."""
        self._authorize(principal, f"case-reviews:{municipality or 'all'}", purpose)
        groups = {criterion.id: criterion.group for criterion in catalogue().criteria}
        verdicts: dict[tuple[str, str], list[str]] = defaultdict(list)
        for row in self.reviews.review_answers((since or date.min).isoformat(), (until or date.max).isoformat()):
            if municipality in (None, row["municipality"]) and row["criterion"] in groups:
                verdicts[(row["municipality"], groups[row["criterion"]])].append(row["verdict"])
        order = [group for group, _, _ in catalogue().groups]
        return [
            {
                "municipality": place,
                "group": group,
                "answers": len(verdicts[(place, group)]),
                "non_conforming": verdicts[(place, group)].count("does_not_conform"),
                "non_conformity_percent": non_conformity_percent(verdicts[(place, group)]),
            }
            for place in sorted({place for place, _ in verdicts})
            for group in order
            if (place, group) in verdicts
        ]


def _records_row(municipality: str, counts: dict[str, Any], cases: list[bool]) -> dict[str, Any]:
    turnaround = distribution(counts["turnaround"])
    answered = counts["answered"]
    return {
        "municipality": municipality,
        "requests_sent": counts["sent"],
        "requests_received": counts["received"],
        "answered": answered,
        "answered_on_time_percent": round(100 * counts["on_time"] / answered, 1) if answered else None,
        "median_turnaround_hours": turnaround["median_hours"],
        "p90_turnaround_hours": turnaround["p90_hours"],
        "overdue_now": counts["overdue_now"],
        "handed_over_cases": len(cases),
        "cases_holding_prior_residence_records_percent": round(100 * sum(cases) / len(cases), 1) if cases else None,
    }
