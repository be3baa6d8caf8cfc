"""CSV batch import of referrals (schools' spreadsheets): validate every row first, then submit the valid ones.

Each row is submitted under a key derived from its content, so re-running the same file adds nothing. Columns:
child_given_name, child_family_name, child_birth_date (YYYY-MM-DD), child_personal_code (optional), municipality,
concerns (separated by ';'), urgency, summary, and optionally parent_given_name, parent_family_name,
parent_relationship.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from hub.kernel.errors import DomainError
from hub.referrals.domain import ReferralDraft
from hub.service import Hub

REQUIRED_COLUMNS = (
    "child_given_name",
    "child_family_name",
    "child_birth_date",
    "municipality",
    "concerns",
    "urgency",
    "summary",
)
OPTIONAL_COLUMNS = ("child_personal_code", "parent_given_name", "parent_family_name", "parent_relationship")
MAX_ROWS = 10_000

# Where a draft field comes from in the file, for the report.
COLUMN_OF_FIELD = {
    "child.given_name": "child_given_name",
    "child.family_name": "child_family_name",
    "child.birth_date": "child_birth_date",
    "child.personal_code": "child_personal_code",
    "child.municipality": "municipality",
    "family.0.given_name": "parent_given_name",
    "family.0.family_name": "parent_family_name",
    "family.0.relationship": "parent_relationship",
}


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1-based data row (the header is row 0)
    field: str
    reason: str
    message: str


@dataclass(frozen=True)
class ValidRow:
    row: int
    draft: ReferralDraft
    key: str


@dataclass
class ImportReport:
    valid: list[ValidRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    submitted: list[tuple[int, str]] = field(default_factory=list)
    already_imported: list[tuple[int, str]] = field(default_factory=list)


class CsvFormatError(ValueError):
    """The file as a whole cannot be read (encoding, header, size)."""


def _blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def draft_body(row: dict[str, str]) -> dict[str, Any]:
    """The referral draft a row describes (validation happens in ReferralDraft)."""
    child: dict[str, Any] = {
        "given_name": row.get("child_given_name", ""),
        "family_name": row.get("child_family_name", ""),
        "birth_date": row.get("child_birth_date", ""),
        "municipality": row.get("municipality", "").strip(),
    }
    if code := _blank_to_none(row.get("child_personal_code")):
        child["personal_code"] = code
    family = []
    if any(_blank_to_none(row.get(column)) for column in OPTIONAL_COLUMNS[1:]):
        family.append(
            {
                "given_name": row.get("parent_given_name", ""),
                "family_name": row.get("parent_family_name", ""),
                "relationship": row.get("parent_relationship", "").strip(),
            }
        )
    concerns = [concern.strip() for concern in row.get("concerns", "").split(";") if concern.strip()]
    return {
        "child": child,
        "family": family,
        "concerns": concerns,
        "urgency": row.get("urgency", "").strip(),
        "summary": row.get("summary", ""),
    }


def row_key(row: dict[str, str]) -> str:
    """The row's idempotency key: a hash of its content (the same row in any file run is the same referral)."""
    canonical = "\x1f".join(f"{column}={row.get(column) or ''}" for column in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS))
    return "csv:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


def read_rows(content: bytes) -> list[dict[str, str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvFormatError("the file is not UTF-8 text") from error
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise CsvFormatError(f"missing columns: {', '.join(missing)}")
    unknown = [column for column in reader.fieldnames or [] if column not in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)]
    if unknown:
        raise CsvFormatError(f"unknown columns: {', '.join(unknown)}")
    rows = list(reader)
    if len(rows) > MAX_ROWS:
        raise CsvFormatError(f"at most {MAX_ROWS} rows per file")
    return rows


def validate(content: bytes) -> ImportReport:
    """Check every row; nothing is submitted here."""
    report = ImportReport()
    for number, row in enumerate(read_rows(content), start=1):
        try:
            draft = ReferralDraft.model_validate(draft_body(row))
        except ValidationError as error:
            for item in error.errors():
                path = ".".join(str(part) for part in item["loc"])
                column = COLUMN_OF_FIELD.get(path, path.split(".")[0])
                report.problems.append(RowProblem(number, column, item["type"], item["msg"]))
            continue
        report.valid.append(ValidRow(number, draft, row_key(row)))
    return report


def submit_valid(
    hub: Hub, agency_code: str, report: ImportReport, progress: Callable[[], None] = lambda: None
) -> ImportReport:
    """Submit the valid rows as the agency's integration user; refusals join the report as row problems."""
    principal = hub.principal_for(hub.registry.integration_user(agency_code))
    for valid in report.valid:
        try:
            receipt = hub.referrals.submit(principal, valid.draft, idempotency_key=valid.key)
        except DomainError as error:
            column = COLUMN_OF_FIELD.get(error.field or "", error.field or "row")
            report.problems.append(RowProblem(valid.row, column, error.reason, error.detail))
        else:
            done = report.already_imported if receipt.get("replayed") else report.submitted
            done.append((valid.row, receipt["id"]))
        progress()
    report.problems.sort(key=lambda problem: problem.row)
    return report


def problem_rows(problems: Iterable[RowProblem]) -> list[tuple[str, str, str, str]]:
    return [(str(problem.row), problem.field, problem.reason, problem.message) for problem in problems]
