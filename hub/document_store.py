"""Released documents at rest: AES-256-GCM blobs in a directory, one data key file (mode 0600) for now.

The only module that touches document crypto, so per-person keys can replace the single data key later.
Each blob is `nonce (12 bytes) || ciphertext+tag`, bound to its document id as associated data.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

DATA_KEY_FILE = "document-data-key"
NONCE_BYTES = 12


class DocumentCorrupted(Exception):
    """A stored blob does not decrypt or does not match the digest recorded in the log."""


def _write_new(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def load_or_create_data_key(key_dir: Path) -> bytes:
    key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = key_dir / DATA_KEY_FILE
    if not path.exists():
        _write_new(path, AESGCM.generate_key(bit_length=256))
    key = path.read_bytes()
    if len(key) != 32:
        raise ValueError(f"{path} does not hold a 256-bit key")
    return key


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class DocumentStore:
    def __init__(self, directory: Path, key_dir: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._cipher = AESGCM(load_or_create_data_key(key_dir))

    def _path(self, document_id: UUID) -> Path:
        return self.directory / f"{document_id}.blob"

    def put(self, document_id: UUID, content: bytes) -> None:
        nonce = os.urandom(NONCE_BYTES)
        _write_new(self._path(document_id), nonce + self._cipher.encrypt(nonce, content, document_id.bytes))

    def get(self, document_id: UUID, sha256: str) -> bytes:
        blob = self._path(document_id).read_bytes()
        try:
            content = self._cipher.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], document_id.bytes)
        except Exception as error:
            raise DocumentCorrupted(str(document_id)) from error
        if sha256_hex(content) != sha256:
            raise DocumentCorrupted(str(document_id))
        return content
