"""Ed25519 signatures over the exact bytes of a message, as agency systems send them to the hub."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SIGNATURE_HEADER = "signature"


def sign(key: Ed25519PrivateKey, value: bytes) -> bytes:
    """The header value an agency system attaches: the base64 signature of the message value."""
    return base64.b64encode(key.sign(value))


def verify(value: bytes, signature: bytes | None, public_keys: Iterable[str]) -> bool:
    """True if any of the agency's registered keys (base64, raw) signed exactly these bytes."""
    if not signature:
        return False
    try:
        raw_signature = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    for encoded in public_keys:
        try:
            Ed25519PublicKey.from_public_bytes(base64.b64decode(encoded)).verify(raw_signature, value)
        except InvalidSignature:
            continue
        return True
    return False
