"""Issue 24's done-when scenario on both stores: the family's team and responsible worker (need-to-know, every
view recorded), a coordinated home visit, an agreed task that goes overdue and escalates, three case-file reviews
with pre-filled answers, and the ministry's non-conformity figures with their CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from events.access import AccessRecorded
from events.team import CaseReviewed, TaskEscalated, TaskOverdue
from events.values import Decision
from hub.audit.access_report_service import InvestigationDraft
from hub.kernel.config import Settings
from hub.kernel.errors import Forbidden
from hub.service import Hub
from hub.team.domain import ReviewDraft, TaskDraft, VisitDraft
from tests.conftest import domain_events, head, known_child, log_of
from tests.page_checks import PageChecks, node_tools_missing
from tests.web import post_form, sign_in


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
    drawn = {case["subject_id"] for case in hub.team.sample(reviewer, 50, None, None, "case review")["cases"]}
    assert {str(subject) for subject in (child, *others)} <= drawn  # the reviewer's sample holds the three
    for subject in (child, *others):
        review = hub.team.review(reviewer, subject, ReviewDraft.model_validate({"answers": manual}), today)
        assert "initial.prior_residence" in review["prefilled"]
        assert "initial.response_times" in review["prefilled"]
    assert len(log_of(hub, CaseReviewed)) == 3
    left = {case["subject_id"] for case in hub.team.sample(reviewer, 50, None, None, "case review")["cases"]}
    assert not left & {str(subject) for subject in (child, *others)}  # reviewed under this catalogue
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
        "/v1/supervision/case-reviews",
        params={
            "since": today.isoformat(),
            "until": today.isoformat(),
            "municipality": "tukuma-novads",
            "format": "csv",
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {row["group"] for row in rows} == set(by_group)
    with pytest.raises(Forbidden):
        hub.supervision.case_reviews(hub.principal_for("tukums.cm"))


def test_bad_team_input_is_refused_with_a_reason_and_appends_nothing(hub: Hub, client: TestClient) -> None:
    child = involved_family(hub)
    headers = {"Authorization": f"Bearer {hub.issue_token('tukums.cm')}"}
    base = f"/v1/people/{child}"
    before = domain_events(hub)
    cases = [
        (
            client.post(
                f"{base}/team/tasks", json={"agency_code": "NAV", "title": "T", "working_days": 2}, headers=headers
            ),
            "unknown_agency",
        ),
        (
            client.post(
                f"{base}/team/tasks", json={"agency_code": "VP", "title": "T", "working_days": 0}, headers=headers
            ),
            "invalid_input",
        ),
        (client.put(f"{base}/team/worker", json={"username": "riga.cm"}, headers=headers), "unknown_worker"),
        (
            client.post(
                f"{base}/team/visits",
                json={
                    "window_from": "2026-12-08",
                    "window_to": "2026-12-07",
                    "purpose": "P",
                    "visiting_roles": ["case_manager"],
                },
                headers=headers,
            ),
            "invalid_input",
        ),
        (client.post(f"{base}/team/tasks/{uuid4()}/finish", json={"done": True}, headers=headers), "task_not_found"),
    ]
    assert [(response.status_code, response.json()["reason"]) for response, _ in cases] == [
        (422, reason) for _, reason in cases
    ]
    assert domain_events(hub) == before


def test_the_team_page_and_the_supervisors_review_page_in_both_languages(hub: Hub, client: TestClient) -> None:
    child = involved_family(hub)
    hub.team.name_worker(hub.principal_for("tukums.cm"), child, "tukums.cm")
    sign_in(client, hub, "tukums.school")
    page = client.get(f"/people/{child}/team")
    assert page.status_code == 200
    assert "Kas strādā ar šo ģimeni" in page.text
    assert "Anna Bērziņa" in page.text
    client.get("/lang/en")
    assert "Who works with this family" in client.get(f"/people/{child}/team").text
    sign_in(client, hub, "riga.cm")
    assert client.get(f"/people/{child}/team").status_code == 403

    reviewer = hub.principal_for("tukums.reviewer")
    answers = {row["criterion"]: "conforms" for row in hub.team.prefill(reviewer, child, "review")["criteria"]}
    hub.team.review(reviewer, child, ReviewDraft.model_validate({"answers": answers}))
    sign_in(client, hub, "ministry.supervisor")
    page = client.get("/supervision/case-reviews")
    assert page.status_code == 200
    assert "<svg" in page.text
    assert "Tukuma novads" in page.text
    download = client.get("/supervision/case-reviews.csv")
    assert {row["non_conformity_percent"] for row in csv.DictReader(io.StringIO(download.text))} == {"0.0"}
    assert client.get("/supervision/case-reviews", params={"since": "2026-13-01"}).status_code == 422


@pytest.mark.skipif(node_tools_missing() is not None, reason=str(node_tools_missing()))
@pytest.mark.parametrize("language", ["lv", "en"])
def test_the_team_pages_are_valid_html(hub: Hub, client: TestClient, language: str, settings: Settings) -> None:
    if settings.uses_postgres:
        pytest.skip("markup does not depend on the store")
    checks = PageChecks()
    client.cookies.set("hub_lang", language)
    child = involved_family(hub)
    lead = hub.principal_for("tukums.cm")
    hub.team.name_worker(lead, child, "tukums.cm")
    hub.team.agree_task(lead, child, TaskDraft(agency_code="TUK-SKOLA", title="Uzskaite", working_days=2))
    draft = VisitDraft(
        window_from=date(2026, 12, 7), window_to=date(2026, 12, 7), purpose="P", visiting_roles=["case_manager"]
    )
    hub.team.plan_visit(lead, child, draft)
    reviewer = hub.principal_for("tukums.reviewer")
    answers = {
        row["criterion"]: {"verdict": "does_not_conform", "remark": "Trūkst"}
        for row in hub.team.prefill(reviewer, child, "review")["criteria"]
    }
    hub.team.review(reviewer, child, ReviewDraft.model_validate({"answers": answers}))
    sign_in(client, hub, "tukums.reviewer")
    checks.documents["review"] = ("review", client.get(f"/people/{child}/case-review").text)
    sign_in(client, hub, "tukums.cm")
    checks.documents["team"] = ("team", client.get(f"/people/{child}/team").text)
    sign_in(client, hub, "ministry.supervisor")
    checks.documents["reviews"] = ("reviews", client.get("/supervision/case-reviews").text)
    checks.validate_documents()
    assert checks.findings == [], "\n".join(checks.findings)


def test_visits_and_tasks_are_planned_joined_agreed_and_finished_on_the_team_page(hub: Hub, client: TestClient) -> None:
    child = involved_family(hub)
    page = f"/people/{child}/team"
    sign_in(client, hub, "police.officer")
    visit = {
        "window_from": "2026-12-07",
        "window_to": "2026-12-08",
        "purpose": "Pārbaude",
        "visiting_role": "police_officer",
    }
    assert post_form(client, f"{page}/visits", visit).status_code == 303
    before = domain_events(hub)
    refused = post_form(client, f"{page}/visits", {**visit, "window_to": "2026-12-01"})
    assert refused.status_code == 422
    assert domain_events(hub) == before
    sign_in(client, hub, "tukums.cm")
    [planned] = hub.team.visits(hub.principal_for("tukums.cm"), child, "test")
    assert post_form(client, f"{page}/visits/{planned['visit_id']}/join").status_code == 303
    task = {"agency_code": "TUK-SKOLA", "title": "Apmeklējuma uzskaite", "working_days": "3"}
    assert post_form(client, f"{page}/tasks", task).status_code == 303
    sign_in(client, hub, "tukums.school")
    [agreed] = hub.team.tasks(hub.principal_for("tukums.school"), child, "test")
    finished = post_form(client, f"{page}/tasks/{agreed['task_id']}/finish", {"done": "true", "note": "Izdarīts"})
    assert finished.status_code == 303
    assert "Izpildīts" in client.get(page).text
    [visit_now] = hub.team.visits(hub.principal_for("tukums.cm"), child, "test")
    assert [agency["code"] for agency in visit_now["joined"]] == ["TUK-SD"]
    sign_in(client, hub, "police.officer")
    assert post_form(client, f"{page}/visits/{planned['visit_id']}/done").status_code == 303
    [made] = hub.team.visits(hub.principal_for("police.officer"), child, "test")
    assert made["status"] == "done"


def test_a_reviewer_records_a_review_on_the_page_with_the_pre_filled_answers_chosen(
    hub: Hub, client: TestClient
) -> None:
    child = involved_family(hub)
    sign_in(client, hub, "tukums.reviewer")
    form = client.get(f"/people/{child}/case-review")
    assert form.status_code == 200
    assert "aizpildīts iepriekš" in form.text
    answers = {
        f"answer.{row['criterion']}": "conforms"
        for row in hub.team.prefill(hub.principal_for("tukums.reviewer"), child, "t")["criteria"]
    }
    before = domain_events(hub)
    assert (
        post_form(client, f"/people/{child}/case-review", {**answers, "answer.forms.used": "maybe"}).status_code == 422
    )
    assert domain_events(hub) == before
    assert post_form(client, f"/people/{child}/case-review", answers).status_code == 303
    assert len(log_of(hub, CaseReviewed)) == 1
    sign_in(client, hub, "tukums.cm")
    assert client.get(f"/people/{child}/case-review").status_code == 403
