"""Subject view: blind-index lookups (code -> subject, name + birth date -> subjects) and confirmed merges.

The indexes are sealed in the log under each person's key; this view opens them (`reads_personal_data`) and drops
them when the person is erased (the erasure then scrubs the views' files, see `ViewDatabase.scrub`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar
from uuid import UUID

from events.subjects import (
    SubjectCandidateMatched,
    SubjectCodeAdded,
    SubjectErased,
    SubjectMatchConfirmed,
    SubjectMatchRejected,
    SubjectRegistered,
    SubjectReindexed,
)
from projections.follower import View
from projections.viewdb import Cursor, Row, ViewDatabase


class SubjectView(View):
    name = "subjects"
    schema: ClassVar[dict[str, str]] = {
        "view_subjects": (
            "CREATE TABLE IF NOT EXISTS view_subjects (id TEXT PRIMARY KEY, name_index TEXT, "
            "canonical_id TEXT NOT NULL)"
        ),
        "view_subject_codes": (
            "CREATE TABLE IF NOT EXISTS view_subject_codes (code_index TEXT PRIMARY KEY, subject_id TEXT NOT NULL)"
        ),
        "view_subject_candidates": (
            "CREATE TABLE IF NOT EXISTS view_subject_candidates (subject_id TEXT NOT NULL, "
            "candidate_id TEXT NOT NULL, state TEXT NOT NULL, seq BIGINT NOT NULL, "
            "PRIMARY KEY (subject_id, candidate_id))"
        ),
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS ix_subjects_name ON view_subjects (name_index)",
        "CREATE INDEX IF NOT EXISTS ix_subjects_canonical ON view_subjects (canonical_id)",
        "CREATE INDEX IF NOT EXISTS ix_subject_codes_subject ON view_subject_codes (subject_id)",
        "CREATE INDEX IF NOT EXISTS ix_subject_candidates_candidate ON view_subject_candidates (candidate_id)",
    )
    handles = (
        SubjectRegistered,
        SubjectCodeAdded,
        SubjectCandidateMatched,
        SubjectMatchConfirmed,
        SubjectMatchRejected,
        SubjectErased,
        SubjectReindexed,
    )
    reads_personal_data = True
    purged_tables: ClassVar[tuple[str, ...]] = ("view_subjects", "view_subject_codes", "view_subject_candidates")

    def apply(self, cursor: Cursor, event: Any, notification_id: int) -> None:
        subject_id = str(event.originator_id)
        if isinstance(event, SubjectRegistered):
            cursor.execute(
                "INSERT INTO view_subjects (id, name_index, canonical_id) VALUES (?, ?, ?)",
                (subject_id, event.name_index, subject_id),
            )
            codes: tuple[str, ...] = event.code_indexes
        elif isinstance(event, SubjectCodeAdded):
            codes = (event.code_index,)
        elif isinstance(event, SubjectReindexed):
            cursor.execute("DELETE FROM view_subject_codes WHERE subject_id = ?", (subject_id,))
            cursor.execute("UPDATE view_subjects SET name_index = ? WHERE id = ?", (event.name_index, subject_id))
            codes = event.code_indexes
        elif isinstance(event, SubjectErased):
            self._purge(cursor, subject_id)
            return
        else:
            codes = ()
            self._candidate(cursor, event, notification_id)
        for code_index in filter(None, codes):  # an erased person's codes read as empty
            self._code(cursor, code_index, subject_id)

    @classmethod
    def _code(cls, cursor: Cursor, code_index: str, subject_id: str) -> None:
        """Record a code's holder. A code already held by another record (two submissions registered the same new
        person at once: ids are random, so nothing in the log stopped the second) makes the two one person."""
        cursor.execute(
            "INSERT INTO view_subject_codes (code_index, subject_id) VALUES (?, ?) ON CONFLICT (code_index) DO NOTHING",
            (code_index, subject_id),
        )
        holder = cursor.execute("SELECT subject_id FROM view_subject_codes WHERE code_index = ?", (code_index,))
        held_by = holder.fetchone()["subject_id"]
        if held_by != subject_id:
            cls._merge(cursor, subject_id, held_by)

    @staticmethod
    def _purge(cursor: Cursor, subject_id: str) -> None:
        """Drop everything derived from the person: their codes' and name's indexes and pending matches."""
        cursor.execute("DELETE FROM view_subject_codes WHERE subject_id = ?", (subject_id,))
        cursor.execute("UPDATE view_subjects SET name_index = NULL WHERE id = ?", (subject_id,))
        cursor.execute(
            "DELETE FROM view_subject_candidates WHERE subject_id = ? OR candidate_id = ?", (subject_id, subject_id)
        )

    @staticmethod
    def _candidate(cursor: Cursor, event: Any, notification_id: int) -> None:
        subject_id, candidate_id = str(event.originator_id), str(event.candidate_id)
        if isinstance(event, SubjectCandidateMatched):
            cursor.execute(
                "INSERT INTO view_subject_candidates (subject_id, candidate_id, state, seq) VALUES (?, ?, ?, ?)",
                (subject_id, candidate_id, "pending", notification_id),
            )
            return
        state = "confirmed" if isinstance(event, SubjectMatchConfirmed) else "rejected"
        cursor.execute(
            "UPDATE view_subject_candidates SET state = ? WHERE subject_id = ? AND candidate_id = ?",
            (state, subject_id, candidate_id),
        )
        if isinstance(event, SubjectMatchConfirmed):
            SubjectView._merge(cursor, subject_id, candidate_id)

    @staticmethod
    def _merge(cursor: Cursor, subject_id: str, into: str) -> None:
        """From now on every record of `subject_id`'s person is the same person as `into`."""
        row = cursor.execute("SELECT canonical_id FROM view_subjects WHERE id = ?", (into,)).fetchone()
        old = cursor.execute("SELECT canonical_id FROM view_subjects WHERE id = ?", (subject_id,)).fetchone()
        cursor.execute(
            "UPDATE view_subjects SET canonical_id = ? WHERE canonical_id = ?",
            (row["canonical_id"], old["canonical_id"]),
        )


class SubjectQueries:
    def __init__(self, database: ViewDatabase) -> None:
        self.database = database

    def by_code(self, code_index: str) -> UUID | None:
        """The person (its canonical record) who has or had this personal code."""
        rows = self.database.query(
            "SELECT s.canonical_id FROM view_subject_codes c JOIN view_subjects s ON s.id = c.subject_id "
            "WHERE c.code_index = ?",
            (code_index,),
        )
        return UUID(rows[0]["canonical_id"]) if rows else None

    def by_name(self, name_index: str) -> list[UUID]:
        """Canonical records with the same name and birth date: candidates, never certain matches."""
        rows = self.database.query(
            "SELECT DISTINCT canonical_id FROM view_subjects WHERE name_index = ? ORDER BY canonical_id",
            (name_index,),
        )
        return [UUID(row["canonical_id"]) for row in rows]

    def record_ids(self) -> list[UUID]:
        """Every subject record (erased ones included: their rows stay, without indexes)."""
        return [UUID(row["id"]) for row in self.database.query("SELECT id FROM view_subjects ORDER BY id")]

    def exists(self, subject_id: UUID) -> bool:
        return bool(self.database.query("SELECT 1 FROM view_subjects WHERE id = ?", (str(subject_id),)))

    def same_person(self, subject_ids: Iterable[UUID]) -> list[UUID]:
        """Every record merged with any of these subjects (including themselves)."""
        ids = [str(subject_id) for subject_id in subject_ids]
        if not ids:
            return []
        placeholders = ", ".join("?" for _ in ids)
        rows = self.database.query(
            f"SELECT id FROM view_subjects WHERE canonical_id IN "
            f"(SELECT canonical_id FROM view_subjects WHERE id IN ({placeholders}))",
            ids,
        )
        return [UUID(row["id"]) for row in rows]

    def pending_candidates(self, agency_id: UUID) -> list[Row]:
        """Candidate matches waiting for a decision, about subjects of referrals this agency received."""
        return self.database.query(
            "SELECT DISTINCT c.subject_id, c.candidate_id, c.seq, s.referral_id FROM view_subject_candidates c "
            "JOIN view_referral_subjects s ON s.subject_id = c.subject_id "
            "JOIN view_referral_recipients rr ON rr.referral_id = s.referral_id "
            "WHERE c.state = 'pending' AND rr.agency_id = ? ORDER BY c.seq",
            (str(agency_id),),
        )
