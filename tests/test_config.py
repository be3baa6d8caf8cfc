"""Settings: defaults, the HUB_ prefix, and clear failures for invalid values."""

import subprocess
import sys

import pytest
from pydantic import ValidationError

from hub.kernel.config import Settings


def test_defaults_are_the_embedded_store() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert not settings.uses_postgres
    assert settings.eventsourcing_env()["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"


def test_postgres_url_maps_to_the_library_environment() -> None:
    settings = Settings(store="postgresql://hub:s%40cret@db.local:6543/hub", _env_file=None)  # type: ignore[call-arg]
    env = settings.eventsourcing_env()
    assert env["POSTGRES_HOST"] == "db.local"
    assert env["POSTGRES_PORT"] == "6543"
    assert env["POSTGRES_PASSWORD"] == "s@cret"
    assert env["POSTGRES_DBNAME"] == "hub"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("store", "mysql://x/y"),
        ("store", "postgresql://host-only"),
        ("port", "70000"),
        ("port", "http"),
        ("token_ttl_minutes", "0"),
    ],
)
def test_invalid_settings_are_rejected(monkeypatch: pytest.MonkeyPatch, field: str, value: str) -> None:
    monkeypatch.setenv(f"HUB_{field.upper()}", value)
    with pytest.raises(ValidationError):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_cli_fails_at_start_with_a_clear_message(tmp_path: object) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hub", "users", "list"],
        env={"HUB_PORT": "99999", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "HUB_PORT" in result.stderr
