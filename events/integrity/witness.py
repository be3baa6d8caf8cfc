"""The witness's side of C2SP `tlog-witness` add-checkpoint, as a pure decision over its recorded state.

`parse_request` reads the body (old size line, consistency proof lines, blank line, signed checkpoint);
`decide` checks it against the log keys the witness trusts and the last checkpoint it cosigned for that origin,
and either returns the new state to persist or a `Refusal` with the status the specification requires.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass

from events.integrity.checkpoint import Checkpoint, CheckpointError, Verifier, open_checkpoint, parse_body, split_note
from events.integrity.merkle import EMPTY_ROOT, verify_consistency

MAX_PROOF_LINES = 63


@dataclass(frozen=True)
class LogHead:
    """The latest checkpoint a witness cosigned for one origin (its note carries the witness's cosignature)."""

    origin: str
    size: int
    root: bytes
    note: str
    cosignature: str = ""


@dataclass(frozen=True)
class AddCheckpoint:
    old_size: int
    proof: tuple[bytes, ...]
    note: str


class Refusal(Exception):
    """The witness does not cosign: HTTP `status`, a plain reason and, for 409, its own size as the body."""

    def __init__(self, status: int, reason: str, size: int | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.size = size


def _decimal(text: str) -> int:
    if not text.isdigit() or not text.isascii() or (text != "0" and text.startswith("0")):
        raise Refusal(400, "the old size is not a decimal number without leading zeroes")
    return int(text)


def parse_request(body: bytes) -> AddCheckpoint:
    try:
        text = body.decode()
    except UnicodeDecodeError as error:
        raise Refusal(400, "the request is not UTF-8") from error
    head, separator, note = text.partition("\n\n")
    if not separator:
        raise Refusal(400, "no blank line between the proof and the checkpoint")
    old_line, *proof_lines = head.split("\n")
    if not old_line.startswith("old "):
        raise Refusal(400, "the first line is not `old <size>`")
    if len(proof_lines) > MAX_PROOF_LINES:
        raise Refusal(400, "more than 63 consistency proof lines")
    try:
        proof = tuple(base64.b64decode(line, validate=True) for line in proof_lines)
    except binascii.Error as error:
        raise Refusal(400, "a consistency proof line is not base64") from error
    return AddCheckpoint(_decimal(old_line.removeprefix("old ")), proof, note)


def _checkpoint(note: str, verifier: Verifier) -> Checkpoint:
    try:
        return open_checkpoint(note, verifier)
    except CheckpointError as error:
        raise Refusal(403, f"the checkpoint is not validly signed by the log: {error}") from error


def decide(request: AddCheckpoint, logs: Mapping[str, Verifier], heads: Mapping[str, LogHead]) -> LogHead:
    """The head to record (and cosign) for this request, or raises Refusal."""
    try:
        origin = parse_body(split_note(request.note)[0]).origin
    except CheckpointError as error:
        raise Refusal(400, f"the checkpoint is malformed: {error}") from error
    verifier = logs.get(origin)
    if verifier is None:
        raise Refusal(404, "this witness does not know the log's origin")
    checkpoint = _checkpoint(request.note, verifier)
    if request.old_size > checkpoint.size:
        raise Refusal(400, "the old size is larger than the checkpoint's size")
    head = heads.get(origin)
    known = head.size if head else 0
    if request.old_size != known:
        raise Refusal(409, "the old size is not the size this witness last cosigned", known)
    if checkpoint.size == 0 and checkpoint.root != EMPTY_ROOT:
        raise Refusal(422, "a checkpoint of size zero must have the empty tree's root")
    if request.old_size == 0:
        if request.proof:
            raise Refusal(422, "a proof from size zero must be empty")
    elif head is not None and not verify_consistency(
        head.size, checkpoint.size, head.root, checkpoint.root, request.proof
    ):
        raise Refusal(422, "the checkpoint is not consistent with the one this witness last cosigned")
    return LogHead(origin, checkpoint.size, checkpoint.root, request.note)
