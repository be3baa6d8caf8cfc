"""Roles per process and elected jobs (issue 20's regressions).

- `hub serve` with `HUB_ROLES=api` runs no follower, signer, due work or notifications of its own; the default runs
  all four.
- The signer and the due work are elected by a PostgreSQL advisory lock: one holder, the others standing by, and a
  standby takes over when the holder's session ends (released, or its connection killed).
- No process writes the audit tree as it starts on PostgreSQL (every process did, and a restarted relay crashed
  on `audit_leaves_pkey`); two tree writers at once never fail, they follow each other.
- Followers in two processes applying the same views while reads wait for them never surface a conflict.
- Worker warnings are logged under the worker's name, not `adapters.kafka_relay`.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from adapters.kafka_relay import Backoff, follow_with_backoff
from hub.api.app import create_app
from hub.kernel.config import Settings
from hub.kernel.election import Election, elected
from hub.referrals.domain import ReferralDraft
from hub.service import Hub
from projections.audit_log import AuditLog
from tests.conftest import distinct_child_referral

SCHOOL, INTAKE = "tukums.school", "tukums.intake"


BACKGROUND = {"follower", "signer", "due-work", "notifications"}


def running_threads() -> set[str]:
    """The hub's background threads now running (the test client's own are not)."""
    return {thread.name for thread in threading.enumerate()} & BACKGROUND


@pytest.mark.parametrize(("roles", "expected"), [("api", set()), ("all", BACKGROUND), ("api,signer", {"signer"})])
def test_hub_serve_runs_the_background_roles_it_is_given(hub: Hub, roles: str, expected: set[str]) -> None:
    hub.settings = hub.settings.model_copy(update={"roles": roles})
    with TestClient(create_app(hub)) as client:
        started = running_threads()
        assert client.get("/readyz").status_code == 200
    assert started == expected
    assert running_threads() == set()


def test_roles_are_checked_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_ROLES", "api,relay")
    with pytest.raises(ValueError, match="roles"):
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert Settings(roles="api,signer", _env_file=None).background_roles == {"signer"}  # type: ignore[call-arg]


@pytest.mark.postgres
def test_one_holder_at_a_time_and_a_standby_takes_over(settings: Settings) -> None:
    if not settings.uses_postgres:
        pytest.skip("on SQLite the one process always holds")
    first, second = Election(settings, "signer"), Election(settings, "signer")
    try:
        assert first.holds()
        assert not second.holds()
        assert first.holds()  # still
        first.release()
        assert second.holds()
        assert not first.holds()
        with psycopg.connect(settings.postgres_conninfo(), autocommit=True) as admin:  # the holder's session dies
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> "
                "pg_backend_pid()"
            )
        assert not second.holds()  # it learns at its next round that it lost the lock
        assert first.holds()
    finally:
        first.release()
        second.release()


def test_on_sqlite_the_process_always_holds(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "hub.sqlite"), _env_file=None)  # type: ignore[call-arg]
    assert Election(settings, "signer").holds()
    assert Election(settings, "signer").holds()


def test_a_standby_does_no_work_and_a_holder_does_it_at_most_every_interval(tmp_path: Path) -> None:
    class Standby(Election):
        def holds(self) -> bool:
            return False

    settings = Settings(store=str(tmp_path / "hub.sqlite"), _env_file=None)  # type: ignore[call-arg]
    done: list[int] = []
    standby = elected(Standby(settings, "due-work"), lambda: done.append(1))
    standby()
    assert done == []
    holder = elected(Election(settings, "due-work"), lambda: done.append(1), every=3600)
    holder()
    holder()
    assert done == [1]


@pytest.mark.postgres
def test_no_process_writes_the_audit_tree_as_it_starts(hub: Hub) -> None:
    if not hub.settings.uses_postgres:
        pytest.skip("on SQLite the one process is the signer")
    size = hub.audit.log.state().size
    hub.referrals.submit(hub.principal_for(SCHOOL), ReferralDraft.model_validate(distinct_child_referral(1)))
    other = Hub(hub.settings)
    try:
        assert other.audit.log.state().size == size
    finally:
        other.close()


@pytest.mark.postgres
def test_two_tree_writers_at_once_follow_each_other(hub: Hub) -> None:
    for number in range(30):
        hub.referrals.submit(hub.principal_for(SCHOOL), ReferralDraft.model_validate(distinct_child_referral(number)))
    log = hub.audit.log
    writers = [
        AuditLog(hub.app.recorder, hub.store_db, log.signer, log.clock, batch_size=7) for _ in range(3)
    ]  # small batches: many chances to collide
    failures: list[BaseException] = []

    def catch_up(writer: AuditLog) -> None:
        try:
            writer.catch_up()
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=catch_up, args=(writer,)) for writer in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert log.state().size == (hub.app.recorder.max_notification_id() or 0)
    hub.audit.seal()
    report = hub.audit.verify()
    assert report.ok, report.problems


@pytest.mark.postgres
def test_followers_in_two_processes_never_fail_a_read(hub: Hub) -> None:
    other = Hub(hub.settings)
    failures: list[BaseException] = []
    stop = threading.Event()

    def read(target: Hub) -> None:
        intake = target.principal_for(INTAKE)
        while not stop.is_set():
            try:
                target.referrals.inbox(intake, "incoming", 50, None, "regression test")
            except BaseException as error:
                failures.append(error)

    readers = [threading.Thread(target=read, args=(target,)) for target in (hub, other, hub, other)]
    for reader in readers:
        reader.start()
    try:
        for number in range(40):
            writer = hub if number % 2 else other
            draft = ReferralDraft.model_validate(distinct_child_referral(number))
            writer.referrals.submit(writer.principal_for(SCHOOL), draft)
    finally:
        stop.set()
        for reader in readers:
            reader.join()
        other.close()
    assert failures == []


def test_worker_warnings_are_logged_under_the_workers_name(caplog: pytest.LogCaptureFixture) -> None:
    stop = threading.Event()

    def fail() -> None:
        stop.set()
        raise RuntimeError("down")

    with caplog.at_level(logging.WARNING):
        follow_with_backoff(fail, stop, 0.01, Backoff(first=0.01), "projections")
    assert [record.name for record in caplog.records] == ["hub.worker.projections"]
