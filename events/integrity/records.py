"""The bytes a leaf commits to: one stored record exactly as the store holds it (ciphertext where encrypted)."""

from __future__ import annotations

import struct
from uuid import UUID

from events.integrity.merkle import leaf_hash

RECORD_FORMAT_VERSION = 1


def record_bytes(
    notification_id: int, originator_id: UUID | bytes, originator_version: int, topic: str, state: bytes
) -> bytes:
    """An unambiguous encoding: fixed-width integers, the originator's 16 bytes, length-prefixed topic and state."""
    topic_bytes = topic.encode()
    return b"".join(
        (
            struct.pack(">BQ", RECORD_FORMAT_VERSION, notification_id),
            originator_id if isinstance(originator_id, bytes) else originator_id.bytes,
            struct.pack(">QI", originator_version, len(topic_bytes)),
            topic_bytes,
            struct.pack(">I", len(state)),
            state,
        )
    )


def record_leaf_hash(
    notification_id: int, originator_id: UUID | bytes, originator_version: int, topic: str, state: bytes
) -> bytes:
    return leaf_hash(record_bytes(notification_id, originator_id, originator_version, topic, state))
