"""`hub team ...`: name the worker, agree a task, tick its clock and show the team, as named users."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner

from events.team import TaskEscalated
from hub.cli import app
from hub.kernel.config import Settings
from hub.service import Hub
from tests.conftest import cli_store_with_a_referral, log_of


def test_the_team_from_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    referral_id = cli_store_with_a_referral(tmp_path, monkeypatch)
    hub = Hub(Settings(_env_file=None))  # type: ignore[call-arg]
    try:
        subject = str(hub.app.referral(UUID(referral_id)).child.subject_id)
        later = (hub.now() + timedelta(days=20)).isoformat()
    finally:
        hub.close()
    runner = CliRunner()
    named = runner.invoke(app, ["team", "worker", "--user", "tukums.cm", "--subject", subject, "--worker", "tukums.cm"])
    assert named.exit_code == 0, named.output
    task = ["team", "task", "--user", "tukums.cm", "--subject", subject, "--agency", "TUK-SKOLA", "--title", "Uzskaite"]
    assert runner.invoke(app, [*task, "--days", "2"]).exit_code == 0
    ticked = runner.invoke(app, ["team", "tick", "--at", later])
    assert "2 clock events appended" in ticked.output
    shown = runner.invoke(app, ["team", "show", "--user", "tukums.school", "--subject", subject])
    assert json.loads(shown.output)["responsible_worker"]["display_name"] == "Anna Bērziņa"
    refused = runner.invoke(app, ["team", "show", "--user", "riga.cm", "--subject", subject])
    assert refused.exit_code != 0
    sample = runner.invoke(app, ["team", "sample", "--user", "tukums.reviewer", "--size", "50"])
    assert sample.exit_code == 0, sample.output
    assert subject in {case["subject_id"] for case in json.loads(sample.output)["cases"]}
    assert runner.invoke(app, ["team", "sample", "--user", "riga.cm"]).exit_code != 0
    hub = Hub(Settings(_env_file=None))  # type: ignore[call-arg]
    try:
        assert len(log_of(hub, TaskEscalated)) == 1
    finally:
        hub.close()
