"""The views' hot queries (submission, inbox) use indexes: none scans a table that grows with the log."""

from __future__ import annotations

import sqlite3

import pytest

from hub.referrals.domain import ReferralDraft
from hub.service import Hub
from projections.viewdb import SQLiteViewDatabase
from tests.conftest import child_referral

# The registry (a few hundred agencies) and the views' positions (one row per view): neither grows with the log.
SMALL_TABLE_SCAN = ("SCAN view_agencies", "SCAN view_tracking")


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_submitting_and_reading_the_inbox_scan_no_growing_table(hub: Hub) -> None:
    assert isinstance(hub.views_db, SQLiteViewDatabase)
    school = hub.authenticate(hub.issue_token("tukums.school"))
    intake = hub.authenticate(hub.issue_token("tukums.intake"))
    hub.referrals.submit(school, ReferralDraft.model_validate(child_referral()))
    statements: list[str] = []
    with sqlite3.connect(hub.settings.views_sqlite_path) as probe:
        for connection in hub.views_db._all:
            connection.set_trace_callback(statements.append)
        hub.referrals.submit(school, ReferralDraft.model_validate(child_referral()))
        hub.referrals.inbox(intake, "incoming", 50, None, "bench")
        for connection in hub.views_db._all:
            connection.set_trace_callback(None)
        selects = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
        assert selects
        for sql in selects:
            steps = [row[3] for row in probe.execute(f"EXPLAIN QUERY PLAN {sql}")]
            scans = [step for step in steps if step.startswith("SCAN") and not step.startswith(SMALL_TABLE_SCAN)]
            assert scans == [], (sql, steps)
