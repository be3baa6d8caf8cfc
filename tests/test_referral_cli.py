"""`hub referrals ...`, `hub clocks tick` and `hub supervision referrals` as staff use them (SQLite)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli import app
from tests.conftest import cli_store_with_a_referral


def test_a_referral_worked_from_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    referral_id = cli_store_with_a_referral(tmp_path, monkeypatch)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    run("referrals", "acknowledge", referral_id, "--user", "tukums.intake")
    run("referrals", "assign", referral_id, "--user", "tukums.head", "--worker", "tukums.cm")
    run("referrals", "accept", referral_id, "--user", "tukums.cm")
    closed = run("referrals", "close", referral_id, "--user", "tukums.cm", "--outcome", "services_provided")
    assert json.loads(closed)["status"] == "closed"
    milestones = json.loads(run("referrals", "timeline", referral_id, "--user", "tukums.school"))
    assert milestones["entries"][-1] == {**milestones["entries"][-1], "milestone": "closed"}
    assert "0 overdue" in run("clocks", "tick", "--now", "2026-12-01T10:00:00+02:00")
    figures = json.loads(run("supervision", "referrals", "--user", "ministry.supervisor"))
    assert figures["municipalities"][0]["referrals"] == 1

    denied = runner.invoke(app, ["referrals", "accept", referral_id, "--user", "tukums.school"])
    assert denied.exit_code == 1
    assert "action_not_permitted" in denied.output
    invalid = runner.invoke(app, ["referrals", "decline", referral_id, "--user", "tukums.cm", "--reason", " "])
    assert invalid.exit_code == 2
