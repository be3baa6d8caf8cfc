"""Personal data at rest: sealed per person, erased by destroying the person's key, never in the clear or in logs."""

from __future__ import annotations

import base64
import json
import logging
import sqlite3
from collections.abc import Callable, Iterator
from datetime import timedelta
from uuid import UUID, uuid4

import psycopg
import pytest
from fastapi.testclient import TestClient

from events.personal import ERASED_TEXT, TamperedCiphertext
from hub.kernel.config import Settings
from hub.kernel.subject_keys import rotate_master_key
from hub.records.document_store import DocumentCorrupted, DocumentErased, DocumentStore, sha256_hex
from hub.service import Hub
from tests.conftest import child_referral, head

Auth = Callable[[str], dict[str, str]]
CHILD_TEXTS = ("Elza", "12041520001", "120415-20001", "nav apmeklējis skolu", "2015-04-12")


def encodings(text: str) -> Iterator[bytes]:
    """The ways a string could sit in a file or table: raw, UTF-16, JSON-escaped, hex and base64."""
    raw = text.encode()
    yield raw
    yield text.encode("utf-16-le")
    yield json.dumps(text).encode()[1:-1]
    yield raw.hex().encode()
    for offset in range(3):
        inner = base64.b64encode(b"\0" * offset + raw)[4:-4]  # the part that does not depend on neighbours
        if len(inner) >= 6:
            yield inner


def bytes_at_rest(settings: Settings) -> bytes:
    """Every byte the hub keeps: the SQLite files (with their WAL), or every row of every PostgreSQL table."""
    if not settings.uses_postgres:
        files = [path for path in settings.sqlite_path.parent.iterdir() if path.is_file()]
        return b"".join(path.read_bytes() for path in files)
    chunks: list[bytes] = []
    with psycopg.connect(settings.postgres_conninfo()) as connection:
        tables = connection.execute("SELECT schemaname, tablename FROM pg_tables WHERE schemaname = 'public'")
        for schema, table in tables.fetchall():
            for row in connection.execute(f'SELECT * FROM "{schema}"."{table}"'):
                for value in row:
                    chunks.append(bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode())
    return b"\n".join(chunks)


def plaintext_found(settings: Settings, texts: tuple[str, ...] = CHILD_TEXTS) -> list[str]:
    haystack = bytes_at_rest(settings)
    return [text for text in texts if any(needle in haystack for needle in encodings(text))]


def submit(client: TestClient, auth: Auth) -> tuple[str, str]:
    response = client.post("/v1/referrals", json=child_referral(), headers=auth("tukums.school"))
    assert response.status_code == 201, response.text
    referral_id = response.json()["id"]
    return referral_id, str(client.app.state.hub.app.referral(UUID(referral_id)).child.subject_id)  # type: ignore[attr-defined]


def test_at_rest_everything_personal_is_ciphertext_and_erasure_makes_it_unreadable(
    client: TestClient, hub: Hub, settings: Settings, auth: Auth
) -> None:
    referral_id, child = submit(client, auth)
    document = client.get(f"/v1/referrals/{referral_id}", headers=auth("tukums.cm")).json()
    assert document["child"]["given_name"] == "Elza"
    assert document["summary"].startswith("Bērns nav apmeklējis skolu")
    assert plaintext_found(settings) == []

    before = head(hub)
    refused = client.post(f"/v1/subjects/{child}/erase", json={"reason": "court_order"}, headers=auth("tukums.cm"))
    assert (refused.status_code, refused.json()["reason"]) == (403, "action_not_permitted")
    assert (
        client.post(f"/v1/subjects/{child}/erase", json={"reason": "whim"}, headers=auth("tukums.head")).status_code
        == 422
    )
    assert head(hub) == before + 1  # the refusal itself is audited
    erased = client.post(f"/v1/subjects/{child}/erase", json={"reason": "court_order"}, headers=auth("tukums.head"))
    assert erased.status_code == 200, erased.text
    assert erased.json()["erased"] == [child]

    after = client.get(f"/v1/referrals/{referral_id}", headers=auth("tukums.cm")).json()
    assert after["child"]["given_name"] == ERASED_TEXT
    assert after["child"].get("personal_code") is None
    assert after["summary"] == ERASED_TEXT
    assert after["family"][0]["given_name"] == "Inga"  # the mother is a different person with her own key
    assert plaintext_found(settings) == []
    hub.audit.seal()
    verified = hub.audit.verify()
    assert verified.ok, verified.problems  # the log was not rewritten: every hash still holds
    report = hub.access_reports.report(hub.principal_for("tukums.cm"), UUID(child), "access report after erasure")
    agencies = {entry["agency"]["code"] for entry in report["entries"] if entry["agency"]}
    assert "TUK-SD" in agencies  # the social service's reads are still listed, without the erased content
    hub.follower.catch_up()
    assert hub.views_db.query("SELECT * FROM view_subject_codes WHERE subject_id = ?", (child,)) == []
    hub.follower.rebuild(hub.referral_view)

    again = client.post("/v1/referrals", json=child_referral(), headers=auth("tukums.school"))
    assert again.status_code == 201  # the same code later starts a new record, not the erased one
    assert str(hub.app.referral(UUID(again.json()["id"])).child.subject_id) != child


def sqlite_state(settings: Settings, topic_suffix: str) -> list[tuple[int, dict[str, object]]]:
    with sqlite3.connect(settings.sqlite_path) as connection:
        rows = connection.execute(
            "SELECT rowid, state FROM stored_events WHERE topic LIKE ? ORDER BY rowid", (f"%{topic_suffix}",)
        ).fetchall()
    return [(rowid, json.loads(state)) for rowid, state in rows]


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_a_ciphertext_moved_to_another_event_is_rejected(
    client: TestClient, hub: Hub, settings: Settings, auth: Auth
) -> None:
    first, _ = submit(client, auth)
    second, _ = submit(client, auth)
    (_, state_a), (rowid_b, state_b) = sqlite_state(settings, "ReferralSubmitted")
    state_b["summary"] = state_a["summary"]
    with sqlite3.connect(settings.sqlite_path) as connection:
        connection.execute(
            "UPDATE stored_events SET state = ? WHERE rowid = ?", (json.dumps(state_b).encode(), rowid_b)
        )
    assert hub.app.referral(UUID(first)).summary.startswith("Bērns")
    with pytest.raises(TamperedCiphertext):
        hub.app.referral(UUID(second))


def test_a_wrong_master_key_reads_nothing_and_a_rotated_one_reads_everything(
    hub: Hub, client: TestClient, settings: Settings, auth: Auth
) -> None:
    referral_id, _ = submit(client, auth)
    new_id, moved, retired = rotate_master_key(hub.master_keys, hub.subject_keys)
    assert moved >= 2
    assert hub.master_keys.ids() == [new_id]
    assert len(retired) == 1
    reopened = Hub(settings)
    try:
        assert reopened.app.referral(UUID(referral_id)).child.given_name == "Elza"
    finally:
        reopened.close()
    key_file = settings.key_dir / "master-keys" / f"{new_id}.key"
    key_file.write_bytes(bytes(32))
    wrong = Hub(settings)
    try:
        with pytest.raises(TamperedCiphertext):
            wrong.app.referral(UUID(referral_id))
    finally:
        wrong.close()


def test_retention_dry_run_lists_and_apply_erases(client: TestClient, hub: Hub, auth: Auth) -> None:
    referral_id, child = submit(client, auth)
    for user, action, body in [
        ("tukums.intake", "acknowledge", None),
        ("tukums.intake", "assign", {"worker": "tukums.cm"}),
        ("tukums.cm", "accept", None),
        ("tukums.cm", "close", {"outcome": "no_further_action"}),
    ]:
        assert client.post(f"/v1/referrals/{referral_id}/{action}", json=body, headers=auth(user)).status_code == 200
    nine_years = hub.now() + timedelta(days=365 * 9)
    assert hub.erasure.retention_due(nine_years) == []
    eleven_years = hub.now() + timedelta(days=365 * 11)
    before = head(hub)
    due = hub.erasure.retention_due(eleven_years)
    assert child in {str(item.subject_id) for item in due}
    assert head(hub) == before
    assert hub.app.referral(UUID(referral_id)).child.given_name == "Elza"
    hub.erasure.apply_retention(eleven_years)
    assert hub.app.referral(UUID(referral_id)).child.given_name == ERASED_TEXT
    assert hub.erasure.retention_due(eleven_years) == []


def test_logs_and_error_responses_carry_no_personal_data(
    client: TestClient, auth: Auth, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    referral_id, _ = submit(client, auth)
    responses = [
        client.post(f"/v1/referrals/{referral_id}/accept", headers=auth("tukums.cm")),
        client.post("/v1/referrals", json=child_referral(urgency="whenever"), headers=auth("tukums.school")),
        client.get(f"/v1/referrals/{referral_id}", headers=auth("daugavpils.cm")),
        client.post(
            f"/v1/referrals/{referral_id}/withdraw", json={"reason": "Elza pārcēlās"}, headers=auth("tukums.cm")
        ),
    ]
    assert [response.status_code for response in responses] == [409, 422, 404, 403]
    visible = caplog.text + "".join(response.text for response in responses)
    assert [text for text in CHILD_TEXTS if text in visible] == []


def test_documents_are_sealed_per_person_and_erased_with_them(hub: Hub) -> None:
    store = DocumentStore(hub.settings.documents_path, hub.subject_keys)
    person, document, content = uuid4(), uuid4(), "Aizbildnības lēmums: Elza".encode()
    store.put(document, person, content)
    assert b"Elza" not in (hub.settings.documents_path / f"{document}.blob").read_bytes()
    assert store.get(document, sha256_hex(content)) == content
    with pytest.raises(DocumentCorrupted):
        store.get(document, sha256_hex(b"something else"))
    hub.subject_keys.destroy(person, hub.now())
    with pytest.raises(DocumentErased):
        store.get(document, sha256_hex(content))
