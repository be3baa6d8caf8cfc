"""The referral aggregate alone (pure, no store): every transition from every state, legal or 409."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from events.base import Actor
from events.people import PersonDetails
from events.referrals import Outcome, ReferralStatus
from hub.kernel.errors import Conflict
from hub.referrals import domain as domain
from hub.referrals.domain import ALLOWED_FROM, Referral, ReferralDraft
from tests.conftest import child_referral

AT = datetime(2026, 11, 23, 9, tzinfo=UTC)
ACTOR = Actor(user_id="tukums.cm", agency_id=uuid4(), role="case_manager")
LEAD, OTHER = uuid4(), uuid4()

COMMANDS: dict[str, Callable[[Referral], object]] = {
    "acknowledge": lambda r: domain.acknowledge(r, ACTOR, AT),
    "assign": lambda r: domain.assign(r, ACTOR, AT, f"worker.{r.version}"),
    "request_information": lambda r: domain.request_information(r, ACTOR, AT, "?"),
    "provide_information": lambda r: domain.provide_information(r, ACTOR, AT, "!"),
    "accept": lambda r: domain.accept(r, ACTOR, AT, uuid4(), False),
    "redirect": lambda r: domain.redirect(r, ACTOR, AT, OTHER, "daugavpils", (OTHER,), "moved"),
    "decline": lambda r: domain.decline(r, ACTOR, AT, "no"),
    "close": lambda r: domain.close(r, ACTOR, AT, Outcome.NO_FURTHER_ACTION, 0),
    "withdraw": lambda r: domain.withdraw(r, ACTOR, AT, "mistake"),
}
# How to reach each state from a fresh submission.
PATHS: dict[ReferralStatus, tuple[str, ...]] = {
    ReferralStatus.SUBMITTED: (),
    ReferralStatus.ACKNOWLEDGED: ("acknowledge",),
    ReferralStatus.ASSIGNED: ("acknowledge", "assign"),
    ReferralStatus.INFORMATION_REQUESTED: ("acknowledge", "assign", "request_information"),
    ReferralStatus.ACCEPTED: ("acknowledge", "assign", "accept"),
    ReferralStatus.DECLINED: ("acknowledge", "decline"),
    ReferralStatus.CLOSED: ("acknowledge", "assign", "accept", "close"),
    ReferralStatus.WITHDRAWN: ("withdraw",),
}


def submitted() -> Referral:
    draft = ReferralDraft.model_validate(child_referral())
    child = PersonDetails(subject_id=uuid4(), given_name="Elza", family_name="Kalniņa")
    event = domain.submit_referral(draft, ACTOR, uuid4(), (child,), (LEAD,), "routing/1", (), None, (), "c/1", AT)
    referral = domain.mutate_referral(event, None)
    assert referral is not None
    return referral


def in_state(status: ReferralStatus) -> Referral:
    referral: Referral | None = submitted()
    for step in PATHS[status]:
        assert referral is not None
        referral = domain.mutate_referral(COMMANDS[step](referral), referral)  # type: ignore[arg-type]
    assert referral is not None
    assert referral.status is status
    return referral


@pytest.mark.parametrize("status", list(ReferralStatus))
@pytest.mark.parametrize("action", list(COMMANDS))
def test_every_transition_from_every_state(status: ReferralStatus, action: str) -> None:
    referral = in_state(status)
    if status in ALLOWED_FROM[action]:
        event = COMMANDS[action](referral)
        assert domain.mutate_referral(event, referral) is not None  # type: ignore[arg-type]
    else:
        with pytest.raises(Conflict) as raised:
            COMMANDS[action](referral)
        assert raised.value.reason == "illegal_transition"


def test_reassignment_is_an_event_but_not_to_the_same_worker() -> None:
    referral = in_state(ReferralStatus.ASSIGNED)
    assert referral.worker is not None
    with pytest.raises(Conflict):
        domain.assign(referral, ACTOR, AT, referral.worker)
    again = domain.assign(referral, ACTOR, AT, "another.worker")
    after = domain.mutate_referral(again, referral)
    assert after is not None
    assert after.worker == "another.worker"


def test_the_answer_returns_the_referral_to_where_it_was() -> None:
    referral = in_state(ReferralStatus.INFORMATION_REQUESTED)
    after = domain.mutate_referral(domain.provide_information(referral, ACTOR, AT, "!"), referral)
    assert after is not None
    assert after.status is ReferralStatus.ASSIGNED
