"""Webhook signatures: the hub signs each delivery with its Ed25519 key; agencies verify with its public key.

Ed25519 rather than HMAC: an agency needs only the hub's public key (`hub webhooks public-key`), so there is no
shared secret to hand over, store, leak or rotate per webhook, and a signed delivery proves to a third party
(an auditor) that the hub sent it. The signed bytes are `hub-webhook/1\\n<timestamp>\\n<body>`: the prefix keeps
these signatures apart from anything else the key signs (bearer tokens), the timestamp lets a receiver refuse
replays of old deliveries. Verification is the library's Ed25519 check; no secret is compared byte by byte.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

DOMAIN = b"hub-webhook/1\n"
EVENT_ID_HEADER = "Hub-Event-Id"
TIMESTAMP_HEADER = "Hub-Timestamp"
KEY_ID_HEADER = "Hub-Key-Id"
SIGNATURE_HEADER = "Hub-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short name for the key, so a receiver holding several (during rotation) picks the right one."""
    return hashlib.sha256(public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


def signed_bytes(timestamp: int, body: bytes) -> bytes:
    return DOMAIN + str(timestamp).encode() + b"\n" + body


def signature_headers(key: Ed25519PrivateKey, event_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers a delivery carries besides its content type."""
    signature = base64.b64encode(key.sign(signed_bytes(timestamp, body))).decode()
    return {
        EVENT_ID_HEADER: event_id,
        TIMESTAMP_HEADER: str(timestamp),
        KEY_ID_HEADER: key_id(key.public_key()),
        SIGNATURE_HEADER: signature,
    }


def verify_delivery(
    public_key: Ed25519PublicKey,
    headers: Mapping[str, str],
    body: bytes,
    now: int,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """For receivers: True only if the hub signed exactly these bytes within `tolerance` seconds of `now`."""
    try:
        timestamp = int(headers[TIMESTAMP_HEADER])
        signature = base64.b64decode(headers[SIGNATURE_HEADER], validate=True)
    except (KeyError, ValueError, binascii.Error):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    try:
        public_key.verify(signature, signed_bytes(timestamp, body))
    except InvalidSignature:
        return False
    return True
