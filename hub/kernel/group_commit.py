"""Group commit: concurrent appends share one durable transaction, each caller released only when it is durable.

One writer thread takes whatever callers have queued (after waiting at most `max_wait` seconds for company,
and never more than `max_batch` items), commits them together and then wakes every caller of that batch. Nobody
is told "done" before the commit holding their item returned.

If a batch of several items fails with one of the `isolate` errors (a conflict one item may cause, such as two
writers of the same key), its items are committed one by one and each caller gets its own outcome, so one
conflicting item fails only its own caller. Any other failure (the store away) fails every caller of the batch at
once, without trying each item against a store that is not there.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")


class CommitFailed(Exception):
    """The batch holding this caller's item was not committed (the cause is chained)."""


class CommitterClosed(CommitFailed):
    """The committer was closed before this caller's item was committed."""


@dataclass
class _Ticket(Generic[Item]):
    item: Item
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class GroupCommitter(Generic[Item]):
    """Batches items from many threads into calls of `commit(items)`; `submit` returns once its batch is durable."""

    def __init__(
        self,
        commit: Callable[[Sequence[Item]], object],
        max_wait: float = 0.002,
        max_batch: int = 256,
        name: str = "group-commit",
        isolate: tuple[type[BaseException], ...] = (),
    ) -> None:
        if max_wait < 0 or max_batch < 1:
            raise ValueError("max_wait must be >= 0 and max_batch >= 1")
        self._commit = commit
        self._max_wait = max_wait
        self._max_batch = max_batch
        self._isolate = isolate
        self._queue: queue.SimpleQueue[_Ticket[Item] | None] = queue.SimpleQueue()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, item: Item, timeout: float = 30.0) -> None:
        """Block until the item is committed; raises CommitFailed if its batch was not."""
        if self._closed.is_set():
            raise CommitterClosed("the committer is closed")
        ticket: _Ticket[Item] = _Ticket(item)
        self._queue.put(ticket)
        if not ticket.done.wait(timeout):
            raise CommitFailed(f"not committed within {timeout} s")
        if ticket.error is not None:
            raise CommitFailed("the batch was not committed") from ticket.error

    def close(self) -> None:
        """Commit what is queued, then stop the writer; later submits fail."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                self._fail_remaining()
                return
            batch, stop = self._gather(first)
            self._commit_batch(batch)
            if stop:
                self._fail_remaining()
                return

    def _gather(self, first: _Ticket[Item]) -> tuple[list[_Ticket[Item]], bool]:
        batch = [first]
        deadline = time.monotonic() + self._max_wait
        while len(batch) < self._max_batch:
            try:
                ticket = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if ticket is None:
                return batch, True
            batch.append(ticket)
        return batch, False

    def _commit_batch(self, batch: list[_Ticket[Item]]) -> None:
        try:
            self._commit([ticket.item for ticket in batch])
        except BaseException as error:
            if len(batch) > 1 and isinstance(error, self._isolate):
                log.info("group commit of %d items conflicted; committing them one by one", len(batch))
                for ticket in batch:
                    self._commit_batch([ticket])
                return
            log.error("group commit of %d items failed: %s", len(batch), type(error).__name__)
            for ticket in batch:
                ticket.error = error
        for ticket in batch:
            ticket.done.set()

    def _fail_remaining(self) -> None:
        while True:
            try:
                ticket = self._queue.get_nowait()
            except queue.Empty:
                return
            if ticket is not None:
                ticket.error = CommitterClosed("the committer closed before this item was committed")
                ticket.done.set()
