"""`hub audit verify` against raw-SQL tampering of the real SQLite file and the real PostgreSQL table."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from events.integrity.checkpoint import Verifier, open_checkpoint
from hub.audit.service import CHECKPOINT_KEY_FILE
from hub.cli import app as cli_app
from hub.kernel.config import Settings
from hub.registry.demo import seed_demo
from hub.service import Hub
from projections.audit_log import CheckpointSigner

NOTIFICATION = 5  # the record the tests tamper with; covered by both checkpoints


@contextmanager
def raw_store(settings: Settings) -> Iterator[Any]:
    """A plain DB-API connection to the event store, bypassing the hub entirely."""
    if settings.uses_postgres:
        with psycopg.connect(settings.postgres_conninfo(), autocommit=True) as connection:
            yield connection
    else:
        connection = sqlite3.connect(settings.store, isolation_level=None)
        try:
            yield connection
        finally:
            connection.close()


def events_table(settings: Settings) -> str:
    """eventsourcing names the table after the application on PostgreSQL only."""
    return "hub_events" if settings.uses_postgres else "stored_events"


def run(settings: Settings, sql_sqlite: str, sql_postgres: str, params: tuple[Any, ...] = ()) -> None:
    with raw_store(settings) as connection:
        if settings.uses_postgres:
            connection.execute(sql_postgres.replace("stored_events", "hub_events"), params)
        else:
            connection.execute(sql_sqlite.replace("%s", "?"), params)


def flip_one_byte(settings: Settings, notification: int = NOTIFICATION) -> None:
    id_column = "notification_id" if settings.uses_postgres else "rowid"
    with raw_store(settings) as connection:
        sql = f"SELECT state FROM {events_table(settings)} WHERE {id_column} = {notification}"
        state = bytearray(connection.execute(sql).fetchone()[0])
    state[10] ^= 0x01
    run(
        settings,
        f"UPDATE stored_events SET state = %s WHERE rowid = {notification}",
        f"UPDATE stored_events SET state = %s WHERE notification_id = {notification}",
        (bytes(state),),
    )


def delete_record(settings: Settings) -> None:
    run(
        settings,
        f"DELETE FROM stored_events WHERE rowid = {NOTIFICATION}",
        f"DELETE FROM stored_events WHERE notification_id = {NOTIFICATION}",
    )


def swap_two_records(settings: Settings) -> None:
    for old, new in ((NOTIFICATION, -1), (NOTIFICATION + 1, NOTIFICATION), (-1, NOTIFICATION + 1)):
        run(
            settings,
            f"UPDATE stored_events SET rowid = {new} WHERE rowid = {old}",
            f"UPDATE stored_events SET notification_id = {new} WHERE notification_id = {old}",
        )


def truncate_tail(settings: Settings) -> None:
    run(settings, "DELETE FROM stored_events WHERE rowid > 25", "DELETE FROM stored_events WHERE notification_id > 25")


@pytest.fixture
def sealed(hub: Hub) -> Hub:
    """The demo registry (35 records) under one checkpoint, three more records under a second one."""
    hub.audit.seal()
    for name in ("audit.one", "audit.two", "audit.three"):
        hub.registry.register_user(name, "Test User", "DAS", ["auditor"])
    hub.audit.seal()
    assert [int(row["tree_size"]) for row in hub.audit.log.checkpoints()] == [35, 38]
    return hub


def test_an_untouched_log_verifies(sealed: Hub) -> None:
    report = sealed.audit.verify()
    assert report.ok, report.problems
    assert (report.records, report.checkpoints, report.verified_size) == (38, 2, 38)


@pytest.mark.parametrize(
    ("tamper", "kind", "location", "detail"),
    [
        (flip_one_byte, "record_changed", "leaf 4", "notification 5 "),
        (delete_record, "record_missing", "leaf 4", "notification 5 "),
        (swap_two_records, "records_reordered", "leaf 4", "committed at notification 6"),
        (truncate_tail, "record_missing", "leaf 25", "notification 26 "),
    ],
)
def test_tampering_with_records_is_found_at_the_right_place(
    sealed: Hub, tamper: Callable[[Settings], None], kind: str, location: str, detail: str
) -> None:
    tamper(sealed.settings)
    report = sealed.audit.verify()
    first = report.problems[0]
    assert (first.kind, first.location) == (kind, location)
    assert detail in first.detail
    signed = {problem.kind for problem in report.problems[1:]}
    assert signed & {"root_mismatch", "log_truncated"}, "the signed checkpoints must disagree too"


def test_a_record_changed_after_the_last_checkpoint_is_found_against_the_leaf_table(sealed: Hub) -> None:
    """No signed root covers it yet, so only the leaf the tree committed to can tell."""
    sealed.registry.register_user("audit.four", "Test User", "DAS", ["auditor"])
    sealed.audit.log.catch_up()
    assert [int(row["tree_size"]) for row in sealed.audit.log.checkpoints()] == [35, 38]
    flip_one_byte(sealed.settings, 39)
    report = sealed.audit.verify()
    assert [(problem.kind, problem.location) for problem in report.problems] == [("record_changed", "leaf 38")]
    assert report.verified_size == 38


def test_truncation_is_reported_against_the_checkpoint_that_covers_the_lost_records(sealed: Hub) -> None:
    truncate_tail(sealed.settings)
    problems = {problem.kind: problem for problem in sealed.audit.verify().problems}
    assert problems["log_truncated"].location == "checkpoint at tree size 35"
    assert "the store holds 25" in problems["log_truncated"].detail


def test_tampering_the_leaf_table_too_still_fails_on_the_signed_root(sealed: Hub) -> None:
    flip_one_byte(sealed.settings)
    sealed.audit.log.database.query("DELETE FROM audit_leaves WHERE leaf_index >= 0 RETURNING leaf_index")
    problems = sealed.audit.verify().problems
    assert [(problem.kind, problem.location) for problem in problems] == [
        ("root_mismatch", "checkpoint at tree size 35"),
        ("root_mismatch", "checkpoint at tree size 38"),
    ]


def test_a_forged_checkpoint_is_found(sealed: Hub) -> None:
    row = sealed.audit.log.checkpoint_at(38)
    assert row is not None
    lines = row["note"].split("\n")
    lines[2] = lines[2][:-2] + ("A=" if not lines[2].endswith("A=") else "B=")
    run(
        sealed.settings,
        "UPDATE audit_checkpoints SET note = %s WHERE tree_size = 38",
        "UPDATE audit_checkpoints SET note = %s WHERE tree_size = 38",
        ("\n".join(lines),),
    )
    [problem] = sealed.audit.verify().problems
    assert (problem.kind, problem.location) == ("checkpoint_signature", "checkpoint at tree size 38")


def test_a_replaced_signing_key_is_found_even_when_every_checkpoint_is_signed_again(sealed: Hub) -> None:
    pinned = sealed.audit.verifier.vkey()
    settings = sealed.settings
    (settings.key_dir / CHECKPOINT_KEY_FILE).unlink()
    restarted = Hub(settings)
    try:
        problems = restarted.audit.verify().problems
        assert [(p.kind, p.location) for p in problems][:1] == [("checkpoint_signature", "checkpoint at tree size 35")]
        assert "not signed by the expected key" in problems[0].detail

        # The attacker re-signs every checkpoint with the new key: only the pinned (exported) key notices.
        forger = CheckpointSigner(settings.checkpoint_origin, Ed25519PrivateKey.generate())
        for row in restarted.audit.log.checkpoints():
            old = open_checkpoint(row["note"], Verifier.from_vkey(pinned))
            note = forger.sign(old.size, old.root, old.time)
            run(
                settings,
                "UPDATE audit_checkpoints SET note = %s WHERE tree_size = %s",
                "UPDATE audit_checkpoints SET note = %s WHERE tree_size = %s",
                (note, old.size),
            )
        assert restarted.audit.verify(Verifier(settings.checkpoint_origin, forger.key.public_key())).ok
        problems = restarted.audit.verify(Verifier.from_vkey(pinned)).problems
        assert [p.location for p in problems] == ["checkpoint at tree size 35", "checkpoint at tree size 38"]
    finally:
        restarted.close()


def test_the_tree_resumes_after_a_restart_without_starting_over(sealed: Hub) -> None:
    settings = sealed.settings
    sealed.registry.register_user("audit.four", "Test User", "DAS", ["auditor"])
    sealed.close()
    restarted = Hub(settings)
    try:
        restarted.audit.log.catch_up()  # on PostgreSQL only the elected signer does, not every process at start
        assert restarted.audit.log.state().size == 39
        restarted.registry.register_user("audit.five", "Test User", "DAS", ["auditor"])
        restarted.audit.seal()
        assert restarted.audit.verify().ok
    finally:
        restarted.close()


def test_the_cli_exits_non_zero_and_names_the_place(sealed: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_STORE", sealed.settings.store)
    monkeypatch.setenv("HUB_KEY_DIR", str(sealed.settings.key_dir))
    runner = CliRunner()
    from hub.audit.cli import audit_app

    cli_app.add_typer(audit_app, name="audit")
    vkey = runner.invoke(cli_app, ["audit", "public-key"]).output.strip()
    ok = runner.invoke(cli_app, ["audit", "verify", "--public-key", vkey])
    assert ok.exit_code == 0, ok.output
    assert "OK: 38 records" in ok.output
    delete_record(sealed.settings)
    bad = runner.invoke(cli_app, ["audit", "verify", "--public-key", vkey])
    assert bad.exit_code == 1
    assert "record_missing at leaf 4" in bad.output


def test_seed_twice_adds_no_leaves(hub: Hub) -> None:
    hub.audit.log.catch_up()
    before = hub.audit.log.state().size
    assert before == 35
    seed_demo(hub)
    hub.audit.log.catch_up()
    assert hub.audit.log.state().size == before
