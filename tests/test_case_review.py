"""The case-file review on both stores: response times pre-filled from the referral clocks with their reasons,
remarks per answer (shown to the reviewing service, never in the ministry's figures), and the reviewer's repeatable
sample of cases; need-to-know and recorded reads throughout, another municipality's social service refused."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from events.access import AccessRecorded
from events.team import CaseReviewed
from events.values import Decision
from hub.kernel.errors import Forbidden
from hub.service import Hub
from hub.team.domain import ReviewDraft, TaskDraft
from projections.viewdb import SQLiteViewDatabase
from tests.conftest import domain_events, known_child, log_of
from tests.web import post_form, sign_in


def bearer(hub: Hub, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {hub.issue_token(user)}"}


def prefilled(hub: Hub, subject: UUID) -> dict[str, dict[str, Any]]:
    document = hub.team.prefill(hub.principal_for("tukums.reviewer"), subject, "case review")
    return {row["criterion"]: row for row in document["criteria"]}


def every_answer(hub: Hub, subject: UUID) -> dict[str, Any]:
    return {criterion: "conforms" for criterion in prefilled(hub, subject)}


def test_response_times_are_pre_filled_from_the_referral_clocks_and_say_why(hub: Hub, client: TestClient) -> None:
    prompt, late = known_child(hub), known_child(hub)
    steps = (("tukums.intake", "acknowledge", None), ("tukums.head", "assign", {"worker": "tukums.cm"}),
             ("tukums.cm", "accept", None))  # fmt: skip
    for user, action, body in steps:  # acknowledged and decided at once
        answer = client.post(f"/v1/referrals/{prompt['referral_id']}/{action}", json=body, headers=bearer(hub, user))
        assert answer.status_code == 200, answer.text
    hub.referral_workflow.tick(hub.now() + timedelta(days=20))  # the other one's clocks run out

    on_time = prefilled(hub, UUID(prompt["subject_id"]))["initial.response_times"]
    assert on_time["prefilled"] == "conforms"
    assert on_time["reason"]["code"] == "responses.on_time"
    overdue = prefilled(hub, UUID(late["subject_id"]))["initial.response_times"]
    assert overdue["prefilled"] == "does_not_conform"
    assert overdue["reason"]["code"] == "responses.late"
    assert overdue["reason"]["lv"].startswith("Vismaz viena atbilde")
    assert "time limit" in overdue["reason"]["en"]
    fresh = prefilled(hub, UUID(known_child(hub)["subject_id"]))
    assert fresh["initial.response_times"]["prefilled"] == "not_applicable"
    assert fresh["initial.response_times"]["reason"]["code"] == "responses.running"  # its clocks still run
    assert fresh["initial.prior_residence"]["reason"]["code"] == "prior_residence.not_asked"
    assert fresh["initial.assessment_done"]["reason"] is None  # the reviewer's own judgement


def test_remarks_are_kept_per_answer_shown_to_the_service_and_never_in_the_figures(
    hub: Hub, client: TestClient
) -> None:
    child = UUID(known_child(hub)["subject_id"])
    answers = every_answer(hub, child)
    remark = "Sadarbības plānā nav skolas"
    answers["plan.cooperation"] = {"verdict": "does_not_conform", "remark": remark}
    answers["forms.used"] = {"verdict": "conforms", "remark": "Veidlapas lietotas"}
    del answers["initial.prior_residence"]  # left to the hub
    before = domain_events(hub)
    refused = client.post(
        f"/v1/people/{child}/case-review",
        json={"answers": {**answers, "plan.cooperation": "does_not_conform"}},
        headers=bearer(hub, "tukums.reviewer"),
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["reason"] == "remark_required"
    too_long = {**answers, "forms.used": {"verdict": "conforms", "remark": "x" * 501}}
    assert (
        client.post(
            f"/v1/people/{child}/case-review", json={"answers": too_long}, headers=bearer(hub, "tukums.reviewer")
        ).status_code
        == 422
    )
    assert domain_events(hub) == before

    recorded = client.post(
        f"/v1/people/{child}/case-review", json={"answers": answers}, headers=bearer(hub, "tukums.reviewer")
    )
    assert recorded.status_code == 201, recorded.text
    by_criterion = {answer["criterion"]: answer for answer in recorded.json()["answers"]}
    assert by_criterion["plan.cooperation"]["remark"] == remark
    assert by_criterion["initial.prior_residence"]["prefilled"] is True
    assert by_criterion["initial.prior_residence"]["reason"]["code"] == "prior_residence.not_asked"

    listed = client.get(f"/v1/people/{child}/case-reviews", headers=bearer(hub, "tukums.reviewer"))
    assert listed.status_code == 200
    [review] = listed.json()
    assert {answer["criterion"]: answer["remark"] for answer in review["answers"]}["plan.cooperation"] == remark
    reads = [event for event in log_of(hub, AccessRecorded) if event.action == "case_review.read"]
    assert [event.decision for event in reads] == [Decision.PERMIT]
    for stranger in ("riga.cm", "tukums.cm"):  # another municipality's social service; a worker, not the reviewer
        with pytest.raises(Forbidden):
            hub.team.reviews(hub.principal_for(stranger), child, "curiosity")
    assert {event.actor.user_id for event in log_of(hub, AccessRecorded) if event.decision is Decision.DENY} >= {
        "riga.cm",
        "tukums.cm",
    }

    figures = client.get(
        "/v1/supervision/case-reviews", params={"format": "csv"}, headers=bearer(hub, "ministry.supervisor")
    )
    assert figures.status_code == 200
    assert remark not in figures.text
    assert "Veidlapas" not in figures.text
    assert remark not in str(hub.supervision.case_reviews(hub.principal_for("ministry.supervisor")))


def test_the_reviewer_draws_a_repeatable_sample_of_her_services_cases_not_yet_reviewed(
    hub: Hub, client: TestClient
) -> None:
    ours = {known_child(hub)["subject_id"] for _ in range(4)}
    theirs = known_child(hub, referrer="riga.school", municipality="riga")["subject_id"]
    reviewer = hub.principal_for("tukums.reviewer")
    everything = hub.team.sample(reviewer, 50, None, None, "case review")
    drawn = {case["subject_id"] for case in everything["cases"]}
    assert ours <= drawn
    assert theirs not in drawn  # another municipality's case is not the Tukums service's to review
    assert everything["candidates"] == len(drawn)
    two = hub.team.sample(reviewer, 2, None, None, "case review")
    assert len(two["cases"]) == 2
    assert two == hub.team.sample(reviewer, 2, None, None, "case review")
    recorded = [event for event in log_of(hub, AccessRecorded) if event.action == "case_review.sample"]
    assert {str(subject) for subject in recorded[-1].subjects} == {case["subject_id"] for case in two["cases"]}

    reviewed = UUID(two["cases"][0]["subject_id"])
    hub.team.review(reviewer, reviewed, ReviewDraft.model_validate({"answers": every_answer(hub, reviewed)}))
    after = hub.team.sample(reviewer, 50, None, None, "case review")
    assert str(reviewed) not in {case["subject_id"] for case in after["cases"]}
    assert after["candidates"] == everything["candidates"] - 1

    today = hub.now().date()
    earlier = hub.team.sample(reviewer, 50, None, today - timedelta(days=1), "case review")  # before they came
    assert not ours & {case["subject_id"] for case in earlier["cases"]}
    assert ours - {str(reviewed)} <= {
        case["subject_id"] for case in hub.team.sample(reviewer, 50, today, today, "r")["cases"]
    }
    for stranger in ("riga.cm", "tukums.cm", "ministry.supervisor"):
        with pytest.raises(Forbidden):
            hub.team.sample(hub.principal_for(stranger), 5, None, None, "curiosity")

    api = client.get("/v1/case-reviews/sample", params={"size": 3}, headers=bearer(hub, "tukums.reviewer"))
    assert api.status_code == 200
    assert len(api.json()["cases"]) == 3
    assert (
        client.get("/v1/case-reviews/sample", params={"size": 0}, headers=bearer(hub, "tukums.reviewer")).status_code
        == 422
    )
    assert client.get("/v1/case-reviews/sample", headers=bearer(hub, "daugavpils.cm")).status_code == 403

    sign_in(client, hub, "tukums.reviewer")
    page = client.get("/case-reviews/sample", params={"size": 3})
    assert page.status_code == 200
    assert "Novērtējamās lietas" in page.text
    assert page.text.count('/case-review">') == 3


def test_tasks_are_accepted_reported_and_finished_and_reviews_recorded_with_remarks_on_the_pages(
    hub: Hub, client: TestClient
) -> None:
    child = UUID(known_child(hub)["subject_id"])
    hub.team.agree_task(
        hub.principal_for("tukums.cm"),
        child,
        TaskDraft(agency_code="TUK-SKOLA", title="Apmeklējuma uzskaite", working_days=3),
    )
    team = f"/people/{child}/team"
    school = hub.principal_for("tukums.school")
    [task] = hub.team.tasks(school, child, "test")
    sign_in(client, hub, "tukums.school")
    assert "Pieņemt uzdevumu" in client.get(team).text
    assert post_form(client, f"{team}/tasks/{task['task_id']}/accept").status_code == 303
    before = domain_events(hub)
    assert post_form(client, f"{team}/tasks/{task['task_id']}/report", {"note": "x" * 2001}).status_code == 422
    assert domain_events(hub) == before
    assert post_form(client, f"{team}/tasks/{task['task_id']}/report", {"note": "Apmeklē skolu"}).status_code == 303
    page = client.get(team).text
    assert "Apmeklē skolu" in page
    assert "Pieņemt uzdevumu" not in page
    [accepted] = hub.team.tasks(school, child, "test")
    assert (accepted["status"], accepted["notes"]) == ("accepted", ["Apmeklē skolu"])
    sign_in(client, hub, "police.officer")  # not the assigned agency: refused
    assert post_form(client, f"{team}/tasks/{task['task_id']}/accept").status_code in (403, 409)

    sign_in(client, hub, "tukums.reviewer")
    form = client.get(f"/people/{child}/case-review").text
    assert "Kāpēc centrs to izvēlējās" in form
    assert "Informācija no iepriekšējās dzīvesvietas nav pieprasīta." in form
    fields = {f"answer.{criterion}": row["prefilled"] or "conforms" for criterion, row in prefilled(hub, child).items()}
    missing_remark = {**fields, "answer.forms.used": "does_not_conform"}
    failed = post_form(client, f"/people/{child}/case-review", missing_remark)
    assert failed.status_code == 422
    assert "Uzrakstiet, kas neatbilst." in failed.text
    done = post_form(
        client,
        f"/people/{child}/case-review",
        {**missing_remark, "remark.forms.used": "Nav vienotās veidlapas"},
    )
    assert done.status_code == 303
    [review] = log_of(hub, CaseReviewed)
    answers = {answer.criterion: answer for answer in review.answers}
    assert answers["forms.used"].remark == "Nav vienotās veidlapas"
    assert answers["initial.prior_residence"].prefilled  # left as the hub chose it
    shown = client.get(f"/people/{child}/case-review").text
    assert "Nav vienotās veidlapas" in shown
    assert "Reģistrētie novērtējumi" in shown


def test_the_filter_forms_take_an_empty_day_as_an_open_end(hub: Hub, client: TestClient) -> None:
    sign_in(client, hub, "ministry.supervisor")
    page = client.get("/supervision/case-reviews", params={"since": "", "until": ""})
    assert page.status_code == 200
    assert client.get("/supervision/case-reviews.csv?since=&until=").status_code == 200
    assert client.get("/supervision/case-reviews", params={"since": "2026-13-01"}).status_code == 422
    sign_in(client, hub, "tukums.reviewer")
    assert client.get("/case-reviews/sample", params={"since": "", "until": "", "size": "2"}).status_code == 200
    assert client.get("/case-reviews/sample", params={"until": "2026-02-30"}).status_code == 422


def test_another_municipalitys_reviewer_neither_samples_nor_reviews_nor_reads_a_tukums_case(hub: Hub) -> None:
    """The same role in another municipality's social service: the Tukums child is not hers to review."""
    child = UUID(known_child(hub)["subject_id"])
    hub.team.review(
        hub.principal_for("tukums.reviewer"), child, ReviewDraft.model_validate({"answers": every_answer(hub, child)})
    )
    hub.registry.register_user("daugavpils.reviewer", "Test Reviewer", "DAU-SD", ["case_reviewer"])
    hub.wait_for_views()
    stranger = hub.principal_for("daugavpils.reviewer")
    assert str(child) not in {case["subject_id"] for case in hub.team.sample(stranger, 50, None, None, "r")["cases"]}
    before = domain_events(hub)
    with pytest.raises(Forbidden):
        hub.team.prefill(stranger, child, "curiosity")
    with pytest.raises(Forbidden):
        hub.team.reviews(stranger, child, "curiosity")
    with pytest.raises(Forbidden):
        hub.team.review(stranger, child, ReviewDraft.model_validate({"answers": every_answer(hub, child)}))
    assert domain_events(hub) == before
    refusals = [
        event
        for event in log_of(hub, AccessRecorded)
        if event.actor.user_id == "daugavpils.reviewer" and event.decision is Decision.DENY
    ]
    assert {event.action for event in refusals} >= {"case_review.prefill", "case_review.read", "case_review.record"}


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_the_sample_and_the_pre_fill_scan_no_growing_table(hub: Hub) -> None:
    assert isinstance(hub.views_db, SQLiteViewDatabase)
    child = UUID(known_child(hub)["subject_id"])
    reviewer = hub.principal_for("tukums.reviewer")
    hub.wait_for_views()
    statements: list[str] = []
    for connection in hub.views_db._all:
        connection.set_trace_callback(statements.append)
    hub.team.sample(reviewer, 5, None, None, "bench")
    hub.team.prefill(reviewer, child, "bench")
    hub.team.reviews(reviewer, child, "bench")
    for connection in hub.views_db._all:
        connection.set_trace_callback(None)
    team_reads = [
        sql
        for sql in statements
        if sql.lstrip().upper().startswith("SELECT")
        and any(table in sql for table in ("view_case_reviews", "view_referral", "view_record_request"))
    ]
    assert team_reads
    with sqlite3.connect(hub.settings.views_sqlite_path) as probe:
        for sql in team_reads:
            steps = [row[3] for row in probe.execute(f"EXPLAIN QUERY PLAN {sql}")]
            assert [step for step in steps if step.startswith("SCAN")] == [], (sql, steps)
