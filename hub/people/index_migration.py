"""One-time migration of blind indexes to a new key, so that indexes older events keep in the clear confirm nothing.

Stores written before indexes were sealed hold each person's code and name index in the clear in the log, and
subject ids derived from a code's index. Both are only useful to someone holding the blind-index key. This makes
a new key, indexes every living person again under it from their decrypted codes and names (`SubjectReindexed`,
sealed under the person's key), and then destroys the old key file. Run it with the hub stopped: a running hub
keeps the old key in memory. Interrupted, it can be run again: the old key file goes only after the new indexes
are committed.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from events.base import SYSTEM, DomainEvent
from events.people import PersonDetails
from events.subjects import SubjectCodeAdded
from hub.kernel.blind_index import INDEX_KEY_FILE, BlindIndex
from hub.people import domain as domain
from hub.service import Hub

NEW_KEY_FILE = f"{INDEX_KEY_FILE}.new"
READ_BATCH = 1000


@dataclass
class KnownAs:
    """What the log says identifies one person: every code they had, and their name and birth date."""

    codes: set[str] = field(default_factory=set)
    name: tuple[str, str, date] | None = None


@dataclass(frozen=True)
class MigrationResult:
    reindexed: int  # living people whose indexes are now under the new key
    codes: int  # codes indexed again


def migrate_blind_indexes(hub: Hub) -> MigrationResult:
    """Index every living person under a new blind-index key, then destroy the old key file."""
    key_dir = hub.settings.key_dir
    hub.wait_for_views()
    new_key = secrets.token_bytes(32)
    _write_synced(key_dir / NEW_KEY_FILE, new_key)
    index = BlindIndex(new_key)
    people = _known_people(hub)
    events: list[DomainEvent] = []
    codes_indexed = 0
    for subject_id in hub.subjects.queries.record_ids():
        if hub.subject_keys.is_erased(subject_id):
            continue
        known = people.get(subject_id, KnownAs())
        codes = tuple(sorted(index.personal_code(code) for code in known.codes))
        codes_indexed += len(codes)
        name = index.name_and_birth_date(*known.name) if known.name is not None else None
        events.append(domain.reindex(hub.app.subject(subject_id), codes, name, SYSTEM, hub.now()))
    if events:
        hub.app.append(*events)
    hub.wait_for_views()
    _destroy_file(key_dir / INDEX_KEY_FILE)
    os.replace(key_dir / NEW_KEY_FILE, key_dir / INDEX_KEY_FILE)
    _sync_directory(key_dir)
    return MigrationResult(reindexed=len(events), codes=codes_indexed)


def _known_people(hub: Hub) -> dict[UUID, KnownAs]:
    """Every person's codes and name as the (decrypted) log names them."""
    people: dict[UUID, KnownAs] = {}
    position = 0
    while notifications := hub.app.recorder.select_notifications(position, READ_BATCH, inclusive_of_start=False):
        for notification in notifications:
            event = hub.app.mapper.to_domain_event(notification)
            if isinstance(event, SubjectCodeAdded) and event.personal_code:
                people.setdefault(event.originator_id, KnownAs()).codes.add(event.personal_code)
            for person in _people_in(event):
                known = people.setdefault(person.subject_id, KnownAs())
                if person.personal_code:
                    known.codes.add(person.personal_code)
                if known.name is None and person.birth_date is not None:
                    known.name = (person.given_name, person.family_name, person.birth_date)
        position = notifications[-1].id
    return people


def _people_in(value: Any) -> Iterator[PersonDetails]:
    if isinstance(value, PersonDetails):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _people_in(getattr(value, name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _people_in(item)


def _write_synced(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(descriptor, content)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _destroy_file(path: Path) -> None:
    """Overwrite the file with random bytes, push that to disk, then unlink it."""
    if path.exists():
        _write_synced(path, secrets.token_bytes(max(path.stat().st_size, 32)))
        path.unlink()


def _sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
