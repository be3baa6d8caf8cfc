"""Referral submissions share commits: concurrent ones are appended in one transaction, each acknowledged only when
durable; an idempotent repeat in the same batch returns the original, and a conflict fails only its own caller."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from events.access import AccessRecorded
from events.values import Decision
from hub.kernel.config import Settings
from hub.kernel.core import ONE_ITEM_CONFLICTS
from hub.kernel.group_commit import GroupCommitter
from hub.referrals.domain import ReferralDraft
from hub.service import Hub
from tests.conftest import distinct_child_referral
from tests.test_group_commit import PERMIT, THREADS, run_concurrently

SUBMITTER = "tukums.school"


def one_batch_of_submissions(hub: Hub) -> list[int]:
    """Make the hub's shared appends wait until THREADS callers are queued; returns the events of each commit."""
    hub.shared_appends.close()
    hub.shared_appends = GroupCommitter(
        hub._append_together, max_wait=60, max_batch=THREADS, isolate=ONE_ITEM_CONFLICTS
    )
    transactions: list[int] = []
    original = hub.app.append

    def counting_append(*events: Any) -> int:
        transactions.append(len(events))
        return original(*events)

    hub.app.append = counting_append  # type: ignore[method-assign]
    return transactions


def draft(number: int) -> ReferralDraft:
    return ReferralDraft.model_validate(distinct_child_referral(number))


def test_concurrent_submissions_share_one_transaction_and_all_are_durable(hub: Hub, settings: Settings) -> None:
    principal = hub.principal_for(SUBMITTER)
    transactions = one_batch_of_submissions(hub)
    receipts: dict[int, dict[str, Any]] = {}

    def submit(index: int) -> None:
        receipts[index] = hub.referrals.submit(principal, draft(index))

    assert run_concurrently(submit) == [None] * THREADS
    assert len(transactions) == 1
    assert transactions[0] >= 2 * THREADS
    ids = {UUID(receipt["id"]) for receipt in receipts.values()}
    assert len(ids) == THREADS
    reopened = Hub(settings)
    try:
        children = {str(reopened.app.referral(referral_id).child.personal_code) for referral_id in ids}
        assert children == {draft(index).child.personal_code for index in range(THREADS)}
    finally:
        reopened.close()


def test_idempotent_repeats_in_one_batch_return_the_original(hub: Hub) -> None:
    principal = hub.principal_for(SUBMITTER)
    transactions = one_batch_of_submissions(hub)
    receipts: dict[int, dict[str, Any]] = {}
    repeats = 4

    def submit(index: int) -> None:
        keyed = index < repeats
        body = draft(0 if keyed else index)
        receipts[index] = hub.referrals.submit(principal, body, "same-key" if keyed else f"key-{index}")

    assert run_concurrently(submit) == [None] * THREADS
    assert transactions[0] >= 2 * THREADS  # the repeats were in the batch that conflicted
    repeated = [receipts[index] for index in range(repeats)]
    assert len({receipt["id"] for receipt in repeated}) == 1
    assert sum(1 for receipt in repeated if receipt.get("replayed")) == repeats - 1
    assert len({receipt["id"] for receipt in receipts.values()}) == THREADS - repeats + 1
    assert all(hub.app.exists(UUID(receipt["id"])) for receipt in receipts.values())


def test_a_conflict_in_a_batch_fails_only_its_own_caller(hub: Hub) -> None:
    principal = hub.principal_for(SUBMITTER)
    # a stream that exists: appending its first event again conflicts
    taken = hub.record_access(principal, PERMIT, "referral.read", "referral:taken", "test").originator_id
    one_batch_of_submissions(hub)
    receipts: dict[int, dict[str, Any]] = {}

    def submit(index: int) -> None:
        if index == 5:
            hub.append_shared(clashing_access_event(taken, principal.username, principal.agency_id))
        else:
            receipts[index] = hub.referrals.submit(principal, draft(index))

    errors = run_concurrently(submit)
    assert isinstance(errors[5], IntegrityError)
    assert [error for index, error in enumerate(errors) if index != 5] == [None] * (THREADS - 1)
    assert all(hub.app.exists(UUID(receipt["id"])) for receipt in receipts.values())
    assert len(receipts) == THREADS - 1


def clashing_access_event(stream: UUID, username: str, agency_id: UUID) -> AccessRecorded:
    return AccessRecorded(
        originator_id=stream,
        originator_version=1,
        actor={"user_id": username, "agency_id": agency_id, "role": "case_manager"},
        action="referral.read",
        resource="referral:clash",
        purpose="test",
        subjects=(),
        categories=(),
        decision=Decision.PERMIT,
        basis="BTAL-73",
        reasons=(),
    )
