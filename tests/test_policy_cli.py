"""`hub consent ...` and `hub policy explain` as support staff use them (SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli import app
from hub.kernel.config import Settings
from hub.service import Hub
from tests.conftest import known_child


def test_consent_commands_and_explain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_STORE", str(tmp_path / "hub.sqlite"))
    monkeypatch.setenv("HUB_KEY_DIR", str(tmp_path / "keys"))
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "seed"]).exit_code == 0
    hub = Hub(Settings(_env_file=None))  # type: ignore[call-arg]
    try:
        subject = known_child(hub)["subject_id"]  # Tukums' social service leads her case
    finally:
        hub.close()
    granted = runner.invoke(
        app,
        [
            "consent",
            "grant",
            "--user",
            "tukums.cm",
            "--subject",
            subject,
            "--grantor",
            "Inga Kalniņa",
            "--relationship",
            "mother",
            "--purpose",
            "education_support",
            "--category",
            "school_attendance",
            "--to-kind",
            "school",
            "--evidence",
            "DOC-17",
        ],
    )
    assert granted.exit_code == 0, granted.output
    consent_id = granted.output.split()[1]
    explain = [
        "policy",
        "explain",
        "--user",
        "tukums.cm",
        "--action",
        "disclose",
        "--resource",
        f"subject:{subject}",
        "--to",
        "TUK-SKOLA",
        "--category",
        "school_attendance",
        "--purpose",
        "education_support",
        "--consent",
        consent_id,
    ]
    permitted = runner.invoke(app, explain)
    assert "decision: permit" in permitted.output
    assert f"consent: {consent_id} version 1" in permitted.output
    assert "disclose.consent" in permitted.output
    withdrawn = runner.invoke(app, ["consent", "withdraw", "--user", "tukums.cm", "--id", consent_id, "--reason", "x"])
    assert withdrawn.exit_code == 0, withdrawn.output
    denied = runner.invoke(app, explain)
    assert "decision: deny" in denied.output
    assert "disclose.consent-withdrawn" in denied.output
    listed = runner.invoke(app, ["consent", "list", "--user", "tukums.cm", "--subject", subject])
    assert '"withdrawn"' in listed.output
    inbox = runner.invoke(
        app, ["policy", "explain", "--user", "tukums.school", "--action", "inbox.read", "--resource", "inbox"]
    )
    assert "decision: deny" in inbox.output
    unknown = runner.invoke(app, ["policy", "explain", "--user", "tukums.cm", "--action", "x", "--resource", "y"])
    assert unknown.exit_code == 1
