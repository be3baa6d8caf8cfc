"""Issue 24's done-when scenario on both stores: the family's team and responsible worker (need-to-know, every
view recorded), a coordinated home visit, an agreed task that goes overdue and escalates, three case-file reviews
with pre-filled answers, and the ministry's non-conformity figures with their CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from events.access import AccessRecorded
from events.team import CaseReviewed, TaskEscalated, TaskOverdue
from events.values import Decision
from hub.audit.access_report_service import InvestigationDraft
from hub.kernel.errors import Forbidden
from hub.service import Hub
from hub.team.domain import ReviewDraft, TaskDraft, VisitDraft
from tests.conftest import domain_events, head, known_child, log_of


def involved_family(hub: Hub) -> UUID:
    """A child referred by the Tukums school (the social service leads), with an open police investigation."""
    child = UUID(known_child(hub)["subject_id"])
    police = hub.principal_for("police.officer")
    hub.access_reports.open_investigation(police, InvestigationDraft(subjects=[child], reference="VP-2026-17"))
    return child


def test_the_team_visits_tasks_reviews_and_the_supervisors_figures(hub: Hub, client: TestClient) -> None:
    child = involved_family(hub)
    lead = hub.principal_for("tukums.cm")
    hub.team.name_worker(lead, child, "tukums.cm")

    for username in ("tukums.cm", "tukums.school", "police.officer"):
        team = hub.team.team(hub.principal_for(username), child, "coordination")
        assert team["responsible_worker"]["display_name"] == "Anna Bērziņa"
        codes = {member["agency"]["code"] for member in team["agencies"]}
        assert {"TUK-SD", "TUK-SKOLA", "VP"} <= codes
    views = [event for event in log_of(hub, AccessRecorded) if event.action == "team.read"]
    assert len(views) == 3
    assert all(event.decision is Decision.PERMIT for event in views)

    before = domain_events(hub)
    for stranger in ("riga.cm", "daugavpils.school"):  # another municipality's agency of the same kind
        with pytest.raises(Forbidden):
            hub.team.team(hub.principal_for(stranger), child, "curiosity")
    refusals = [event for event in log_of(hub, AccessRecorded) if event.decision is Decision.DENY]
    assert {event.actor.user_id for event in refusals} >= {"riga.cm", "daugavpils.school"}
    assert domain_events(hub) == before
    report = hub.access_reports.report(lead, child, "access report")
    assert report["responsible_worker"] == "Anna Bērziņa"

    today = date(2026, 12, 7)
    police = hub.principal_for("police.officer")
    visit = hub.team.plan_visit(
        police,
        child,
        VisitDraft(window_from=today, window_to=today, purpose="Pārbaude", visiting_roles=["police_officer"]),
    )
    assert visit["warnings"] == []
    own = hub.team.plan_visit(
        lead,
        child,
        VisitDraft(
            window_from=today + timedelta(days=2),
            window_to=today + timedelta(days=3),
            purpose="Apsekošana",
            visiting_roles=["case_manager"],
        ),
    )
    assert [warning["agency"]["code"] for warning in own["warnings"]] == ["VP"]
    assert "purpose" not in own["warnings"][0]  # when and which agency, not notes
    hub.team.act_on_visit(lead, child, UUID(own["visit_id"]), "cancel")
    joined = hub.team.act_on_visit(lead, child, UUID(visit["visit_id"]), "join")
    assert [agency["code"] for agency in joined["joined"]] == ["TUK-SD"]
    seen_by_school = hub.team.visits(hub.principal_for("tukums.school"), child, "coordination")
    assert all("purpose" not in row and "findings" not in row for row in seen_by_school)

    task = hub.team.agree_task(
        lead, child, TaskDraft(agency_code="TUK-SKOLA", title="Apmeklējuma uzskaite", working_days=2)
    )
    school = hub.principal_for("tukums.school")
    hub.team.act_on_task(school, child, UUID(task["task_id"]), "accept")
    with pytest.raises(Forbidden):
        hub.team.act_on_task(police, child, UUID(task["task_id"]), "accept")
    mark = head(hub)
    assert hub.team.tick(hub.now() + timedelta(days=10)) == 2
    assert len(log_of(hub, TaskOverdue, mark)) == 1
    [escalated] = log_of(hub, TaskEscalated, mark)
    assert escalated.to_role == "head_of_service"
    assert hub.team.tick(hub.now() + timedelta(days=11)) == 0

    reviewer = hub.principal_for("tukums.reviewer")
    prefill = hub.team.prefill(reviewer, child, "case review")
    prefilled = {row["criterion"]: row["prefilled"] for row in prefill["criteria"]}
    assert prefilled["plan.tasks_on_time"] == "does_not_conform"
    assert prefilled["plan.cooperation"] == "conforms"
    manual = {criterion: "conforms" for criterion, value in prefilled.items() if value is None}
    others = [UUID(known_child(hub)["subject_id"]) for _ in range(2)]
    for subject in (child, *others):
        review = hub.team.review(reviewer, subject, ReviewDraft.model_validate({"answers": manual}), today)
        assert "initial.prior_residence" in review["prefilled"]
    assert len(log_of(hub, CaseReviewed)) == 3
    with pytest.raises(Forbidden):
        hub.team.review(hub.principal_for("tukums.cm"), child, ReviewDraft.model_validate({"answers": manual}))

    supervisor = hub.principal_for("ministry.supervisor")
    figures = hub.supervision.case_reviews(supervisor, today, today, "tukuma-novads")
    by_group = {row["group"]: row for row in figures}
    assert by_group["initial_assessment"]["non_conformity_percent"] == 50.0  # no prior-residence info asked
    assert by_group["plan_implementation"]["answers"] == 6
    assert by_group["formatting_storage"]["non_conformity_percent"] == 0.0
    assert all(str(child) not in str(row) for row in figures)
    token = hub.issue_token("ministry.supervisor")
    exported = client.get(
        "/v1/supervision/case-reviews.csv",
        params={"since": today.isoformat(), "until": today.isoformat(), "municipality": "tukuma-novads"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {row["group"] for row in rows} == set(by_group)
    with pytest.raises(Forbidden):
        hub.supervision.case_reviews(hub.principal_for("tukums.cm"))
