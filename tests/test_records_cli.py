"""`hub records ...` and `hub handover ...` as support staff use them (SQLite)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from hub.cli import app
from hub.kernel.config import Settings
from hub.people.drafts import SubjectDraft
from hub.records.cli import handover_app, records_app
from hub.records.domain import RecordRequestDraft
from hub.records.handover import ResidenceChangeDraft
from hub.service import Hub
from tests.conftest import moved_child

app.add_typer(records_app, name="records")
app.add_typer(handover_app, name="handover")


def test_tick_escalates_once_and_handovers_are_accepted_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUB_STORE", str(tmp_path / "hub.sqlite"))
    monkeypatch.setenv("HUB_KEY_DIR", str(tmp_path / "keys"))
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "seed"]).exit_code == 0
    hub = Hub(Settings(_env_file=None))  # type: ignore[call-arg]
    try:
        child = moved_child(hub)
        subjects = [SubjectDraft(given_name="Elza", family_name="Kalniņa", personal_code=child["code"])]
        draft = RecordRequestDraft(
            municipality="tukuma-novads", subjects=subjects, basis="GDPR-6-1-c", categories=["assessment"]
        )
        hub.records.create(
            hub.principal_for("daugavpils.cm"), draft, datetime(2025, 10, 10, 15, 0, tzinfo=ZoneInfo("Europe/Riga"))
        )
        move = ResidenceChangeDraft(subjects=subjects, to_municipality="daugavpils", moved_on="2026-01-05")  # type: ignore[arg-type]
        handover = hub.handovers.record_move(hub.principal_for("tukums.cm"), move)
    finally:
        hub.close()

    first = runner.invoke(app, ["records", "tick", "--at", "2025-10-27T12:00:00+03:00"])
    assert (first.exit_code, first.output.strip()) == (
        0,
        "4 clock events appended.",
    )  # overdue + escalated, TUK-SD and TUK-BT
    assert (
        runner.invoke(app, ["records", "tick", "--at", "2025-10-27T12:00:00+03:00"]).output.strip()
        == "0 clock events appended."
    )
    escalated = runner.invoke(app, ["records", "list", "--user", "tukums.head", "--box", "escalated"])
    assert len(json.loads(escalated.output)) == 1

    accepted = runner.invoke(app, ["handover", "accept", "--user", "daugavpils.cm", "--id", handover["id"]])
    assert accepted.exit_code == 0, accepted.output
    assert json.loads(accepted.output)["owner"]["code"] == "DAU-SD"
    again = runner.invoke(app, ["handover", "accept", "--user", "daugavpils.cm", "--id", handover["id"]])
    assert again.exit_code == 1
    assert "illegal_transition" in again.output
    declined = runner.invoke(
        app, ["handover", "decline", "--user", "daugavpils.cm", "--id", handover["id"], "--reason", "par vēlu"]
    )
    assert declined.exit_code == 1
    assert "illegal_transition" in declined.output
    blank = runner.invoke(
        app, ["handover", "decline", "--user", "daugavpils.cm", "--id", handover["id"], "--reason", " "]
    )
    assert blank.exit_code == 2
