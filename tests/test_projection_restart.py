"""Projections resume exactly once after a crash and can be rebuilt from the log."""

from typing import Any, ClassVar
from uuid import UUID

import pytest

from events.referrals import ReferralSubmitted
from events.values import Role
from hub.kernel.config import Settings
from hub.referrals.domain import ReferralDraft
from hub.referrals.drafts import RedirectDraft
from hub.registry.demo import seed_demo
from hub.service import Hub
from policies.access import Principal
from policies.referral_actions import ReferralAction
from projections.follower import Follower, View
from projections.viewdb import Cursor, Row
from tests.conftest import child_referral, distinct_child_referral


class Crash(Exception):
    pass


class CountingView(View):
    """Counts how often each referral event is applied; can crash on a chosen event."""

    name = "counting"
    schema: ClassVar[dict[str, str]] = {
        "view_counting": "CREATE TABLE IF NOT EXISTS view_counting (notification_id BIGINT NOT NULL)"
    }
    handles = (ReferralSubmitted,)

    def __init__(self, crash_at: int | None = None) -> None:
        self.crash_at = crash_at

    def apply(self, cursor: Cursor, event: Any, notification_id: int) -> None:
        cursor.execute("INSERT INTO view_counting (notification_id) VALUES (?)", (notification_id,))
        if notification_id == self.crash_at:
            raise Crash


def principal(hub: Hub) -> Principal:
    return hub.authenticate(hub.issue_token("tukums.school"))


def test_a_crash_midway_rolls_back_the_batch_and_a_restart_applies_each_event_once(hub: Hub) -> None:
    school = principal(hub)
    draft = ReferralDraft.model_validate(child_referral())
    for _ in range(12):
        hub.referrals.submit(school, draft)
    referral_ids = [
        n.id for n in hub.app.recorder.select_notifications(1, 10_000) if n.topic.endswith("ReferralSubmitted")
    ]
    crashing = Follower(
        hub.app.recorder, hub.app.event_mapper, hub.views_db, [CountingView(crash_at=referral_ids[7])], batch_size=5
    )
    with pytest.raises(Crash):
        crashing.catch_up()
    assert 0 < crashing.position("counting") < referral_ids[7]

    restarted = Follower(hub.app.recorder, hub.app.event_mapper, hub.views_db, [CountingView()], batch_size=5)
    restarted.catch_up()
    for _ in range(3):
        hub.referrals.submit(school, draft)
    restarted.catch_up()
    rows = hub.views_db.query("SELECT notification_id, COUNT(*) AS n FROM view_counting GROUP BY notification_id")
    assert len(rows) == 15
    assert {row["n"] for row in rows} == {1}


def test_rebuild_reproduces_the_inbox(hub: Hub) -> None:
    school = principal(hub)
    hub.referrals.submit(school, ReferralDraft.model_validate(child_referral()))
    hub.follower.catch_up()
    intake = hub.authenticate(hub.issue_token("tukums.intake"))
    assert intake.roles == frozenset({Role.INTAKE_OFFICER})
    before = hub.referrals.queries.incoming(intake.agency_id, 50, None)
    hub.follower.rebuild(hub.referral_view)
    assert hub.referrals.queries.incoming(intake.agency_id, 50, None) == before


def test_a_view_whose_schema_changed_is_rebuilt_on_start(settings: Settings) -> None:
    hub = Hub(settings)
    try:
        seed_demo(hub)
        hub.referrals.submit(principal(hub), ReferralDraft.model_validate(child_referral()))
        hub.follower.catch_up()
        with hub.views_db.transaction() as cursor:
            cursor.execute("UPDATE view_schemas SET schema_hash = 'older' WHERE view_name = 'referrals'")
            cursor.execute("DELETE FROM view_referral_recipients")
    finally:
        hub.close()
    reopened = Hub(settings)
    try:
        reopened.follower.catch_up()
        intake = reopened.authenticate(reopened.issue_token("tukums.intake"))
        assert len(reopened.referrals.queries.incoming(intake.agency_id, 10, None)) == 1
    finally:
        reopened.close()


def test_two_followers_of_the_same_views_take_turns_without_errors(hub: Hub) -> None:
    school = principal(hub)
    other = Hub(hub.settings)  # the API and a projections worker, say
    try:
        for number in range(3):
            for submitter, reader in ((hub, other), (other, hub)):
                draft = ReferralDraft.model_validate(child_referral(summary=f"{number}: {submitter is hub}"))
                submitter.referrals.submit(principal(submitter), draft)
                reader.follower.catch_up()
        hub.follower.catch_up()
        intake = hub.authenticate(hub.issue_token("tukums.intake"))
        assert len(hub.referrals.queries.incoming(intake.agency_id, 50, None)) == 6
        assert school.agency_id == principal(other).agency_id
    finally:
        other.close()


def referral_tables(hub: Hub) -> dict[str, list[Row]]:
    return {
        table: sorted(hub.views_db.query(f"SELECT * FROM {table}"), key=lambda row: sorted(map(str, row.items())))
        for table in ("view_referrals", "view_referral_recipients", "view_referral_subjects", "view_referral_clocks")
    }


def test_a_rebuild_in_one_batch_writes_what_following_event_by_event_wrote(hub: Hub) -> None:
    """Runs of submissions are written table by table; the events between them must still apply in order."""
    school, intake = principal(hub), hub.principal_for("tukums.intake")
    submitted = [
        UUID(hub.referrals.submit(school, ReferralDraft.model_validate(distinct_child_referral(number)))["id"])
        for number in range(3)
    ]
    hub.follower.catch_up()
    hub.referral_workflow.act(intake, submitted[0], ReferralAction.ACKNOWLEDGE)
    hub.referral_workflow.act(
        intake, submitted[1], ReferralAction.REDIRECT, RedirectDraft(municipality="daugavpils", reason="pārcēlušies")
    )
    submitted.append(UUID(hub.referrals.submit(school, ReferralDraft.model_validate(distinct_child_referral(3)))["id"]))
    hub.referrals.submit(school, ReferralDraft.model_validate(child_referral()))
    hub.referrals.submit(school, ReferralDraft.model_validate(child_referral()))  # the same child: linked, same subject
    hub.follower.catch_up()
    followed = referral_tables(hub)
    assert len(followed["view_referrals"]) == 6

    hub.follower.rebuild(hub.referral_view)
    assert referral_tables(hub) == followed
