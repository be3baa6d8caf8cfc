"""Follows the log and applies events to views, storing each view's position with its rows in one transaction."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Notification
from eventsourcing.utils import get_topic

from events.codec import PydanticMapper
from projections.viewdb import Cursor, ViewDatabase

log = logging.getLogger(__name__)

TRACKING_TABLE = (
    "CREATE TABLE IF NOT EXISTS view_tracking (view_name TEXT PRIMARY KEY, notification_id BIGINT NOT NULL)"
)
SCHEMA_TABLE = "CREATE TABLE IF NOT EXISTS view_schemas (view_name TEXT PRIMARY KEY, schema_hash TEXT NOT NULL)"


class PositionConflict(RuntimeError):
    """Another follower advanced the same view first; this batch was rolled back."""


class ViewsBehind(RuntimeError):
    """The views had not applied a needed position of the log within the time a read may wait."""

    def __init__(self, needed: int, applied: int) -> None:
        super().__init__(f"the views have applied the log through {applied}, not yet through {needed}")
        self.needed = needed
        self.applied = applied


def read_position(database: ViewDatabase, name: str) -> int:
    """How far a view (or relay) named `name` has applied the log (0: nothing yet)."""
    rows = database.query("SELECT notification_id FROM view_tracking WHERE view_name = ?", (name,))
    return int(rows[0]["notification_id"]) if rows else 0


def claim_position(cursor: Cursor, dialect: str, name: str, expected: int) -> None:
    """Before applying anything: hold the view's position (locked on PostgreSQL) and check it is `expected`.

    Another follower that moved the view since this one last looked makes this a `PositionConflict` before any
    row is written twice. A view with no position yet gets a row at 0 first, so that there is a row to lock: two
    followers starting it at once would otherwise both apply its first batch (and collide on its rows' keys).
    """
    if expected == 0:
        cursor.execute(
            "INSERT INTO view_tracking (view_name, notification_id) VALUES (?, 0) ON CONFLICT (view_name) DO NOTHING",
            (name,),
        )
    lock = " FOR UPDATE" if dialect == "postgres" else ""  # SQLite's write transaction already excludes others
    row = cursor.execute(f"SELECT notification_id FROM view_tracking WHERE view_name = ?{lock}", (name,)).fetchone()
    if (int(row["notification_id"]) if row else 0) != expected:
        raise PositionConflict(f"view {name} was advanced by another follower")


def advance_position(cursor: Cursor, name: str, old: int, new: int) -> None:
    """Move a position from `old` to `new` inside the caller's transaction; raise if someone else moved it."""
    if old == 0:  # no row yet, or the row at 0 that `claim_position` holds
        cursor.execute(
            "INSERT INTO view_tracking (view_name, notification_id) VALUES (?, ?) ON CONFLICT (view_name) "
            "DO UPDATE SET notification_id = excluded.notification_id WHERE view_tracking.notification_id = 0",
            (name, new),
        )
    else:
        cursor.execute(
            "UPDATE view_tracking SET notification_id = ? WHERE view_name = ? AND notification_id = ?",
            (new, name, old),
        )
    if cursor.rowcount != 1:
        raise PositionConflict(f"view {name} was advanced by another follower")


class View(ABC):
    """A read model: its tables, the event types it handles, and how it applies one event."""

    name: ClassVar[str]
    schema: ClassVar[dict[str, str]]  # table name -> CREATE TABLE statement
    indexes: ClassVar[tuple[str, ...]] = ()  # CREATE INDEX IF NOT EXISTS statements for the view's queries
    handles: ClassVar[tuple[type, ...]]
    # Opens the personal fields of the events it handles (decrypting them): only a view whose rows are themselves
    # purged when a person is erased (the blind-index lookups) may.
    reads_personal_data: ClassVar[bool] = False

    @abstractmethod
    def apply(self, cursor: Cursor, event: Any, notification_id: int) -> None: ...

    def apply_all(self, cursor: Cursor, events: Sequence[tuple[Any, int]]) -> None:
        """Apply a batch of `(event, notification id)` in order; views whose events batch well write them together."""
        for event, notification_id in events:
            self.apply(cursor, event, notification_id)

    def open_work(self, database: ViewDatabase, agency_id: UUID) -> int:
        """How many of the view's items the agency is party to are unfinished: an agency is closed only when no view
        counts any (views of work between agencies override this)."""
        return 0

    def topics(self) -> frozenset[str]:
        return frozenset(get_topic(cls) for cls in self.handles)

    def schema_hash(self) -> str:
        """Changes whenever the tables or the events handled change, so that the view is rebuilt from the log."""
        described = json.dumps([sorted(self.schema.items()), sorted(self.indexes), sorted(self.topics())])
        return hashlib.sha256(described.encode()).hexdigest()


class Follower:
    """Applies new notifications to each view exactly once (at-least-once reading, atomic position)."""

    def __init__(
        self,
        recorder: ApplicationRecorder,
        mapper: PydanticMapper,
        database: ViewDatabase,
        views: list[View],
        batch_size: int = 500,
    ) -> None:
        self.recorder = recorder
        self.mapper = mapper
        self.database = database
        self.views = views
        self._topics = {view.name: view.topics() for view in views}
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._applied_through = 0  # every view has applied at least this far (positions only grow)
        self._stored: dict[str, int] | None = None  # positions as last read or written (None: read them again)
        self._skipped: dict[str, int] = {}  # per view: read this far, though its stored position may be lower
        self._background: threading.Thread | None = None
        self._stopping = threading.Event()
        self._wake = threading.Event()  # set by a read that waits: follow now rather than at the next interval
        self._progress = threading.Condition()  # notified whenever `_applied_through` grows
        with database.transaction() as cursor:
            cursor.execute(TRACKING_TABLE)
            cursor.execute(SCHEMA_TABLE)
            for view in views:
                self._create_or_reset(cursor, view)

    @staticmethod
    def _create_or_reset(cursor: Cursor, view: View) -> None:
        """Create the view's tables; if they were made for another version of the view, drop them first."""
        row = cursor.execute("SELECT schema_hash FROM view_schemas WHERE view_name = ?", (view.name,)).fetchone()
        current = view.schema_hash()
        if row is not None and row["schema_hash"] != current:
            log.warning("view %s changed since it was built; rebuilding it from the log", view.name)
            for table in view.schema:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute("DELETE FROM view_tracking WHERE view_name = ?", (view.name,))
        for statement in (*view.schema.values(), *view.indexes):
            cursor.execute(statement)
        cursor.execute(
            "INSERT INTO view_schemas (view_name, schema_hash) VALUES (?, ?) "
            "ON CONFLICT (view_name) DO UPDATE SET schema_hash = excluded.schema_hash",
            (view.name, current),
        )

    def position(self, view_name: str) -> int:
        return read_position(self.database, view_name)

    def lag(self) -> int:
        """How many notifications the slowest view is behind the log."""
        head = self.recorder.max_notification_id() or 0
        return max((head - self.reached(view.name) for view in self.views), default=0)

    def catch_up(self) -> int:
        """Apply everything recorded before this call; returns how many notifications were read.

        For the startup path and the follower's own loops; a read that must see writes calls `wait_for` instead.
        Concurrent callers share the work: whoever waited for another's catch-up returns at once if that covered it.
        """
        head = self.recorder.max_notification_id() or 0
        if head <= self._applied_through:
            return 0
        with self._lock:
            return self._follow_through(head, math.inf)

    def wait_for(self, position: int, timeout: float) -> None:
        """Return once every view has applied the log through `position`, waiting at most `timeout` seconds.

        Returns at once when the views are there. Otherwise the background follower is woken and awaited, or, when
        none runs, what is missing is applied here under the follower's lock. Raises `ViewsBehind` if the views are
        still short of `position` when the time is up.
        """
        if position <= self._applied_through:
            return
        deadline = time.monotonic() + timeout
        if self._background is not None:
            self._wake.set()
            with self._progress:
                self._progress.wait_for(lambda: position <= self._applied_through, timeout)
        elif self._lock.acquire(timeout=timeout):
            try:
                if position > self._applied_through:
                    self._stored = None  # other processes may have moved the views since: start from where they are
                    self._follow_through(max(position, self.recorder.max_notification_id() or 0), deadline)
            finally:
                self._lock.release()
        if position > self._applied_through:
            raise ViewsBehind(position, self._applied_through)

    def _follow_through(self, head: int, deadline: float) -> int:
        """Under the lock: apply the log through `head` unless the deadline passes first; returns how many were read.

        When another follower (another process) moved a view first, this one reads where it got to and goes on:
        every such conflict means the other applied those notifications, so the views still get to `head`.
        """
        total = 0
        while time.monotonic() < deadline:
            try:
                total += self._catch_up(self.views, head, deadline)
            except PositionConflict:
                self._stored = None  # its batch was rolled back; the other follower's rows are in
                continue
            if self._all_reached(head):
                self._mark_applied(head)
            break
        return total

    def _all_reached(self, head: int) -> bool:
        return all(self._skipped.get(view.name, 0) >= head for view in self.views)

    def _mark_applied(self, head: int) -> None:
        with self._progress:
            self._applied_through = max(self._applied_through, head)
            self._progress.notify_all()

    def reached(self, view_name: str) -> int:
        """How far a view has read: its stored position, or further if what followed held nothing for it."""
        return max(self.position(view_name), self._skipped.get(view_name, 0))

    def _catch_up(self, views: list[View], through: int = 0, deadline: float = math.inf) -> int:
        """Read new notifications once for all `views`, decode each once, and apply them view by view: through
        `through` at least (to the end of the log as it stood, when 0), in batches, until the deadline passes.

        A batch's rows and the positions of the views it changed commit together, in one transaction. Only batches
        that change a view store its position: after a restart a view re-reads the notifications it had skipped,
        finds nothing for it again, and moves on, so the result is the same and a write per view per batch is saved
        (most events concern one or two views).
        Views never show personal data, so they get events with personal fields redacted and use no keys; only a
        view that `reads_personal_data` gets them decrypted (an erased person's fields at their erased values).
        """
        if self._stored is None:
            self._stored = self._stored_positions()
        stored = self._stored
        reached = {view.name: max(stored.get(view.name, 0), self._skipped.get(view.name, 0)) for view in views}
        self._skipped.update(reached)
        total = 0
        while True:
            notifications = self.recorder.select_notifications(
                min(reached.values()), self.batch_size, inclusive_of_start=False
            )
            if not notifications:
                return total
            last = notifications[-1].id
            work = [(view, self._unapplied(view, notifications, reached[view.name])) for view in views]
            work = [(view, mine) for view, mine in work if mine]
            if work:
                decoded: dict[tuple[int, bool], Any] = {}
                with self.database.transaction() as cursor:
                    for view, mine in work:
                        claim_position(cursor, self.database.dialect, view.name, stored.get(view.name, 0))
                        opened = view.reads_personal_data
                        for notification in mine:
                            if (notification.id, opened) not in decoded:
                                decoded[notification.id, opened] = self._decode(notification, opened)
                        view.apply_all(
                            cursor, [(decoded[notification.id, opened], notification.id) for notification in mine]
                        )
                        advance_position(cursor, view.name, stored.get(view.name, 0), last)
                for view, _ in work:
                    stored[view.name] = last
            for view in views:
                reached[view.name] = self._skipped[view.name] = max(reached[view.name], last)
            total += len(notifications)
            if len(notifications) < self.batch_size or 0 < through <= last or time.monotonic() >= deadline:
                return total  # a short batch is the end of the log as it stood

    def _decode(self, notification: Notification, opened: bool) -> Any:
        return self.mapper.to_domain_event(notification) if opened else self.mapper.to_redacted_event(notification)

    def _unapplied(self, view: View, notifications: Sequence[Notification], reached: int) -> list[Notification]:
        topics = self._topics[view.name]
        return [
            notification for notification in notifications if notification.id > reached and notification.topic in topics
        ]

    def _stored_positions(self) -> dict[str, int]:
        rows = self.database.query("SELECT view_name, notification_id FROM view_tracking")
        return {row["view_name"]: int(row["notification_id"]) for row in rows}

    def start(self, interval: float = 0.2) -> None:
        """Keep following in a background thread until `stop()`: every `interval` seconds, or at once when woken."""
        self._stopping.clear()
        self._background = threading.Thread(target=self._follow, args=(interval,), name="follower", daemon=True)
        self._background.start()

    def _follow(self, interval: float) -> None:
        while not self._stopping.is_set():
            try:
                self.catch_up()
            except Exception as error:
                log.error("following the log failed (%s); trying again in %.1f s", type(error).__name__, interval)
            self._wake.wait(interval)
            self._wake.clear()

    def stop(self) -> None:
        if self._background is not None:
            self._stopping.set()
            self._wake.set()
            self._background.join(timeout=5)
            self._background = None

    def rebuild(self, view: View) -> int:
        """Drop a view's position and rows, then apply the whole log again."""
        with self._lock, self.database.transaction() as cursor:
            for table in view.schema:
                cursor.execute(f"DELETE FROM {table}")
            cursor.execute("DELETE FROM view_tracking WHERE view_name = ?", (view.name,))
            self._stored = None
            self._applied_through = 0
            self._skipped.pop(view.name, None)
        with self._lock:
            return self._catch_up([view])
