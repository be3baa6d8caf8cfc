"""Witness cosignatures in the C2SP `tlog-cosignature` format (Ed25519 `cosignature/v1`, with a timestamp).

A cosigner signs "cosignature/v1", a `time <seconds>` line and the checkpoint's whole body; the signature line is
`— <name> base64(key id || u64 timestamp || signature)`, the key id hashed with type byte 0x04. Anyone holding a
cosigner's `vkey` can check its line offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from events.integrity.checkpoint import CheckpointError, Verifier, key_hash, signature_line, split_note

COSIGNATURE_TYPE = b"\x04"
HEADER = "cosignature/v1\n"
MAX_TIMESTAMP = 2**63 - 1


class Cosigner(Verifier):
    """A witness's named Ed25519 public key (`vkey` with signature type 0x04)."""

    key_type: ClassVar[bytes] = COSIGNATURE_TYPE


def cosigned_message(body: str, timestamp: int) -> bytes:
    """What a v1 cosignature signs: header line, timestamp line, then the checkpoint body with its final newline."""
    return f"{HEADER}time {timestamp}\n{body}".encode()


def cosign(body: str, name: str, key: Ed25519PrivateKey, timestamp: int) -> str:
    """One cosignature line over the checkpoint `body` at `timestamp` (POSIX seconds, not zero)."""
    if not 0 < timestamp <= MAX_TIMESTAMP:
        raise ValueError("a cosignature's timestamp is a positive 63-bit number of seconds")
    signature = key.sign(cosigned_message(body, timestamp))
    key_id = key_hash(name, key.public_key(), COSIGNATURE_TYPE)
    return signature_line(name, key_id + timestamp.to_bytes(8, "big") + signature)


@dataclass(frozen=True)
class Cosignature:
    cosigner: str
    timestamp: int
    line: str


def valid_cosignatures(note: str, cosigners: Sequence[Cosigner]) -> list[Cosignature]:
    """The cosignatures on `note` by the given cosigners that verify; lines of unknown keys are ignored.

    A line whose name and key id match a known cosigner but whose signature fails makes the note malformed
    (signed-note), so it raises CheckpointError rather than being skipped.
    """
    body, signatures = split_note(note)
    by_id = {(cosigner.name, cosigner.key_id): cosigner for cosigner in cosigners}
    found: dict[str, Cosignature] = {}
    for name, blob in signatures:
        cosigner = by_id.get((name, blob[:4]))
        if cosigner is None:
            continue
        if len(blob) != 4 + 8 + 64:
            raise CheckpointError(f"the cosignature of {name} is not 76 bytes")
        timestamp = int.from_bytes(blob[4:12], "big")
        try:
            cosigner.public_key.verify(blob[12:], cosigned_message(body, timestamp))
        except InvalidSignature as error:
            raise CheckpointError(f"the cosignature of {name} does not verify") from error
        found[name] = Cosignature(name, timestamp, signature_line(name, blob))
    return list(found.values())


def require_cosignatures(note: str, cosigners: Sequence[Cosigner], quorum: int) -> list[Cosignature]:
    """At least `quorum` distinct cosigners among `cosigners` cosigned `note`; raises CheckpointError otherwise."""
    valid = valid_cosignatures(note, cosigners)
    if len(valid) < quorum:
        raise CheckpointError(f"{len(valid)} of the {quorum} witness cosignatures required are on the checkpoint")
    return valid


def with_cosignatures(note: str, lines: Sequence[str]) -> str:
    """The signed note with the cosignature lines appended (each once)."""
    present = set(note.splitlines(keepends=True))
    return note + "".join(line for line in dict.fromkeys(lines) if line not in present)
