"""Offline checking of a proof document from the hub, against a signed checkpoint and the hub's verifier key only."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any

from events.integrity.checkpoint import Checkpoint, CheckpointError, Verifier, open_checkpoint
from events.integrity.cosignature import Cosigner, require_cosignatures
from events.integrity.merkle import verify_consistency, verify_inclusion


class ProofError(ValueError):
    """The proof is malformed or does not prove what it claims."""


def _hash(value: Any, name: str) -> bytes:
    try:
        decoded = base64.b64decode(str(value), validate=True)
    except binascii.Error as error:
        raise ProofError(f"{name} is not base64") from error
    if len(decoded) != 32:
        raise ProofError(f"{name} is not a 32-byte hash")
    return decoded


def _int(document: dict[str, Any], name: str) -> int:
    value = document.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ProofError(f"{name} must be a non-negative integer")
    return value


def _open(note: Any, verifier: Verifier, name: str) -> Checkpoint:
    if not isinstance(note, str):
        raise ProofError(f"{name} is missing")
    try:
        return open_checkpoint(note, verifier)
    except CheckpointError as error:
        raise ProofError(f"{name}: {error}") from error


def check_proof(
    document: dict[str, Any],
    verifier: Verifier,
    checkpoint_note: str | None = None,
    cosigners: Sequence[Cosigner] = (),
    quorum: int = 0,
) -> Checkpoint:
    """Verify an inclusion or consistency proof; returns the checkpoint it is proven against, or raises ProofError.

    `checkpoint_note` (obtained independently, e.g. from a witness) takes the place of the one in the document.
    With `quorum` k, the checkpoint must also carry k valid cosignatures of the given witnesses' keys.
    """
    note = checkpoint_note or document.get("checkpoint")
    checkpoint = _open(note, verifier, "checkpoint")
    if quorum:
        try:
            require_cosignatures(str(note), cosigners, quorum)
        except CheckpointError as error:
            raise ProofError(f"checkpoint: {error}") from error
    path = document.get("proof")
    if not isinstance(path, list):
        raise ProofError("proof must be a list of hashes")
    nodes = [_hash(node, "proof node") for node in path]
    kind = document.get("type")
    if kind == "inclusion":
        size = _int(document, "tree_size")
        if size != checkpoint.size:
            raise ProofError(f"the proof is for tree size {size}, the checkpoint for {checkpoint.size}")
        leaf = _hash(document.get("leaf_hash"), "leaf_hash")
        if not verify_inclusion(leaf, _int(document, "leaf_index"), size, nodes, checkpoint.root):
            raise ProofError("the leaf is not included in the checkpointed tree")
    elif kind == "consistency":
        old = _open(document.get("old_checkpoint"), verifier, "old_checkpoint")
        if (old.size, checkpoint.size) != (_int(document, "from"), _int(document, "to")):
            raise ProofError("the proof's sizes differ from the checkpoints' sizes")
        if not verify_consistency(old.size, checkpoint.size, old.root, checkpoint.root, nodes):
            raise ProofError("the newer checkpoint does not extend the older one")
    else:
        raise ProofError("type must be inclusion or consistency")
    return checkpoint
