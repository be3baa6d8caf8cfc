"""`hub audit verify`: recompute the Merkle tree from the stored records and hold it against the signed checkpoints.

The signed checkpoints are the trusted part; the stored leaf table only helps to name the first bad record.
Each checkpoint's root is recomputed from the same sequence of records, so checkpoints that all match are
consistent with one another by construction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from events.integrity.checkpoint import Checkpoint, CheckpointError, Verifier, open_checkpoint
from events.integrity.merkle import Frontier
from events.integrity.records import record_leaf_hash
from hub.kernel.stored_records import StoredRecord, StoredRecords
from projections.audit_log import AuditLog
from projections.viewdb import Row

BATCH = 5000
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Problem:
    """What is wrong (`kind`), where (`location`), and in words (`detail`)."""

    kind: str
    location: str
    detail: str


@dataclass
class Report:
    records: int = 0
    checkpoints: int = 0
    verified_size: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _record(record: StoredRecord) -> str:
    return f"notification {record.id} (originator {UUID(bytes=record.originator_id)} v{record.originator_version})"


class _LeafComparer:
    """Names the first record that differs from what the follower committed to (only the first: later ones shift)."""

    def __init__(self, audit_log: AuditLog) -> None:
        self.audit_log = audit_log
        self.problem: Problem | None = None
        self._rows: list[Row] = []
        self._start = 0

    def _row(self, index: int) -> Row | None:
        if not self._start <= index < self._start + len(self._rows):
            self._start, self._rows = index, self.audit_log.leaves(index, BATCH)
        offset = index - self._start
        return self._rows[offset] if offset < len(self._rows) else None

    def compare_batch(self, index: int, records: list[StoredRecord], leaves: list[bytes]) -> None:
        """Compare a batch in one go; only a batch that differs is looked at record by record."""
        if self.problem is not None:
            return
        expected = [(record.id, leaf.hex()) for record, leaf in zip(records, leaves, strict=True)]
        if self.audit_log.leaf_pairs(index, len(records)) == expected:
            return
        for offset, (record, leaf) in enumerate(zip(records, leaves, strict=True)):
            self.compare(index + offset, record, leaf)

    def compare(self, index: int, record: StoredRecord, leaf: bytes) -> None:
        if self.problem is not None:
            return
        row = self._row(index)
        if row is None or (int(row["notification_id"]) == record.id and row["leaf_hash"] == leaf.hex()):
            return
        committed = int(row["notification_id"])
        where = f"leaf {index}"
        if record.id > committed:
            self.problem = Problem(
                "record_missing",
                where,
                f"notification {committed} (originator {row['originator_id']} v{row['originator_version']}) "
                f"is no longer in the store; the next stored record is {_record(record)}",
            )
        elif record.id < committed:
            self.problem = Problem("record_inserted", where, f"{_record(record)} was never committed to")
        else:
            elsewhere = self.audit_log.leaf_of_record(str(UUID(bytes=record.originator_id)), record.originator_version)
            if elsewhere is not None and int(elsewhere["notification_id"]) != committed:
                self.problem = Problem(
                    "records_reordered",
                    where,
                    f"{_record(record)} holds the record committed at notification {elsewhere['notification_id']}",
                )
            else:
                self.problem = Problem("record_changed", where, f"the stored bytes of {_record(record)} changed")

    def finish(self, size: int) -> None:
        """Leaves committed beyond the last stored record mean records were removed from the tail."""
        if self.problem is None and (row := self._row(size)) is not None:
            self.problem = Problem(
                "record_missing",
                f"leaf {size}",
                f"notification {row['notification_id']} (originator {row['originator_id']} "
                f"v{row['originator_version']}) and any later records are no longer in the store",
            )


def _open_checkpoints(rows: list[Row], verifier: Verifier, report: Report) -> list[Checkpoint]:
    opened: list[Checkpoint] = []
    for row in rows:
        location = f"checkpoint at tree size {row['tree_size']}"
        try:
            checkpoint = open_checkpoint(row["note"], verifier)
        except CheckpointError as error:
            report.problems.append(Problem("checkpoint_signature", location, str(error)))
            continue
        if checkpoint.size != int(row["tree_size"]) or checkpoint.root.hex() != row["root_hash"]:
            report.problems.append(Problem("checkpoint_row", location, "the row differs from its signed note"))
            continue
        if opened and checkpoint.time < opened[-1].time:
            report.problems.append(
                Problem("checkpoint_order", location, "signed earlier than a checkpoint of a smaller tree")
            )
        opened.append(checkpoint)
    return opened


def verify_log(
    records: StoredRecords, audit_log: AuditLog, verifier: Verifier, progress: Progress | None = None
) -> Report:
    """Check every checkpoint signature, recompute every leaf and root, and name the first bad record.

    Records a signed root covers need no comparing with the leaf table when that root matches, so the first pass
    compares only the records after the last checkpoint. If anything is wrong, a second pass compares every leaf,
    to name the first bad record.
    """
    report = _verify(records, audit_log, verifier, progress, compare_all=False)
    if report.problems:
        report = _verify(records, audit_log, verifier, None, compare_all=True)
    return report


def _verify(
    records: StoredRecords, audit_log: AuditLog, verifier: Verifier, progress: Progress | None, compare_all: bool
) -> Report:
    report = Report()
    rows = audit_log.checkpoints()
    report.checkpoints = len(rows)
    checkpoints = _open_checkpoints(rows, verifier, report)
    compare_from = 0 if compare_all or not checkpoints else checkpoints[-1].size
    pending = iter(checkpoints)
    target = next(pending, None)
    total = records.last_id()
    comparer = _LeafComparer(audit_log)
    frontier = Frontier()
    last_id = 0
    last_good = 0
    while True:
        batch = records.after(last_id, BATCH)
        if not batch:
            break
        leaves = [record_leaf_hash(*record) for record in batch]
        if frontier.size + len(batch) > compare_from:
            comparer.compare_batch(frontier.size, batch, leaves)
        for record, leaf in zip(batch, leaves, strict=True):
            frontier.append(leaf)
            while target is not None and target.size == frontier.size:
                if frontier.root() == target.root:
                    report.verified_size = target.size
                else:
                    report.problems.append(
                        Problem(
                            "root_mismatch",
                            f"checkpoint at tree size {target.size}",
                            f"the records between leaves {last_good} and {target.size - 1} do not give the signed "
                            f"root (last record {_record(record)})",
                        )
                    )
                last_good = target.size
                target = next(pending, None)
        last_id = batch[-1].id
        if progress is not None:
            progress(last_id, total)
    report.records = frontier.size
    comparer.finish(frontier.size)
    if target is not None:
        report.problems.append(
            Problem(
                "log_truncated",
                f"checkpoint at tree size {target.size}",
                f"it covers {target.size} records but the store holds {frontier.size}; "
                f"records after leaf {frontier.size - 1} are gone",
            )
        )
    if comparer.problem is not None:
        report.problems.insert(0, comparer.problem)
    return report
