"""One data key per person (AES-256-GCM), wrapped by a master key; destroying it erases the person's data.

Master keys are files in `key_dir/master-keys/` (the embedded default); `MasterKeyWrapper` is the interface an
external KMS would implement. Wrapped data keys live in the `subject_keys` table of the store's own database (never
in the log). A new key is only pending until the application recorder commits it in the same transaction as the
first events sealed under it (`hub/kernel/key_recorders.py`): no extra write per new person, and never an event
whose key was not stored. An erased subject keeps a tombstone row, so no new key is ever made for it.

Destroying a key scrubs the store's files (`ViewDatabase.scrub`), so that no copy of the wrapped key survives in
a page, the WAL or a full-page image. On PostgreSQL that needs server settings, checked when the store opens
(`erasure_setting_problems`): each missing one is logged as a warning at start, naming the setting.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import IntegrityError

from events.personal import KeyDestroyed, TamperedCiphertext
from hub.kernel.keyfiles import load_or_create_key_file
from projections.viewdb import Cursor, ViewDatabase

log = logging.getLogger(__name__)

DATA_KEY_ID = "dk1"
KEY_TABLES = ("subject_keys",)
# (setting, value it must have, why): PostgreSQL settings without which erased keys survive in the WAL.
ERASURE_SETTINGS = (
    ("wal_recycle", "off", "recycled WAL segments keep old records, with erased keys, until overwritten"),
    ("wal_keep_size", "0", "kept WAL segments hold erased keys"),
    ("archive_mode", "off", "archived WAL segments hold erased keys"),
)
WRAP_CONTEXT = b"hub:subject-data-key"
CACHE_SIZE = 10_000
INSERT_KEY = (
    "INSERT INTO subject_keys (subject_id, master_key_id, wrapped) VALUES (?, ?, ?) ON CONFLICT (subject_id) DO NOTHING"
)
STORED_KEY = "SELECT wrapped, erased_at FROM subject_keys WHERE subject_id = ?"
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS subject_keys (subject_id TEXT PRIMARY KEY, master_key_id TEXT, "
    "wrapped TEXT, erased_at TEXT)"
)


class MasterKeyWrapper(Protocol):
    """Wraps and unwraps data keys; a KMS-backed implementation keeps the master key outside the hub."""

    @property
    def current_id(self) -> str: ...

    def wrap(self, data_key: bytes) -> tuple[str, bytes]: ...

    def unwrap(self, master_key_id: str, wrapped: bytes) -> bytes: ...


class FileMasterKeys:
    """Master keys as 0600 files named by creation time; the newest wraps new data keys."""

    def __init__(self, key_dir: Path) -> None:
        self.directory = key_dir / "master-keys"
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._loaded: dict[str, AESGCM] = {}
        if not self.ids():
            self.create()
        self._current = self.ids()[-1]

    def ids(self) -> list[str]:
        return sorted(path.stem for path in self.directory.glob("*.key"))

    @property
    def current_id(self) -> str:
        return self._current

    def create(self) -> str:
        key_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        load_or_create_key_file(self.directory, f"{key_id}.key", lambda: secrets.token_bytes(32))
        self._current = key_id
        return key_id

    def retire(self, key_id: str) -> None:
        (self.directory / f"{key_id}.key").unlink()
        self._loaded.pop(key_id, None)

    def _key(self, key_id: str) -> AESGCM:
        key = self._loaded.get(key_id)
        if key is None:
            path = self.directory / f"{key_id}.key"
            if not path.exists():
                raise TamperedCiphertext(f"master key {key_id} is not available")
            key = self._loaded[key_id] = AESGCM(path.read_bytes())
        return key

    def wrap(self, data_key: bytes) -> tuple[str, bytes]:
        key_id = self.current_id
        nonce = os.urandom(12)
        return key_id, nonce + self._key(key_id).encrypt(nonce, data_key, WRAP_CONTEXT)

    def unwrap(self, master_key_id: str, wrapped: bytes) -> bytes:
        try:
            return self._key(master_key_id).decrypt(wrapped[:12], wrapped[12:], WRAP_CONTEXT)
        except InvalidTag:
            raise TamperedCiphertext("a data key does not unwrap under its master key") from None


@dataclass(frozen=True)
class NewKey:
    """A data key made for a subject, waiting to be committed with the first events sealed under it."""

    subject_id: UUID
    master_key_id: str
    wrapped: bytes
    key: bytes


class SubjectKeyStore:
    """The hub's `SubjectCipher`: encrypts under each subject's data key, making it on first use."""

    def __init__(self, database: ViewDatabase, master: MasterKeyWrapper) -> None:
        self.database = database
        self.master = master
        self._cache: OrderedDict[UUID, AESGCM] = OrderedDict()  # ready ciphers: making one costs as much as a seal
        self._pending: dict[UUID, NewKey] = {}
        self._lock = threading.Lock()
        with database.transaction() as cursor:
            cursor.execute(SCHEMA)
        if database.dialect == "postgres":
            for problem in erasure_setting_problems(database):
                log.warning("erasure will not scrub every copy of a destroyed key: %s", problem)

    def encrypt(self, subject_id: UUID, plaintext: bytes, associated_data: bytes) -> tuple[str, bytes, bytes]:
        nonce = os.urandom(12)
        return (
            DATA_KEY_ID,
            nonce,
            self._data_key(subject_id, create=True).encrypt(nonce, plaintext, associated_data),
        )

    def decrypt(self, subject_id: UUID, key_id: str, nonce: bytes, ciphertext: bytes, associated_data: bytes) -> bytes:
        if key_id != DATA_KEY_ID:
            raise TamperedCiphertext(f"unknown data key id {key_id!r}")
        try:
            return self._data_key(subject_id, create=False).decrypt(nonce, ciphertext, associated_data)
        except InvalidTag:
            raise TamperedCiphertext("a personal field failed authentication") from None

    def encrypt_stored(self, subject_id: UUID, plaintext: bytes, associated_data: bytes) -> tuple[str, bytes, bytes]:
        """`encrypt` for data written outside an event append (documents): a new key is committed first."""
        sealed = self.encrypt(subject_id, plaintext, associated_data)
        with self._lock:
            new = self._pending.get(subject_id)
        if new is not None:
            with self.database.transaction() as cursor:
                self.write(cursor, [new])
            self.committed([new])
        return sealed

    def write(self, cursor: Cursor, new_keys: Sequence[NewKey], placeholder: str = "?") -> None:
        """Store new keys inside the caller's transaction; raise if the subject was erased or has another key."""
        for new in new_keys:
            subject_id = str(new.subject_id)
            cursor.execute(INSERT_KEY.replace("?", placeholder), (subject_id, new.master_key_id, new.wrapped.hex()))
            cursor.execute(STORED_KEY.replace("?", placeholder), (subject_id,))
            stored = cursor.fetchone()  # every cursor used here returns rows addressable by column name
            if stored["erased_at"] is not None:
                raise KeyDestroyed(subject_id)
            if stored["wrapped"] != new.wrapped.hex():
                self.lost_race(new)
                raise IntegrityError("another writer stored this person's data key first; retry")

    def pending(self) -> list[NewKey]:
        """The keys made since the last commit; the recorder stores them with the events it writes."""
        with self._lock:
            return list(self._pending.values())

    def committed(self, keys: list[NewKey]) -> None:
        """These keys are durable now: serve them from the cache."""
        with self._lock:
            for new in keys:
                if self._pending.get(new.subject_id) is new:
                    del self._pending[new.subject_id]
                self._remember(new.subject_id, new.key)

    def lost_race(self, new: NewKey) -> None:
        """Another writer stored a different key for this subject first: forget ours, so a retry uses theirs."""
        with self._lock:
            if self._pending.get(new.subject_id) is new:
                del self._pending[new.subject_id]

    def _data_key(self, subject_id: UUID, create: bool) -> AESGCM:
        with self._lock:
            cached = self._cache.get(subject_id)
            if cached is not None:
                self._cache.move_to_end(subject_id)
                return cached
            pending = self._pending.get(subject_id) if create else None
            if pending is not None:
                return AESGCM(pending.key)
        key = self._load(subject_id)
        if key is not None:
            with self._lock:
                return self._remember(subject_id, key)
        if not create:
            raise KeyDestroyed(str(subject_id))
        data_key = AESGCM.generate_key(bit_length=256)
        master_id, wrapped = self.master.wrap(data_key)
        with self._lock:
            return AESGCM(self._pending.setdefault(subject_id, NewKey(subject_id, master_id, wrapped, data_key)).key)

    def _remember(self, subject_id: UUID, key: bytes) -> AESGCM:
        cipher = self._cache[subject_id] = AESGCM(key)
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return cipher

    def _load(self, subject_id: UUID) -> bytes | None:
        rows = self.database.query(
            "SELECT master_key_id, wrapped, erased_at FROM subject_keys WHERE subject_id = ?", (str(subject_id),)
        )
        if not rows:
            return None
        if rows[0]["erased_at"] is not None:
            raise KeyDestroyed(str(subject_id))
        return self.master.unwrap(rows[0]["master_key_id"], bytes.fromhex(rows[0]["wrapped"]))

    def is_erased(self, subject_id: UUID) -> bool:
        rows = self.database.query("SELECT erased_at FROM subject_keys WHERE subject_id = ?", (str(subject_id),))
        return bool(rows) and rows[0]["erased_at"] is not None

    def destroy(self, subject_id: UUID, at: datetime) -> None:
        """Forget the subject's data key for good; a tombstone keeps it from ever being recreated."""
        with self.database.transaction() as cursor:
            cursor.execute(
                "INSERT INTO subject_keys (subject_id, erased_at) VALUES (?, ?) ON CONFLICT (subject_id) "
                "DO UPDATE SET master_key_id = NULL, wrapped = NULL, erased_at = excluded.erased_at",
                (str(subject_id), at.isoformat()),
            )
        with self._lock:
            self._cache.pop(subject_id, None)
            self._pending.pop(subject_id, None)

    def scrub(self) -> None:
        """After `destroy`: no copy of a destroyed wrapped key left in the store's files (raises `ScrubIncomplete`)."""
        self.database.scrub(KEY_TABLES)

    def rewrap_all(self) -> int:
        """Wrap every live data key under the current master key (after a rotation); returns how many."""
        rows = self.database.query(
            "SELECT subject_id, master_key_id, wrapped FROM subject_keys WHERE wrapped IS NOT NULL"
        )
        current = self.master.current_id
        moved = 0
        for row in rows:
            if row["master_key_id"] == current:
                continue
            data_key = self.master.unwrap(row["master_key_id"], bytes.fromhex(row["wrapped"]))
            master_id, wrapped = self.master.wrap(data_key)
            with self.database.transaction() as cursor:
                cursor.execute(
                    "UPDATE subject_keys SET master_key_id = ?, wrapped = ? WHERE subject_id = ?",
                    (master_id, wrapped.hex(), row["subject_id"]),
                )
            moved += 1
        return moved

    def master_keys_in_use(self) -> set[str]:
        rows = self.database.query("SELECT DISTINCT master_key_id FROM subject_keys WHERE wrapped IS NOT NULL")
        return {row["master_key_id"] for row in rows}


def erasure_setting_problems(database: ViewDatabase) -> list[str]:
    """What keeps a PostgreSQL store from scrubbing destroyed keys (settings, privileges, replication slots)."""
    names = [name for name, _, _ in ERASURE_SETTINGS]
    placeholders = ", ".join("?" for _ in names)
    current = {
        row["name"]: row["setting"]
        for row in database.query(f"SELECT name, setting FROM pg_settings WHERE name IN ({placeholders})", names)
    }
    problems = [
        f"{name} is {current.get(name)!r}, must be {wanted!r} ({why})"
        for name, wanted, why in ERASURE_SETTINGS
        if current.get(name) != wanted
    ]
    if database.query("SELECT 1 FROM pg_replication_slots LIMIT 1"):
        problems.append("a replication slot holds WAL segments, with erased keys, for as long as it lags")
    privileged = database.query(
        "SELECT rolsuper OR pg_has_role(current_user, 'pg_checkpoint', 'MEMBER') AS allowed "
        "FROM pg_roles WHERE rolname = current_user"
    )
    if not (privileged and privileged[0]["allowed"]):
        problems.append("the hub's database role may not run CHECKPOINT (grant it pg_checkpoint)")
    return problems


def rotate_master_key(master: FileMasterKeys, store: SubjectKeyStore) -> tuple[str, int, list[str]]:
    """Create a new master key, rewrap every data key under it, then delete the master keys no longer used.

    Returns the new key's id, how many data keys moved, and the retired key ids. Events are untouched: they are
    sealed under data keys, which do not change.
    """
    new_id = master.create()
    moved = store.rewrap_all()
    in_use = store.master_keys_in_use()
    retired = [key_id for key_id in master.ids() if key_id != new_id and key_id not in in_use]
    for key_id in retired:
        master.retire(key_id)
    return new_id, moved, retired


def move_keys_from_views(views: ViewDatabase, store: SubjectKeyStore) -> int:
    """Move key rows from where earlier versions kept them (the SQLite views file) into the store; returns how many."""
    found = views.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'subject_keys'")
    if not found:
        return 0
    rows = views.query("SELECT subject_id, master_key_id, wrapped, erased_at FROM subject_keys")
    with store.database.transaction() as cursor:
        for row in rows:
            cursor.execute(
                "INSERT INTO subject_keys (subject_id, master_key_id, wrapped, erased_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (subject_id) DO NOTHING",
                (row["subject_id"], row["master_key_id"], row["wrapped"], row["erased_at"]),
            )
    with views.transaction() as cursor:
        cursor.execute("DROP TABLE subject_keys")
    return len(rows)
