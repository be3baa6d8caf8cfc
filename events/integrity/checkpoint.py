"""Signed checkpoints in the C2SP formats: `checkpoint` body, `signed-note` Ed25519 signature, `vkey` public key.

A checkpoint commits to (origin, tree size, root hash) and carries the signing time as an extension line. Anyone
with the hub's verifier key (`name+keyhash+base64key`) can check it offline.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar, Self

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519_TYPE = b"\x01"
SIGNATURE_DASH = "\u2014 "
TIME_PREFIX = "time "


class CheckpointError(ValueError):
    """The text is not a well-formed checkpoint, or no valid signature by the expected key is on it."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_hash(name: str, public_key: Ed25519PublicKey, key_type: bytes = ED25519_TYPE) -> bytes:
    """The 4-byte key id of a signed note: SHA-256(name || LF || type || key)[:4] (0x01 signer, 0x04 cosigner)."""
    return hashlib.sha256(name.encode() + b"\n" + key_type + _raw(public_key)).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    """A named Ed25519 public key, as in a C2SP `vkey` string."""

    name: str
    public_key: Ed25519PublicKey
    key_type: ClassVar[bytes] = ED25519_TYPE

    @property
    def key_id(self) -> bytes:
        return key_hash(self.name, self.public_key, self.key_type)

    def vkey(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{_b64(self.key_type + _raw(self.public_key))}"

    @classmethod
    def from_vkey(cls, vkey: str) -> Self:
        try:
            name, key_id_hex, encoded = vkey.strip().split("+", 2)
            material = base64.b64decode(encoded, validate=True)
            if material[:1] != cls.key_type or len(material) != 33:
                raise ValueError("not an Ed25519 key")
            verifier = cls(name, Ed25519PublicKey.from_public_bytes(material[1:]))
            if verifier.key_id.hex() != key_id_hex:
                raise ValueError("key id does not match the key")
        except ValueError as error:
            raise CheckpointError(f"invalid verifier key: {error}") from error
        return verifier


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    time: datetime

    def body(self) -> str:
        stamp = self.time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return f"{self.origin}\n{self.size}\n{_b64(self.root)}\n{TIME_PREFIX}{stamp}\n"


def sign_checkpoint(checkpoint: Checkpoint, name: str, key: Ed25519PrivateKey) -> str:
    """The signed note: body, a blank line, one signature line."""
    body = checkpoint.body()
    signature = key.sign(body.encode())
    key_id = key_hash(name, key.public_key())
    return f"{body}\n{signature_line(name, key_id + signature)}"


def parse_body(body: str) -> Checkpoint:
    lines = body.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise CheckpointError("a checkpoint body has an origin, a size, a root hash and ends with a newline")
    origin, size_text, root_text, *extensions = lines[:-1]
    if not origin or not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
        raise CheckpointError("invalid origin or tree size line")
    try:
        root = base64.b64decode(root_text, validate=True)
    except ValueError as error:
        raise CheckpointError("root hash is not base64") from error
    if len(root) != 32:
        raise CheckpointError("root hash is not 32 bytes")
    times = [line.removeprefix(TIME_PREFIX) for line in extensions if line.startswith(TIME_PREFIX)]
    if len(times) != 1:
        raise CheckpointError("missing time extension line")
    try:
        time = datetime.strptime(times[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError as error:
        raise CheckpointError("invalid time extension line") from error
    return Checkpoint(origin, int(size_text), root, time)


def split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """A signed note's body (with its final newline) and its signature lines as (key name, key id + signature)."""
    body, separator, signatures = note.partition("\n\n")
    if not separator:
        raise CheckpointError("no signature block")
    lines = []
    for line in signatures.splitlines():
        if not line.startswith(SIGNATURE_DASH):
            raise CheckpointError("malformed signature line")
        name, _, encoded = line.removeprefix(SIGNATURE_DASH).partition(" ")
        try:
            blob = base64.b64decode(encoded, validate=True)
        except ValueError as error:
            raise CheckpointError("signature is not base64") from error
        if len(blob) < 5:
            raise CheckpointError("signature is too short")
        lines.append((name, blob))
    return body + "\n", lines


def signature_line(name: str, blob: bytes) -> str:
    return f"{SIGNATURE_DASH}{name} {_b64(blob)}\n"


def open_checkpoint(note: str, verifier: Verifier) -> Checkpoint:
    """Parse a signed checkpoint and check that `verifier` signed it; raises CheckpointError otherwise."""
    body, signatures = split_note(note)
    checkpoint = parse_body(body)
    if checkpoint.origin != verifier.name:
        raise CheckpointError(f"origin {checkpoint.origin!r} is not the verifier's {verifier.name!r}")
    for name, blob in signatures:
        if name != verifier.name or blob[:4] != verifier.key_id:
            continue
        try:
            verifier.public_key.verify(blob[4:], body.encode())
        except InvalidSignature as error:
            raise CheckpointError("signature does not verify") from error
        return checkpoint
    raise CheckpointError(f"not signed by the expected key {verifier.key_id.hex()}")
