"""Released documents at rest: blobs in a directory, each sealed under the data key of the person it is about.

A blob is `subject id (16 bytes) || nonce (12 bytes) || ciphertext+tag`, bound to its document id as associated
data; erasing the person (destroying their key) makes their documents unreadable like the rest of their data.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from uuid import UUID

from events.personal import KeyDestroyed, TamperedCiphertext
from hub.kernel.subject_keys import DATA_KEY_ID, SubjectKeyStore


class DocumentCorrupted(Exception):
    """A stored blob does not decrypt or does not match the digest recorded in the log."""


class DocumentErased(Exception):
    """The person the document is about was erased."""


def _write_new(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class DocumentStore:
    def __init__(self, directory: Path, keys: SubjectKeyStore) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.keys = keys

    def _path(self, document_id: UUID) -> Path:
        return self.directory / f"{document_id}.blob"

    def put(self, document_id: UUID, subject_id: UUID, content: bytes) -> None:
        _, nonce, sealed = self.keys.encrypt_stored(subject_id, content, document_id.bytes)
        _write_new(self._path(document_id), subject_id.bytes + nonce + sealed)

    def get(self, document_id: UUID, sha256: str) -> bytes:
        blob = self._path(document_id).read_bytes()
        subject_id, nonce, sealed = UUID(bytes=blob[:16]), blob[16:28], blob[28:]
        try:
            content = self.keys.decrypt(subject_id, DATA_KEY_ID, nonce, sealed, document_id.bytes)
        except KeyDestroyed:
            raise DocumentErased(str(document_id)) from None
        except TamperedCiphertext as error:
            raise DocumentCorrupted(str(document_id)) from error
        if sha256_hex(content) != sha256:
            raise DocumentCorrupted(str(document_id))
        return content
