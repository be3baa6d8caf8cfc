"""CSV import: every row validated first, a row-by-row report, valid rows submitted once (re-runs add nothing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters import csv_import
from adapters.cli import compose
from events.registry import agency_id_for
from hub.kernel.config import Settings
from hub.referrals.service import idempotent_referral_id
from hub.service import Hub
from tests.conftest import head

HEADER = (
    "child_given_name,child_family_name,child_birth_date,child_personal_code,municipality,concerns,urgency,summary,"
    "parent_given_name,parent_family_name,parent_relationship\n"
)
GOOD_1 = (
    "Elza,Kalniņa,2015-04-12,120415-20001,tukuma-novads,neglect;school_absence,urgent,Nav skolā 2 nedēļas,"
    "Inga,Kalniņa,mother\n"
)
BAD_DATE = "Jānis,Ozols,2015-13-40,,tukuma-novads,school_absence,routine,Kavē stundas,,,\n"
GOOD_2 = "Roberts,Liepa,2012-01-30,,tukuma-novads,school_absence,routine,Kavē stundas,,,\n"
BAD_TWICE = "Anna,Bērziņa,2014-02-02,,atlantis,homesick,whenever,Kavē,,,\n"
FILE = HEADER + GOOD_1 + BAD_DATE + GOOD_2 + BAD_TWICE


def run_import(settings: Settings, path: Path) -> tuple[int, str]:
    env = {"HUB_STORE": settings.store, "HUB_KEY_DIR": str(settings.key_dir)}
    result = CliRunner().invoke(compose(), ["import", "referrals", str(path), "--agency", "TUK-SKOLA"], env=env)
    return result.exit_code, " ".join(result.output.split())


def test_the_report_names_each_bad_row_and_field_and_a_rerun_adds_nothing(
    hub: Hub, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "skola.csv"
    path.write_text(FILE, encoding="utf-8")
    code, output = run_import(settings, path)
    assert code == 1
    assert "2 submitted, 0 already imported, 2 rejected." in output
    report = csv_import.validate(path.read_bytes())
    assert [(problem.row, problem.field) for problem in report.problems] == [
        (2, "child_birth_date"),
        (4, "municipality"),
        (4, "concerns"),
        (4, "urgency"),
    ]
    school = agency_id_for("TUK-SKOLA")
    for valid in report.valid:
        assert hub.app.exists(idempotent_referral_id(school, valid.key))
    before = head(hub)
    code, output = run_import(settings, path)
    assert code == 1
    assert "0 submitted, 2 already imported, 2 rejected." in output
    assert head(hub) == before


def test_a_file_without_the_required_columns_is_refused_before_any_row() -> None:
    with pytest.raises(csv_import.CsvFormatError, match="missing columns: urgency"):
        csv_import.validate(HEADER.replace(",urgency", "").encode() + b"x\n")
    with pytest.raises(csv_import.CsvFormatError, match="not UTF-8"):
        csv_import.validate(HEADER.encode() + "Jānis".encode("utf-16"))


def test_row_keys_follow_content_only() -> None:
    first = csv_import.validate((HEADER + GOOD_1).encode()).valid[0].key
    again = csv_import.validate((HEADER + GOOD_2 + GOOD_1).encode()).valid[1].key
    changed = csv_import.validate((HEADER + GOOD_1.replace("urgent", "routine")).encode()).valid[0].key
    assert first == again
    assert first != changed
