"""Team view: each person's responsible worker, the tasks agreed between agencies (who, by when, in what state)
and planned home visits (when, which agency), and the case-file reviews (whose case, which agency, which
catalogue) with their answers; ids, dates and states only: remarks stay in the sealed events."""

from __future__ import annotations

from functools import singledispatchmethod
from typing import ClassVar
from uuid import UUID

from events.team import (
    CaseReviewed,
    ResponsibleWorkerNamed,
    TaskAccepted,
    TaskAgreed,
    TaskEscalated,
    TaskFinished,
    TaskOverdue,
    TaskStatus,
    VisitCancelled,
    VisitDone,
    VisitJoined,
    VisitPlanned,
    VisitStatus,
)
from projections.dispatching import DispatchingView, not_handled
from projections.record_requests import utc_text
from projections.viewdb import Cursor, Row, ViewDatabase


class TeamView(DispatchingView):
    name = "team"
    schema: ClassVar[dict[str, str]] = {
        "view_team_workers": (
            "CREATE TABLE IF NOT EXISTS view_team_workers (subject_id TEXT PRIMARY KEY, agency_id TEXT NOT NULL, "
            "user_id TEXT NOT NULL, since TEXT NOT NULL)"
        ),
        "view_team_tasks": (
            "CREATE TABLE IF NOT EXISTS view_team_tasks (task_id TEXT PRIMARY KEY, seq BIGINT NOT NULL, "
            "subject_id TEXT NOT NULL, lead_agency_id TEXT NOT NULL, agency_id TEXT NOT NULL, due_at TEXT NOT NULL, "
            "status TEXT NOT NULL, overdue INTEGER NOT NULL)"
        ),
        "view_team_visits": (
            "CREATE TABLE IF NOT EXISTS view_team_visits (visit_id TEXT PRIMARY KEY, subject_id TEXT NOT NULL, "
            "agency_id TEXT NOT NULL, window_from TEXT NOT NULL, window_to TEXT NOT NULL, status TEXT NOT NULL)"
        ),
        "view_case_review_answers": (
            "CREATE TABLE IF NOT EXISTS view_case_review_answers (review_id TEXT NOT NULL, municipality TEXT NOT NULL, "
            "reviewed_on TEXT NOT NULL, criterion TEXT NOT NULL, verdict TEXT NOT NULL, prefilled INTEGER NOT NULL, "
            "PRIMARY KEY (review_id, criterion))"
        ),
        "view_case_reviews": (
            "CREATE TABLE IF NOT EXISTS view_case_reviews (review_id TEXT PRIMARY KEY, seq BIGINT NOT NULL, "
            "subject_id TEXT NOT NULL, reviewer_agency_id TEXT NOT NULL, catalogue TEXT NOT NULL, "
            "reviewed_on TEXT NOT NULL)"
        ),
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS ix_team_tasks_open ON view_team_tasks (status, due_at)",
        "CREATE INDEX IF NOT EXISTS ix_team_tasks_agency ON view_team_tasks (agency_id, seq)",
        "CREATE INDEX IF NOT EXISTS ix_case_review_period ON view_case_review_answers (municipality, reviewed_on)",
        "CREATE INDEX IF NOT EXISTS ix_case_reviews_agency ON view_case_reviews (reviewer_agency_id, catalogue)",
        "CREATE INDEX IF NOT EXISTS ix_case_reviews_subject ON view_case_reviews (reviewer_agency_id, subject_id, seq)",
    )

    on = singledispatchmethod(not_handled)

    @on.register
    def _(self, event: ResponsibleWorkerNamed, cursor: Cursor, notification_id: int) -> None:
        cursor.execute(
            "INSERT INTO view_team_workers (subject_id, agency_id, user_id, since) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (subject_id) DO UPDATE SET agency_id = excluded.agency_id, user_id = excluded.user_id, "
            "since = excluded.since",
            (str(event.about), str(event.agency_id), str(event.user_id), utc_text(event.timestamp)),
        )

    @on.register
    def _(self, event: TaskAgreed, cursor: Cursor, notification_id: int) -> None:
        cursor.execute(
            "INSERT INTO view_team_tasks (task_id, seq, subject_id, lead_agency_id, agency_id, due_at, status, "
            "overdue) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
            (
                str(event.task_id),
                notification_id,
                str(event.about),
                str(event.lead_agency_id),
                str(event.agency_id),
                utc_text(event.due_at),
                TaskStatus.AGREED.value,
            ),
        )

    @on.register
    def _(self, event: TaskAccepted, cursor: Cursor, notification_id: int) -> None:
        self._task_status(cursor, event.task_id, TaskStatus.ACCEPTED)

    @on.register
    def _(self, event: TaskFinished, cursor: Cursor, notification_id: int) -> None:
        self._task_status(cursor, event.task_id, TaskStatus.DONE if event.done else TaskStatus.NOT_DONE)

    @on.register
    def _(self, event: TaskOverdue, cursor: Cursor, notification_id: int) -> None:
        cursor.execute("UPDATE view_team_tasks SET overdue = 1 WHERE task_id = ?", (str(event.task_id),))

    @on.register
    def _(self, event: TaskEscalated, cursor: Cursor, notification_id: int) -> None:
        return None

    @on.register
    def _(self, event: VisitPlanned, cursor: Cursor, notification_id: int) -> None:
        cursor.execute(
            "INSERT INTO view_team_visits (visit_id, subject_id, agency_id, window_from, window_to, status) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                str(event.visit_id),
                str(event.about),
                str(event.agency_id),
                event.window_from.isoformat(),
                event.window_to.isoformat(),
                VisitStatus.PLANNED.value,
            ),
        )

    @on.register
    def _(self, event: VisitJoined, cursor: Cursor, notification_id: int) -> None:
        return None

    @on.register
    def _(self, event: VisitDone, cursor: Cursor, notification_id: int) -> None:
        self._visit_status(cursor, event.visit_id, VisitStatus.DONE)

    @on.register
    def _(self, event: VisitCancelled, cursor: Cursor, notification_id: int) -> None:
        self._visit_status(cursor, event.visit_id, VisitStatus.CANCELLED)

    @on.register
    def _(self, event: CaseReviewed, cursor: Cursor, notification_id: int) -> None:
        cursor.execute(
            "INSERT INTO view_case_reviews (review_id, seq, subject_id, reviewer_agency_id, catalogue, reviewed_on) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (review_id) DO NOTHING",
            (
                str(event.originator_id),
                notification_id,
                str(event.subject_id),
                str(event.reviewer_agency_id),
                event.catalogue,
                event.reviewed_on.isoformat(),
            ),
        )
        cursor.executemany(
            "INSERT INTO view_case_review_answers (review_id, municipality, reviewed_on, criterion, verdict, "
            "prefilled) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (review_id, criterion) DO NOTHING",
            [
                (
                    str(event.originator_id),
                    event.municipality,
                    event.reviewed_on.isoformat(),
                    answer.criterion,
                    answer.verdict.value,
                    int(answer.prefilled),
                )
                for answer in event.answers
            ],
        )

    @staticmethod
    def _task_status(cursor: Cursor, task_id: UUID, status: TaskStatus) -> None:
        cursor.execute("UPDATE view_team_tasks SET status = ? WHERE task_id = ?", (status.value, str(task_id)))

    @staticmethod
    def _visit_status(cursor: Cursor, visit_id: UUID, status: VisitStatus) -> None:
        cursor.execute("UPDATE view_team_visits SET status = ? WHERE visit_id = ?", (status.value, str(visit_id)))


class TeamQueries:
    def __init__(self, database: ViewDatabase) -> None:
        self.database = database

    def worker(self, subject_ids: list[UUID]) -> Row | None:
        """The current responsible worker named on any of the person's records (the latest)."""
        ids = [str(subject_id) for subject_id in subject_ids]
        if not ids:
            return None
        placeholders = ", ".join("?" for _ in ids)
        rows = self.database.query(
            f"SELECT * FROM view_team_workers WHERE subject_id IN ({placeholders}) ORDER BY since DESC LIMIT 1", ids
        )
        return rows[0] if rows else None

    def subjects_with_open_tasks_due(self, now_text: str) -> list[str]:
        rows = self.database.query(
            "SELECT DISTINCT subject_id FROM view_team_tasks WHERE status IN (?, ?) AND overdue = 0 AND due_at <= ?",
            (TaskStatus.AGREED.value, TaskStatus.ACCEPTED.value, now_text),
        )
        return [row["subject_id"] for row in rows]

    def tasks_of_agency(self, agency_id: UUID, limit: int) -> list[Row]:
        """Tasks the agency leads or is assigned, newest first."""
        return self.database.query(
            "SELECT * FROM view_team_tasks WHERE agency_id = ? OR lead_agency_id = ? ORDER BY seq DESC LIMIT ?",
            (str(agency_id), str(agency_id), limit),
        )

    def review_answers(self, date_from: str, date_to: str) -> list[Row]:
        """Every answer of reviews dated within the period (inclusive ISO dates), for the figures."""
        return self.database.query(
            "SELECT municipality, criterion, verdict FROM view_case_review_answers "
            "WHERE reviewed_on >= ? AND reviewed_on <= ? ORDER BY municipality, criterion",
            (date_from, date_to),
        )

    def reviews_of(self, agency_id: UUID, subject_id: UUID) -> list[str]:
        """Ids of the agency's reviews of this person's case file, newest first."""
        rows = self.database.query(
            "SELECT review_id FROM view_case_reviews WHERE reviewer_agency_id = ? AND subject_id = ? ORDER BY seq DESC",
            (str(agency_id), str(subject_id)),
        )
        return [row["review_id"] for row in rows]

    def reviewed_subjects(self, agency_id: UUID, catalogue: str) -> frozenset[str]:
        """The persons whose case files the agency has reviewed under this catalogue version."""
        rows = self.database.query(
            "SELECT DISTINCT subject_id FROM view_case_reviews WHERE reviewer_agency_id = ? AND catalogue = ?",
            (str(agency_id), catalogue),
        )
        return frozenset(row["subject_id"] for row in rows)
