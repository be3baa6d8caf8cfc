"""The bytes a leaf commits to: one stored record exactly as the store holds it (ciphertext where encrypted)."""

from __future__ import annotations

import hashlib
import struct
from uuid import UUID

from events.integrity.merkle import LEAF_PREFIX

RECORD_FORMAT_VERSION = 1
_HEAD = struct.Struct(">BQ16sQI")
_LENGTH = struct.Struct(">I")


def _head(
    notification_id: int, originator_id: UUID | bytes, originator_version: int, topic: str, state: bytes
) -> bytes:
    """Everything before the state: fixed-width integers, the originator's 16 bytes, the length-prefixed topic and
    the state's length."""
    originator = originator_id if isinstance(originator_id, bytes) else originator_id.bytes
    encoded = topic.encode()
    head = _HEAD.pack(RECORD_FORMAT_VERSION, notification_id, originator, originator_version, len(encoded))
    return head + encoded + _LENGTH.pack(len(state))


def record_bytes(
    notification_id: int, originator_id: UUID | bytes, originator_version: int, topic: str, state: bytes
) -> bytes:
    """An unambiguous encoding: fixed-width integers, the originator's 16 bytes, length-prefixed topic and state."""
    return _head(notification_id, originator_id, originator_version, topic, state) + state


def record_leaf_hash(
    notification_id: int, originator_id: UUID | bytes, originator_version: int, topic: str, state: bytes
) -> bytes:
    """`leaf_hash(record_bytes(...))`, hashing the state where it lies rather than copying it into one string."""
    digest = hashlib.sha256(LEAF_PREFIX + _head(notification_id, originator_id, originator_version, topic, state))
    digest.update(state)
    return digest.digest()
