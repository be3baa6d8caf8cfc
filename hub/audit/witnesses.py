"""Submitting the hub's checkpoints to its witnesses (C2SP tlog-witness) and keeping their cosignatures.

For each configured witness the hub remembers the size it last had cosigned, sends the new checkpoint with a
consistency proof from there, and stores the cosignature lines that verify under the witness's key. A 409 tells
the witness's own size: the hub retries once from it. A witness that refuses a checkpoint as badly signed or
inconsistent (403, 422) raises an alarm event in the log; an unreachable one is only skipped until the next time.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx2

from events.ids import new_stream_id
from events.integrity import merkle
from events.integrity.checkpoint import CheckpointError, Verifier, open_checkpoint
from events.integrity.cosignature import Cosigner, require_cosignatures, valid_cosignatures, with_cosignatures
from events.witness import WitnessAlarmRaised
from hub.audit.verify import Problem
from hub.kernel.config import WitnessEndpoint
from projections.audit_log import AuditLog
from projections.viewdb import Row, ViewDatabase

log = logging.getLogger(__name__)

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS audit_cosignatures (tree_size BIGINT NOT NULL, witness TEXT NOT NULL, "
    "line TEXT NOT NULL, PRIMARY KEY (tree_size, witness))",
    "CREATE TABLE IF NOT EXISTS audit_witness_heads (witness TEXT PRIMARY KEY, tree_size BIGINT NOT NULL)",
    # A witness that keeps refusing raises one alarm, not one per checkpoint (alarms are events that grow the tree).
    "CREATE TABLE IF NOT EXISTS audit_witness_alarms (witness TEXT PRIMARY KEY)",
)
ALARMING = frozenset({403, 404, 409, 422})  # refused as unknown, badly signed, rolled back or inconsistent


@dataclass(frozen=True)
class Witness:
    url: str
    cosigner: Cosigner

    @classmethod
    def configured(cls, endpoint: WitnessEndpoint) -> Witness:
        return cls(endpoint.url.rstrip("/"), Cosigner.from_vkey(endpoint.vkey))


@dataclass(frozen=True)
class Outcome:
    witness: str
    status: int | None  # None: unreachable
    detail: str


class Witnessing:
    def __init__(
        self,
        log: AuditLog,
        database: ViewDatabase,
        witnesses: Sequence[Witness],
        alarm: Callable[[WitnessAlarmRaised], object],
        timeout: float,
    ) -> None:
        self.log = log
        self.database = database
        self.witnesses = tuple(witnesses)
        self.alarm = alarm
        self.timeout = timeout
        with database.transaction() as cursor:
            for statement in SCHEMA:
                cursor.execute(statement)

    @property
    def cosigners(self) -> tuple[Cosigner, ...]:
        return tuple(witness.cosigner for witness in self.witnesses)

    def _known_size(self, witness: Witness) -> int:
        rows = self.database.tuples(
            "SELECT tree_size FROM audit_witness_heads WHERE witness = ?", (witness.cosigner.name,)
        )
        return int(rows[0][0]) if rows else 0

    def _request(self, old_size: int, checkpoint: Row) -> bytes:
        size = int(checkpoint["tree_size"])
        proof = merkle.consistency_proof(self.log.leaf_hashes(size), old_size, size) if 0 < old_size < size else []
        lines = [f"old {old_size}", *(base64.b64encode(node).decode() for node in proof)]
        return ("\n".join(lines) + "\n\n" + str(checkpoint["note"])).encode()

    def _post(self, witness: Witness, old_size: int, checkpoint: Row) -> httpx2.Response:
        return httpx2.post(
            f"{witness.url}/add-checkpoint",
            content=self._request(old_size, checkpoint),
            timeout=self.timeout,
            follow_redirects=False,
        )

    def submit(self, checkpoint: Row) -> list[Outcome]:
        """Ask every witness to cosign `checkpoint`; store what they cosign, raise alarms for refusals."""
        return [self._submit_to(witness, checkpoint) for witness in self.witnesses]

    def _submit_to(self, witness: Witness, checkpoint: Row) -> Outcome:
        name, size = witness.cosigner.name, int(checkpoint["tree_size"])
        try:
            response = self._post(witness, self._known_size(witness), checkpoint)
            if response.status_code == 409 and response.text.strip().isdigit():
                their_size = int(response.text.strip())
                if their_size <= size:
                    response = self._post(witness, their_size, checkpoint)
        except httpx2.HTTPError as error:
            log.warning("witness %s unavailable: %s", name, type(error).__name__)
            return Outcome(name, None, "unavailable")
        if response.status_code != 200:
            reason = response.text.strip()[:500]
            if response.status_code in ALARMING and self._first_alarm(name):
                self.alarm(
                    WitnessAlarmRaised(
                        originator_id=new_stream_id(),
                        originator_version=1,
                        witness=name,
                        tree_size=size,
                        root_hash=checkpoint["root_hash"],
                        status=response.status_code,
                        reason=reason,
                    )
                )
            return Outcome(name, response.status_code, reason)
        try:
            cosigned = valid_cosignatures(with_cosignatures(checkpoint["note"], [response.text]), [witness.cosigner])
        except CheckpointError as error:
            return Outcome(name, 200, f"the cosignature does not verify: {error}")
        if not cosigned:
            return Outcome(name, 200, "no cosignature by the configured key")
        with self.database.transaction() as cursor:
            cursor.execute("DELETE FROM audit_cosignatures WHERE tree_size = ? AND witness = ?", (size, name))
            cursor.execute(
                "INSERT INTO audit_cosignatures (tree_size, witness, line) VALUES (?, ?, ?)",
                (size, name, cosigned[0].line),
            )
            cursor.execute("DELETE FROM audit_witness_heads WHERE witness = ?", (name,))
            cursor.execute("DELETE FROM audit_witness_alarms WHERE witness = ?", (name,))
            cursor.execute("INSERT INTO audit_witness_heads (witness, tree_size) VALUES (?, ?)", (name, size))
        return Outcome(name, 200, "cosigned")

    def _first_alarm(self, name: str) -> bool:
        with self.database.transaction() as cursor:
            cursor.execute("DELETE FROM audit_witness_alarms WHERE witness = ?", (name,))
            first = cursor.rowcount == 0
            cursor.execute("INSERT INTO audit_witness_alarms (witness) VALUES (?)", (name,))
        return first

    def cosigned_note(self, checkpoint: Row) -> str:
        """The checkpoint's signed note with every stored witness cosignature on it."""
        lines = self.database.tuples(
            "SELECT line FROM audit_cosignatures WHERE tree_size = ? ORDER BY witness", (int(checkpoint["tree_size"]),)
        )
        return with_cosignatures(checkpoint["note"], [line for (line,) in lines])

    def fetch_head(self, witness: Witness, origin: str) -> str | None:
        """The witness's latest cosigned checkpoint of this log (its monitoring endpoint); None if unreachable."""
        hashed = hashlib.sha256(origin.encode()).hexdigest()
        try:
            response = httpx2.get(f"{witness.url}/{hashed}/checkpoint", timeout=self.timeout, follow_redirects=False)
        except httpx2.HTTPError:
            return None
        return response.text if response.status_code == 200 else None

    def check(self, verifier: Verifier, quorum: int, cosigners: Sequence[Cosigner] = ()) -> list[Problem]:
        """Split-view checks for `hub audit verify --witnesses k`.

        The latest checkpoint must carry `quorum` valid cosignatures; every reachable witness's own latest
        checkpoint must match this store's tree at its size (a different root at the same size is a fork, a
        larger size a rollback).
        """
        problems: list[Problem] = []
        trusted = tuple(cosigners) or self.cosigners
        latest = self.log.latest_checkpoint()
        if latest is None:
            return [Problem("witness_quorum", "latest checkpoint", "no checkpoint has been signed yet")]
        try:
            require_cosignatures(self.cosigned_note(latest), trusted, quorum)
        except CheckpointError as error:
            problems.append(Problem("witness_quorum", f"checkpoint at tree size {latest['tree_size']}", str(error)))
        by_name = {cosigner.name for cosigner in trusted}
        for witness in self.witnesses:
            if witness.cosigner.name in by_name:
                problems.extend(self._compare(witness, verifier, int(latest["tree_size"])))
        return problems

    def _compare(self, witness: Witness, verifier: Verifier, our_size: int) -> list[Problem]:
        name = witness.cosigner.name
        note = self.fetch_head(witness, verifier.name)
        if note is None:
            return []
        try:
            theirs = open_checkpoint(note, verifier)
            if not valid_cosignatures(note, [witness.cosigner]):
                raise CheckpointError("it carries no cosignature of the witness")
        except CheckpointError as error:
            return [Problem("witness_checkpoint", f"witness {name}", str(error))]
        if theirs.size > our_size:
            return [
                Problem(
                    "witness_fork",
                    f"witness {name}",
                    f"the witness cosigned tree size {theirs.size}, larger than this log's {our_size}",
                )
            ]
        if merkle.root(self.log.leaf_hashes(theirs.size)) != theirs.root:
            return [
                Problem(
                    "witness_fork",
                    f"witness {name}",
                    f"the witness cosigned another root at tree size {theirs.size}: a second history exists",
                )
            ]
        return []
