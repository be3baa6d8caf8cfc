"""Group commit of access events: shared transactions, acknowledged only when durable; a store failure reaches every
caller of the batch, a conflict of one item only its own caller."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import uuid4

import pytest

from events.access import AccessRecorded
from events.values import Decision
from hub.kernel.config import Settings
from hub.kernel.core import ONE_ITEM_CONFLICTS, AccessNotRecorded
from hub.kernel.group_commit import CommitFailed, CommitterClosed, GroupCommitter
from hub.service import Hub
from policies.access import AccessDecision, Principal
from tests.conftest import head
from tests.test_inbox_and_access import access_events

THREADS = 16
PERMIT = AccessDecision(Decision.PERMIT, "case_manager", "BTAL-73", ())


def run_concurrently(task: Callable[[int], Any], count: int = THREADS) -> list[BaseException | None]:
    """Start `count` calls at once; returns each call's exception (or None)."""
    start = threading.Barrier(count)

    def call(index: int) -> BaseException | None:
        start.wait()
        try:
            task(index)
        except BaseException as error:
            return error
        return None

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(call, range(count)))


class RecordingStore:
    """Remembers committed batches; can be told to fail or to hold a commit until released."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.fail_with: Exception | None = None
        self.release = threading.Event()
        self.release.set()
        self.entered = threading.Event()

    def commit(self, items: Sequence[int]) -> None:
        self.entered.set()
        self.release.wait()
        if self.fail_with is not None:
            raise self.fail_with
        self.batches.append(list(items))

    @property
    def committed(self) -> list[int]:
        return [item for batch in self.batches for item in batch]


def test_concurrent_submissions_share_one_commit() -> None:
    store = RecordingStore()
    committer = GroupCommitter(store.commit, max_wait=60, max_batch=THREADS)
    try:
        errors = run_concurrently(committer.submit)
    finally:
        committer.close()
    assert errors == [None] * THREADS
    assert len(store.batches) == 1
    assert sorted(store.committed) == list(range(THREADS))


def test_a_lone_submission_does_not_wait_for_company_beyond_the_bound() -> None:
    store = RecordingStore()
    committer = GroupCommitter(store.commit, max_wait=0, max_batch=1000)
    try:
        committer.submit(7)
        committer.submit(8)
    finally:
        committer.close()
    assert store.batches == [[7], [8]]


def test_a_caller_is_released_only_after_its_commit_returned() -> None:
    store = RecordingStore()
    store.release.clear()
    committer = GroupCommitter(store.commit, max_wait=0)
    returned = threading.Event()

    def submit() -> None:
        committer.submit(1)
        returned.set()

    worker = threading.Thread(target=submit)
    worker.start()
    store.entered.wait()
    assert not returned.is_set()
    assert store.committed == []
    store.release.set()
    worker.join()
    assert returned.is_set()
    assert store.committed == [1]
    committer.close()


def test_a_failed_commit_fails_every_caller_of_the_batch_and_the_committer_goes_on() -> None:
    store = RecordingStore()
    store.fail_with = OSError("disk full")
    committer = GroupCommitter(store.commit, max_wait=60, max_batch=THREADS)
    try:
        errors = run_concurrently(committer.submit)
        store.fail_with = None
        errors_after_recovery = run_concurrently(committer.submit)
    finally:
        committer.close()
    assert all(isinstance(error, CommitFailed) for error in errors)
    assert all(isinstance(error.__cause__, OSError) for error in errors if error is not None)
    assert errors_after_recovery == [None] * THREADS
    assert [sorted(batch) for batch in store.batches] == [list(range(THREADS))]


def test_close_commits_what_is_queued_and_refuses_later_submissions() -> None:
    store = RecordingStore()
    store.release.clear()
    committer = GroupCommitter(store.commit, max_wait=0)
    first = threading.Thread(target=committer.submit, args=(1,))
    first.start()
    store.entered.wait()
    second = threading.Thread(target=committer.submit, args=(2,))
    second.start()
    closer = threading.Thread(target=committer.close)
    store.release.set()
    closer.start()
    for thread in (first, second, closer):
        thread.join()
    assert 1 in store.committed
    with pytest.raises(CommitterClosed):
        committer.submit(3)


class Clash(Exception):
    """A conflict one item causes (as two writers of the same key do)."""


class ClashingStore(RecordingStore):
    """Rejects, whole, any batch that holds one of the `clashing` items."""

    def __init__(self, clashing: set[int]) -> None:
        super().__init__()
        self.clashing = clashing
        self.attempts: list[list[int]] = []

    def commit(self, items: Sequence[int]) -> None:
        self.attempts.append(list(items))
        if self.clashing & set(items):
            raise Clash(f"item {sorted(self.clashing & set(items))} clashes")
        super().commit(items)


def test_a_conflicting_item_fails_only_its_own_caller_the_others_are_committed_one_by_one() -> None:
    store = ClashingStore({3, 11})
    committer = GroupCommitter(store.commit, max_wait=60, max_batch=THREADS, isolate=(Clash,))
    try:
        errors = run_concurrently(committer.submit)
    finally:
        committer.close()
    failed = [index for index, error in enumerate(errors) if error is not None]
    assert failed == [3, 11]
    assert all(isinstance(errors[index], CommitFailed) for index in failed)
    assert all(isinstance(errors[index].__cause__, Clash) for index in failed)  # type: ignore[union-attr]
    assert sorted(store.committed) == [index for index in range(THREADS) if index not in (3, 11)]
    assert len(store.attempts[0]) == THREADS
    assert all(len(attempt) == 1 for attempt in store.attempts[1:])


def test_a_failure_not_named_isolated_fails_the_whole_batch_without_trying_each_item() -> None:
    store = RecordingStore()
    store.fail_with = OSError("the store is away")
    attempts: list[Sequence[int]] = []

    def commit(items: Sequence[int]) -> None:
        attempts.append(items)
        store.commit(items)

    committer = GroupCommitter(commit, max_wait=60, max_batch=THREADS, isolate=(Clash,))
    try:
        errors = run_concurrently(committer.submit)
    finally:
        committer.close()
    assert all(isinstance(error, CommitFailed) and isinstance(error.__cause__, OSError) for error in errors)
    assert len(attempts) == 1


@pytest.mark.parametrize(("max_wait", "max_batch"), [(-1.0, 10), (0.0, 0)])
def test_nonsense_bounds_are_rejected(max_wait: float, max_batch: int) -> None:
    with pytest.raises(ValueError, match="max_wait"):
        GroupCommitter(RecordingStore().commit, max_wait=max_wait, max_batch=max_batch)


def principal_of(hub: Hub, username: str) -> Principal:
    return hub.authenticate(hub.issue_token(username))


def one_batch_of_access_events(hub: Hub) -> None:
    """Make the hub's access log wait until THREADS events are queued, so they share one transaction."""
    hub.access_log.close()
    hub.access_log = GroupCommitter(
        hub._append_access_events, max_wait=60, max_batch=THREADS, isolate=ONE_ITEM_CONFLICTS
    )


def test_concurrent_reads_are_recorded_in_one_transaction_durably(hub: Hub, settings: Settings) -> None:
    principal = principal_of(hub, "tukums.cm")
    one_batch_of_access_events(hub)
    before = head(hub)
    transactions: list[int] = []
    original = hub.app.append

    def counting_append(*events: Any) -> int:
        transactions.append(len(events))
        return original(*events)

    hub.app.append = counting_append  # type: ignore[method-assign]
    errors = run_concurrently(
        lambda index: hub.record_access(principal, PERMIT, "referral.read", f"referral:{index}", "bench")
    )
    assert errors == [None] * THREADS
    assert transactions == [THREADS]
    reopened = Hub(settings)
    try:
        # A purpose naming nobody is not stored (no erasure could reach it), so the reads are found by what they did.
        recorded = [event for event in access_events(reopened) if event.resource.startswith("referral:")]
        assert sorted(event.resource for event in recorded) == sorted(f"referral:{i}" for i in range(THREADS))
        assert head(reopened) == before + THREADS
    finally:
        reopened.close()


def test_a_clash_in_a_batch_fails_only_the_reader_who_caused_it(hub: Hub) -> None:
    principal = principal_of(hub, "tukums.cm")
    one_batch_of_access_events(hub)
    clash = uuid4()

    def record(index: int) -> None:
        event = AccessRecorded(
            originator_id=clash if index < 2 else uuid4(),
            originator_version=1,
            actor={"user_id": principal.username, "agency_id": principal.agency_id, "role": "case_manager"},
            action="referral.read",
            resource=f"referral:{index}",
            purpose="bench",
            subjects=(),
            categories=(),
            decision=Decision.PERMIT,
            basis="BTAL-73",
            reasons=(),
        )
        hub.access_log.submit(event)

    errors = run_concurrently(record)
    failed = [error for error in errors if error is not None]
    assert len(failed) == 1
    assert isinstance(failed[0], CommitFailed)
    assert errors[0] is None or errors[1] is None
    recorded = [event.resource for event in access_events(hub) if event.resource.startswith("referral:")]
    assert len(recorded) == THREADS - 1
    assert len(set(recorded)) == THREADS - 1


def test_record_access_raises_access_not_recorded_for_every_caller_when_the_store_fails(hub: Hub) -> None:
    principal = principal_of(hub, "tukums.cm")
    one_batch_of_access_events(hub)
    before = head(hub)

    def failing_append(*events: Any) -> int:
        raise OSError("disk full")

    hub.app.append = failing_append  # type: ignore[method-assign]
    errors = run_concurrently(
        lambda index: hub.record_access(principal, PERMIT, "referral.read", f"referral:{index}", "bench")
    )
    assert all(isinstance(error, AccessNotRecorded) for error in errors)
    assert head(hub) == before
