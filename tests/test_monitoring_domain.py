"""Monitoring after closure in the referral aggregate alone (pure): the period a close sets and when it runs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from events.referrals import Outcome, ReferralClosed, ReferralStatus
from hub.kernel.config import MAX_MONITORING_DAYS
from hub.kernel.errors import InvalidInput
from hub.referrals import domain as domain
from hub.referrals.drafts import CloseDraft
from tests.test_referral_domain import ACTOR, AT, in_state


def test_a_close_with_a_period_carries_its_end_and_the_aggregate_keeps_it() -> None:
    accepted = in_state(ReferralStatus.ACCEPTED)
    event = domain.close(accepted, ACTOR, AT, Outcome.SERVICES_PROVIDED, 30)
    assert event.monitoring_until == AT + timedelta(days=30)
    closed = domain.mutate_referral(event, accepted)
    assert closed is not None
    assert closed.monitoring_until == AT + timedelta(days=30)
    assert closed.monitored_at(AT + timedelta(days=29, hours=23)) == AT + timedelta(days=30)
    assert closed.monitored_at(AT + timedelta(days=30)) is None


def test_a_close_without_a_period_monitors_nothing() -> None:
    declined = in_state(ReferralStatus.DECLINED)
    event = domain.close(declined, ACTOR, AT, Outcome.NO_FURTHER_ACTION, 0)
    assert event.monitoring_until is None
    closed = domain.mutate_referral(event, declined)
    assert closed is not None
    assert closed.monitored_at(AT) is None


@pytest.mark.parametrize("days", [-1, MAX_MONITORING_DAYS + 1])
def test_a_period_out_of_range_is_refused(days: int) -> None:
    with pytest.raises(InvalidInput) as raised:
        domain.close(in_state(ReferralStatus.ACCEPTED), ACTOR, AT, Outcome.SERVICES_PROVIDED, days)
    assert (raised.value.reason, raised.value.field) == ("monitoring_out_of_range", "monitoring_days")


def test_a_close_recorded_before_monitoring_existed_loads_as_none() -> None:
    old = {
        "originator_id": str(in_state(ReferralStatus.ACCEPTED).id),
        "originator_version": 5,
        "timestamp": AT.isoformat(),
        "actor": ACTOR.model_dump(mode="json"),
        "about": str(in_state(ReferralStatus.ACCEPTED).child.subject_id),
        "outcome": "services_provided",
    }
    assert ReferralClosed.model_validate(old).monitoring_until is None


@pytest.mark.parametrize("days", [-1, 731, True, "ten", 1.5])
def test_the_close_body_takes_whole_days_in_range_only(days: object) -> None:
    with pytest.raises(ValueError, match="monitoring_days"):
        CloseDraft.model_validate({"outcome": "services_provided", "monitoring_days": days})
    assert CloseDraft.model_validate({"outcome": "services_provided"}).monitoring_days is None
    assert CloseDraft.model_validate({"outcome": "services_provided", "monitoring_days": 0}).monitoring_days == 0
