"""The kinds of item beyond new work, on both stores: clocks due soon, a question to the referrer, a record request
answered or overdue, a consent about to expire. Each reaches only the agency the work ties to, holding the role
whose work it is — never another municipality's agency of the same kind — and the items time brings are raised
once however many rounds see them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from events.notifications import NoticeKind, NotificationRaised
from hub.referrals.domain import ReferralDraft
from hub.referrals.drafts import QuestionDraft
from hub.service import Hub
from policies.referral_actions import ReferralAction
from tests.conftest import child_referral, log_of, moved_child
from tests.test_consent_and_disclosure import consent_body
from tests.test_prior_residence import ok
from tests.test_record_requests import RELEASE, answer, ask

Auth = Callable[[str], dict[str, str]]
SOCIAL_SERVICES = ("tukums.cm", "tukums.intake", "daugavpils.cm", "riga.cm")


def kinds_of(hub: Hub, username: str) -> list[tuple[str, bool]]:
    """The user's items as (kind, urgent), oldest first."""
    items = hub.notifications.items(hub.principal_for(username))
    return [(item["kind"], item["urgent"]) for item in reversed(items)]


def only(hub: Hub, kind: NoticeKind) -> dict[str, list[tuple[str, bool]]]:
    """Who holds an item of `kind`, among the demo users of every agency that could plausibly get one."""
    users = (*SOCIAL_SERVICES, "tukums.head", "tukums.school", "daugavpils.school", "riga.school", "tukums.bt")
    found = {user: [item for item in kinds_of(hub, user) if item[0] == kind.value] for user in users}
    return {user: items for user, items in found.items() if items}


def submit(hub: Hub, urgency: str) -> UUID:
    draft = ReferralDraft.model_validate(child_referral(urgency=urgency))
    return UUID(hub.referrals.submit(hub.principal_for("tukums.school"), draft)["id"])


def clock_of(hub: Hub, referral: UUID, name: str) -> tuple[datetime, datetime]:
    """When a referral's clock started and is due."""
    hub.wait_for_views()
    [row] = [row for row in hub.referrals.queries.clocks([str(referral)])[str(referral)] if row["clock"] == name]
    return datetime.fromisoformat(row["started_at"]), datetime.fromisoformat(row["due_at"])


def test_an_acknowledgement_due_soon_is_the_lead_intake_officers_in_its_second_half_and_raised_once(hub: Hub) -> None:
    referral = submit(hub, "immediate")
    hub.notifications.work_round()
    assert only(hub, NoticeKind.ACKNOWLEDGEMENT_DUE_SOON) == {}, "not while the clock is young"
    started, due = clock_of(hub, referral, "acknowledge")
    hub.clock = lambda: started + (due - started) * 0.75
    hub.notifications.work_round()
    hub.notifications.work_round()
    assert only(hub, NoticeKind.ACKNOWLEDGEMENT_DUE_SOON) == {"tukums.intake": [("acknowledgement_due_soon", True)]}
    assert only(hub, NoticeKind.DECISION_DUE_SOON) == {}, "the day-long decision clock is in its first half"
    counters = hub.notifications.counters(hub.principal_for("tukums.intake"))
    assert (counters["due_soon"], counters["new"]) == (1, 1)
    for other in ("daugavpils.cm", "riga.cm", "tukums.school"):
        assert hub.notifications.counters(hub.principal_for(other))["due_soon"] == 0


def test_a_decision_due_soon_on_its_last_working_day_is_the_lead_case_managers(hub: Hub) -> None:
    referral = submit(hub, "routine")
    _, due = clock_of(hub, referral, "decide")
    hub.clock = lambda: due - timedelta(hours=2)
    for _ in range(2):
        hub.notifications.work_round()
    assert only(hub, NoticeKind.DECISION_DUE_SOON) == {"tukums.cm": [("decision_due_soon", False)]}
    assert only(hub, NoticeKind.ACKNOWLEDGEMENT_DUE_SOON) == {}, "the acknowledgement clock ran out long before"
    raised = [item for item in log_of(hub, NotificationRaised) if item.kind is NoticeKind.DECISION_DUE_SOON]
    [due_soon] = raised
    assert due_soon.source_event_id is None
    fresh_start, _ = clock_of(hub, submit(hub, "routine"), "decide")
    hub.clock = lambda: fresh_start + timedelta(hours=1)
    hub.notifications.work_round()
    assert len(only(hub, NoticeKind.DECISION_DUE_SOON)["tukums.cm"]) == 1, "ten working days away is not soon"


def test_a_question_to_the_referrer_is_the_referring_schools_and_no_other_schools(hub: Hub) -> None:
    referral = submit(hub, "routine")
    hub.referral_workflow.act(hub.principal_for("tukums.intake"), referral, ReferralAction.ACKNOWLEDGE)
    question = QuestionDraft(question="Kad bērns pēdējo reizi bija skolā?")
    hub.referral_workflow.act(hub.principal_for("tukums.cm"), referral, ReferralAction.REQUEST_INFORMATION, question)
    hub.notifications.work_round()
    assert only(hub, NoticeKind.QUESTION_TO_REFERRER) == {"tukums.school": [("question_to_referrer", False)]}
    [item] = [row for row in hub.notifications.items(hub.principal_for("tukums.school"))]
    assert item["reference"] == str(referral)


def test_a_record_request_answered_is_the_requesters_case_managers_and_overdue_both_sides(
    hub: Hub, client: TestClient, auth: Auth
) -> None:
    child = moved_child(hub)["subject_id"]
    answered = ask(client, auth, child, categories=["assessment"])
    ok(answer(client, auth, answered["id"], {"category": "assessment", **RELEASE}))
    late = ask(client, auth, child, categories=["services"])
    hub.notifications.work_round()
    assert only(hub, NoticeKind.RECORD_REQUEST_ANSWERED) == {"daugavpils.cm": [("record_request_answered", False)]}
    assert only(hub, NoticeKind.RECORD_REQUEST_OVERDUE) == {}
    due = datetime.fromisoformat(hub.records.queries.envelope(UUID(late["id"]))["due_at"])
    hub.clock = lambda: due + timedelta(hours=1)
    hub.run_due_work()
    hub.notifications.work_round()
    overdue = ("record_request_overdue", False)
    assert only(hub, NoticeKind.RECORD_REQUEST_OVERDUE) == {"tukums.cm": [overdue], "daugavpils.cm": [overdue]}
    references = {
        row["reference"]
        for row in hub.notifications.items(hub.principal_for("daugavpils.cm"))
        if row["kind"] == NoticeKind.RECORD_REQUEST_OVERDUE
    }
    assert references == {late["id"]}
    assert hub.notifications.counters(hub.principal_for("riga.cm"))["unread"] == 0


def test_a_consent_about_to_expire_is_the_recording_services_not_the_other_service_leading_a_case(
    hub: Hub, client: TestClient, auth: Auth
) -> None:
    child = moved_child(hub)["subject_id"]
    now = hub.now()
    soon: dict[str, Any] = consent_body(child, valid_until=(now + timedelta(days=3)).isoformat())
    later: dict[str, Any] = consent_body(child, valid_until=(now + timedelta(days=90)).isoformat())
    expiring = ok(client.post("/v1/consents", json=soon, headers=auth("tukums.cm")), 201)
    ok(client.post("/v1/consents", json=later, headers=auth("tukums.cm")), 201)
    hub.notifications.work_round()
    hub.notifications.work_round()
    assert only(hub, NoticeKind.CONSENT_EXPIRING) == {"tukums.cm": [("consent_expiring", False)]}
    [item] = [
        row
        for row in hub.notifications.items(hub.principal_for("tukums.cm"))
        if row["kind"] == NoticeKind.CONSENT_EXPIRING
    ]
    assert item["reference"] == expiring["id"]
    assert hub.notifications.counters(hub.principal_for("tukums.cm"))["due_soon"] == 1
    assert hub.notifications.counters(hub.principal_for("daugavpils.cm"))["due_soon"] == 0
