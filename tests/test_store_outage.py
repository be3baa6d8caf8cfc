"""While PostgreSQL is away every request answers 503 `store_unavailable` (problem+json, Retry-After), never 500 or
a hang; `/readyz` says so; after the server is back the very first requests succeed (pooled connections are checked
before use); the command line says why it could not open the store.

Regressions: 500s with a plain-text body during an outage, requests held up to the pool's 30 s, `/readyz` hanging,
and 500s after recovery from stale pooled connections (issue 20).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from adapters.cli import compose
from hub.api.app import create_app
from hub.kernel.config import Settings
from hub.kernel.store_outage import store_outage
from hub.registry.demo import seed_demo
from hub.service import Hub
from tests.conftest import distinct_child_referral
from tests.pg import Cluster, free_port, start_cluster

pytestmark = pytest.mark.postgres
SCHOOL, INTAKE = "tukums.school", "tukums.intake"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A cluster of this module's own: its tests stop and start it."""
    instance = start_cluster()
    try:
        yield instance
    finally:
        instance.stop()
        shutil.rmtree(instance.directory, ignore_errors=True)


@pytest.fixture
def served(cluster: Cluster, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = Settings(  # type: ignore[call-arg]
        store=cluster.create_database(f"t_{uuid.uuid4().hex}"),
        key_dir=tmp_path / "keys",
        store_timeout_seconds=1.0,
        _env_file=None,
    )
    hub = Hub(settings)
    seed_demo(hub)
    tokens = {user: f"Bearer {hub.issue_token(user)}" for user in (SCHOOL, INTAKE)}
    try:
        with TestClient(create_app(hub, follow_in_background=False), raise_server_exceptions=False) as client:
            yield client, tokens
    finally:
        hub.close()


def submit(client: TestClient, tokens: dict[str, str], number: int) -> tuple[int, str]:
    headers = {"Authorization": tokens[SCHOOL], "Idempotency-Key": f"outage-{number}"}
    response = client.post("/v1/referrals", json=distinct_child_referral(number), headers=headers)
    return response.status_code, response.text[:300]


def assert_store_unavailable(response: object) -> None:
    assert response.status_code == 503, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    assert response.json()["reason"] == "store_unavailable"  # type: ignore[attr-defined]
    assert int(response.headers["retry-after"]) > 0  # type: ignore[attr-defined]


def test_while_the_store_is_away_requests_are_503_and_the_first_after_it_returns_succeed(
    cluster: Cluster, served: tuple[TestClient, dict[str, str]]
) -> None:
    client, tokens = served
    assert submit(client, tokens, 1)[0] == 201
    assert client.get("/v1/inbox", headers={"Authorization": tokens[INTAKE]}).status_code == 200
    cluster.stop()
    try:
        assert_store_unavailable(client.get("/v1/inbox", headers={"Authorization": tokens[INTAKE]}))
        assert_store_unavailable(
            client.post(
                "/v1/referrals",
                json=distinct_child_referral(2),
                headers={"Authorization": tokens[SCHOOL], "Idempotency-Key": "outage-2"},
            )
        )
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["status"] == "unavailable"
        assert "retry-after" in ready.headers
        page = client.get("/inbox", headers={"Authorization": tokens[INTAKE]}, follow_redirects=False)
        assert page.status_code in (303, 503)  # a person gets a page (or the sign-in), never a 500
    finally:
        cluster.resume()
    assert client.get("/readyz").status_code == 200
    assert client.get("/v1/inbox", headers={"Authorization": tokens[INTAKE]}).status_code == 200
    status, body = submit(client, tokens, 2)
    assert status == 201, body  # the same key as the refused try: now accepted once
    assert submit(client, tokens, 3)[0] == 201


def test_an_error_raised_from_a_lost_connection_counts_as_an_outage() -> None:
    import psycopg

    wrapped = RuntimeError("the batch was not committed")
    wrapped.__cause__ = psycopg.OperationalError("server closed the connection unexpectedly")
    assert store_outage(wrapped)
    assert not store_outage(ValueError("bad input"))


def test_the_command_line_says_why_it_cannot_open_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    password = tmp_path / "password"
    password.write_text("not-this-one\n", encoding="utf-8")
    monkeypatch.setenv("HUB_STORE", f"postgresql://hub@127.0.0.1:{free_port()}/hub")
    monkeypatch.setenv("HUB_STORE_PASSWORD_FILE", str(password))
    monkeypatch.setenv("HUB_STORE_TIMEOUT_SECONDS", "0.5")
    monkeypatch.setenv("HUB_KEY_DIR", str(tmp_path / "keys"))
    result = CliRunner().invoke(compose(), ["users", "list"])
    assert result.exit_code == 3, result.output
    assert "Cannot open the store" in result.output
    assert "HUB_STORE_PASSWORD_FILE" in result.output
    assert "not-this-one" not in result.output


def test_the_password_comes_from_its_file_not_the_url(tmp_path: Path) -> None:
    password = tmp_path / "password"
    password.write_text("s3cret from file\n", encoding="utf-8")
    settings = Settings(  # type: ignore[call-arg]
        store="postgresql://hub:in-url@db:5432/hub", store_password_file=password, _env_file=None
    )
    assert settings.eventsourcing_env()["POSTGRES_PASSWORD"] == "s3cret from file"
    assert "password='s3cret from file'" in settings.postgres_conninfo()
    assert "in-url" not in settings.postgres_conninfo()
