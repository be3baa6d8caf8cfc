"""Short-lived records in the store's own database, sealed with AES-GCM: a sign-in under way, a web session's
provider tokens, a form kept while its author signs in again, an assertion id already used.

Every process of the hub shares them (SQLite file or PostgreSQL), so a one-time value is one-time across replicas:
`add` refuses a key already present and `take` removes what it returns in the same statement. Values are JSON,
sealed under a key file of the key directory with the table and key as associated data, so a row copied to another
key or table does not open. Expired rows are never returned and are deleted as new ones arrive.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hub.kernel.keyfiles import load_or_create_key_file
from projections.viewdb import ViewDatabase

KEY_FILE = "sealed-records.key"
NONCE_BYTES = 12


def _now() -> datetime:
    return datetime.now(UTC)


class SealedRecords:
    """One table of sealed, expiring records keyed by a string."""

    def __init__(self, database: ViewDatabase, table: str, key: AESGCM) -> None:
        if not table.isidentifier():
            raise ValueError(f"not a table name: {table!r}")
        self.database, self.table, self._key = database, table, key
        with database.transaction() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, sealed TEXT NOT NULL, expires_at TEXT)"
            )

    def _seal(self, key: str, value: Any) -> str:
        nonce = os.urandom(NONCE_BYTES)
        plain = json.dumps(value, separators=(",", ":")).encode()
        return (nonce + self._key.encrypt(nonce, plain, f"{self.table}:{key}".encode())).hex()

    def _open(self, key: str, sealed: str) -> Any:
        data = bytes.fromhex(sealed)
        return json.loads(self._key.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], f"{self.table}:{key}".encode()))

    def add(self, key: str, value: Any, lifetime: timedelta) -> bool:
        """Keep `value` under `key` for `lifetime`; False (and nothing changes) if the key is already kept."""
        now = _now()
        with self.database.transaction() as cursor:
            cursor.execute(f"DELETE FROM {self.table} WHERE expires_at < ?", (now.isoformat(),))
            cursor.execute(
                f"INSERT INTO {self.table} (key, sealed, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO NOTHING RETURNING key",
                (key, self._seal(key, value), (now + lifetime).isoformat()),
            )
            return cursor.fetchone() is not None

    def replace(self, key: str, value: Any, lifetime: timedelta) -> None:
        """Keep `value` under `key` for `lifetime`, whatever was kept there before."""
        expires_at = (_now() + lifetime).isoformat()
        with self.database.transaction() as cursor:
            cursor.execute(
                f"INSERT INTO {self.table} (key, sealed, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET sealed = excluded.sealed, expires_at = excluded.expires_at",
                (key, self._seal(key, value), expires_at),
            )

    def get(self, key: str) -> Any | None:
        rows = self.database.query(
            f"SELECT sealed FROM {self.table} WHERE key = ? AND expires_at >= ?", (key, _now().isoformat())
        )
        return self._open(key, rows[0]["sealed"]) if rows else None

    def take(self, key: str) -> Any | None:
        """The value under `key`, removed in the same statement (so only one caller ever gets it)."""
        with self.database.transaction() as cursor:
            cursor.execute(f"DELETE FROM {self.table} WHERE key = ? RETURNING sealed, expires_at", (key,))
            row = cursor.fetchone()
        if row is None or datetime.fromisoformat(row["expires_at"]) < _now():
            return None
        return self._open(key, row["sealed"])

    def remove(self, key: str) -> None:
        with self.database.transaction() as cursor:
            cursor.execute(f"DELETE FROM {self.table} WHERE key = ?", (key,))


def sealing_key(key_dir: Path) -> AESGCM:
    """The AES-256-GCM key the sealed records of this store share (a 0600 file, created on first use)."""
    return AESGCM(load_or_create_key_file(key_dir, KEY_FILE, lambda: AESGCM.generate_key(bit_length=256)))
