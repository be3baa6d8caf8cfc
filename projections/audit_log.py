"""The Merkle log: follows the store, gives every stored record a leaf, and signs checkpoints of the tree.

Leaves, the tree's right edge (`Frontier`) and the signed checkpoints live in the store's own database, so the
tree resumes where it stopped after a restart. A batch of leaves and the new tree state commit together, guarded
by the old size, so two followers never both append the same leaves: the tree's row is written first, so the
second of two writers waits for the first, finds the tree grown and rolls back (`TreeConflict`) before it adds a
leaf; `catch_up` then goes on from where the other got to. One process is meant to write (the elected signer),
but one that still believes it is does no harm.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.persistence import ApplicationRecorder, Notification

from events.integrity.checkpoint import Checkpoint, sign_checkpoint
from events.integrity.merkle import Frontier
from events.integrity.records import record_leaf_hash
from projections.viewdb import Cursor, Row, ViewDatabase

SCHEMA: dict[str, str] = {
    "audit_leaves": (
        "CREATE TABLE IF NOT EXISTS audit_leaves (leaf_index BIGINT PRIMARY KEY, "
        "notification_id BIGINT NOT NULL UNIQUE, originator_id TEXT NOT NULL, "
        "originator_version BIGINT NOT NULL, leaf_hash TEXT NOT NULL)"
    ),
    "audit_tree": (
        "CREATE TABLE IF NOT EXISTS audit_tree (id INTEGER PRIMARY KEY, size BIGINT NOT NULL, "
        "last_notification_id BIGINT NOT NULL, frontier TEXT NOT NULL)"
    ),
    "audit_checkpoints": (
        "CREATE TABLE IF NOT EXISTS audit_checkpoints (tree_size BIGINT PRIMARY KEY, root_hash TEXT NOT NULL, "
        "signed_at TEXT NOT NULL, note TEXT NOT NULL)"
    ),
}


class TreeConflict(RuntimeError):
    """Another follower extended the tree first; this batch was rolled back."""


def notification_leaf(notification: Notification) -> bytes:
    return record_leaf_hash(
        notification.id,
        notification.originator_id,  # type: ignore[arg-type]
        notification.originator_version,
        notification.topic,
        notification.state,
    )


@dataclass(frozen=True)
class TreeState:
    size: int
    last_notification_id: int
    frontier: Frontier

    @classmethod
    def from_row(cls, row: Row | None) -> TreeState:
        if row is None:
            return cls(0, 0, Frontier())
        text = row["frontier"]
        nodes = [bytes.fromhex(text[i : i + 64]) for i in range(0, len(text), 64)]
        return cls(int(row["size"]), int(row["last_notification_id"]), Frontier(int(row["size"]), nodes))


@dataclass(frozen=True)
class CheckpointSigner:
    """Who signs checkpoints: the log's origin (also the key name) and its Ed25519 key."""

    origin: str
    key: Ed25519PrivateKey

    def sign(self, size: int, root: bytes, time: datetime) -> str:
        return sign_checkpoint(Checkpoint(self.origin, size, root, time), self.origin, self.key)


class AuditLog:
    """Appends leaves for new records and signs a checkpoint every `interval` seconds or `every` leaves."""

    schema: ClassVar[dict[str, str]] = SCHEMA

    def __init__(
        self,
        recorder: ApplicationRecorder,
        database: ViewDatabase,
        signer: CheckpointSigner,
        clock: Callable[[], datetime],
        interval_seconds: float = 1.0,
        every_events: int = 1000,
        batch_size: int = 1000,
    ) -> None:
        self.recorder = recorder
        self.database = database
        self.signer = signer
        self.clock = clock
        self.interval_seconds = interval_seconds
        self.every_events = every_events
        self.batch_size = batch_size
        self._lock = threading.Lock()
        with database.transaction() as cursor:
            for statement in SCHEMA.values():
                cursor.execute(statement)

    # -- writing -------------------------------------------------------------------------------------------------

    def state(self) -> TreeState:
        rows = self.database.query("SELECT * FROM audit_tree WHERE id = 1")
        return TreeState.from_row(rows[0] if rows else None)

    def catch_up(self) -> int:
        """Give every record stored so far its leaf; returns how many leaves this process added (another writer
        that extended the tree meanwhile is followed, not fought)."""
        added = 0
        with self._lock:
            while True:
                state = self.state()
                notifications = self.recorder.select_notifications(
                    state.last_notification_id, self.batch_size, inclusive_of_start=False
                )
                if not notifications:
                    return added
                try:
                    self._append(state, notifications)
                except TreeConflict:
                    continue
                added += len(notifications)

    def _append(self, state: TreeState, notifications: Sequence[Notification]) -> None:
        frontier = Frontier(state.size, list(state.frontier.nodes))
        leaves = [notification_leaf(notification) for notification in notifications]
        for leaf in leaves:
            frontier.append(leaf)
        with self.database.transaction() as cursor:
            self._save_tree(cursor, state, frontier, notifications[-1].id)
            for index, (notification, leaf) in enumerate(zip(notifications, leaves, strict=True), start=state.size):
                cursor.execute(
                    "INSERT INTO audit_leaves (leaf_index, notification_id, originator_id, originator_version, "
                    "leaf_hash) VALUES (?, ?, ?, ?, ?)",
                    (
                        index,
                        notification.id,
                        str(notification.originator_id),
                        notification.originator_version,
                        leaf.hex(),
                    ),
                )

    @staticmethod
    def _save_tree(cursor: Cursor, old: TreeState, frontier: Frontier, last_notification_id: int) -> None:
        encoded = "".join(node.hex() for node in frontier.nodes)
        if old.size == 0:
            cursor.execute(
                "INSERT INTO audit_tree (id, size, last_notification_id, frontier) VALUES (1, ?, ?, ?) "
                "ON CONFLICT (id) DO NOTHING",
                (frontier.size, last_notification_id, encoded),
            )
        else:
            cursor.execute(
                "UPDATE audit_tree SET size = ?, last_notification_id = ?, frontier = ? WHERE id = 1 AND size = ?",
                (frontier.size, last_notification_id, encoded, old.size),
            )
        if cursor.rowcount != 1:
            raise TreeConflict("the tree was extended by another follower")

    def checkpoint(self, force: bool = False) -> Row | None:
        """Sign the current tree if it grew and a checkpoint is due (or `force`); returns the new checkpoint row."""
        now = self.clock()
        with self._lock:
            state = self.state()
            latest = self.latest_checkpoint()
            covered = int(latest["tree_size"]) if latest else 0
            if state.size <= covered:
                return None
            elapsed = (now - datetime.fromisoformat(latest["signed_at"])).total_seconds() if latest else None
            due = elapsed is None or elapsed >= self.interval_seconds or state.size - covered >= self.every_events
            if not (force or due):
                return None
            root = state.frontier.root()
            note = self.signer.sign(state.size, root, now)
            row = {"tree_size": state.size, "root_hash": root.hex(), "signed_at": now.isoformat(), "note": note}
            with self.database.transaction() as cursor:
                cursor.execute(
                    "INSERT INTO audit_checkpoints (tree_size, root_hash, signed_at, note) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (tree_size) DO NOTHING",
                    tuple(row.values()),
                )
            return row

    def follow_once(self) -> None:
        """One round of the signer: leaves for new records, then a checkpoint if one is due."""
        self.catch_up()
        self.checkpoint()

    # -- reading -------------------------------------------------------------------------------------------------

    def latest_checkpoint(self) -> Row | None:
        rows = self.database.query("SELECT * FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1")
        return rows[0] if rows else None

    def checkpoint_signed_by(self, moment: datetime) -> Row | None:
        """The newest checkpoint signed at or before `moment`."""
        signed = [row for row in self.checkpoints() if datetime.fromisoformat(row["signed_at"]) <= moment]
        return signed[-1] if signed else None

    def checkpoint_at(self, tree_size: int) -> Row | None:
        rows = self.database.query("SELECT * FROM audit_checkpoints WHERE tree_size = ?", (tree_size,))
        return rows[0] if rows else None

    def checkpoints(self) -> list[Row]:
        return self.database.query("SELECT * FROM audit_checkpoints ORDER BY tree_size")

    def leaves(self, start: int, limit: int) -> list[Row]:
        """Stored leaf rows from leaf index `start`, in order."""
        return self.database.query(
            "SELECT * FROM audit_leaves WHERE leaf_index >= ? ORDER BY leaf_index LIMIT ?", (start, limit)
        )

    def leaf_pairs(self, start: int, limit: int) -> list[tuple[int, str]]:
        """(notification id, leaf hash in hex) of the stored leaves from leaf index `start`, in order."""
        rows = self.database.tuples(
            "SELECT notification_id, leaf_hash FROM audit_leaves WHERE leaf_index >= ? ORDER BY leaf_index LIMIT ?",
            (start, limit),
        )
        return [(int(notification_id), leaf_hash) for notification_id, leaf_hash in rows]

    def leaf_hashes(self, size: int) -> list[bytes]:
        rows = self.database.query(
            "SELECT leaf_hash FROM audit_leaves WHERE leaf_index < ? ORDER BY leaf_index", (size,)
        )
        return [bytes.fromhex(row["leaf_hash"]) for row in rows]

    def leaf_of_notification(self, notification_id: int) -> Row | None:
        rows = self.database.query("SELECT * FROM audit_leaves WHERE notification_id = ?", (notification_id,))
        return rows[0] if rows else None

    def leaf_of_record(self, originator_id: str, version: int) -> Row | None:
        rows = self.database.query(
            "SELECT * FROM audit_leaves WHERE originator_id = ? AND originator_version = ?", (originator_id, version)
        )
        return rows[0] if rows else None
