"""Erasure that erases: after a child is submitted, released, disclosed and erased and the hub stopped, no byte of
the store's files holds her wrapped key or her blind indexes, and nothing about her opens or matches."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from fastapi.testclient import TestClient

from events.access import AccessRecorded
from events.personal import ERASED_TEXT
from events.subjects import ErasureReason
from hub.api.app import create_app
from hub.audit.replay import ReplayFilter, replay
from hub.kernel.config import Settings
from hub.kernel.personal_code import parse_personal_code
from hub.kernel.subject_keys import erasure_setting_problems
from hub.records.document_store import DocumentErased, DocumentStore
from hub.registry.demo import seed_demo
from hub.service import Hub
from projections.viewdb import PostgresViewDatabase
from tests.conftest import child_referral, log_of
from tests.pg import Cluster
from tests.test_personal_data import encodings

CHILD = child_referral()["child"]
PURPOSE = "Elza Kalnina 120415-20001 lieta"
DOCUMENT = b"%PDF-1.4 Aizgadnibas lemums par Elzu"
WAL_SEGMENT = re.compile("[0-9A-F]{24}")


def binary_forms(data: bytes) -> Iterator[bytes]:
    """Raw bytes as they could sit in a file: raw, hex and base64 (the part not depending on neighbours)."""
    yield data
    yield data.hex().encode()
    for offset in range(3):
        yield base64.b64encode(b"\0" * offset + data)[4:-4]


def needles(wrapped_hex: str, indexes: list[str]) -> dict[str, list[bytes]]:
    """What must not be found: the wrapped key (stored as hex text) and each blind index (hex digests)."""
    found = {"wrapped key": [*encodings(wrapped_hex), *binary_forms(bytes.fromhex(wrapped_hex))]}
    for number, index in enumerate(indexes):
        found[f"blind index {number}"] = [*encodings(index), *binary_forms(bytes.fromhex(index))]
    return found


def store_files(settings: Settings, cluster: Cluster | None, wal_from: str = "") -> list[Path]:
    """Every file of the store: SQLite main, WAL, SHM, the views file and the documents; or the PostgreSQL data
    directory (every file but other tests' databases, which never held this hub's data, and the WAL segments before
    `wal_from`, the segment that was current when this test began: they were written before she existed)."""
    if cluster is None:
        keys = settings.key_dir
        files = [path for path in settings.sqlite_path.parent.rglob("*") if path.is_file() and keys not in path.parents]
        assert {settings.sqlite_path.name, settings.views_sqlite_path.name} <= {path.name for path in files}
        return files
    with psycopg.connect(settings.postgres_conninfo(), autocommit=True) as connection:
        connection.execute("CHECKPOINT")
        ours = connection.execute("SELECT oid FROM pg_database WHERE datname = current_database()").fetchone()
    assert ours is not None
    data = cluster.directory / "data"
    files = []
    for folder, subfolders, names in os.walk(data):
        here = Path(folder)
        if here == data / "base":
            subfolders[:] = [name for name in subfolders if name == str(ours[0])]
        written_before = here.name == "pg_wal" and wal_from
        files += [
            here / name for name in names if not (written_before and WAL_SEGMENT.fullmatch(name) and name < wal_from)
        ]
    return files


def current_wal_segment(settings: Settings) -> str:
    """The name of the WAL segment PostgreSQL writes now (segment names sort in the order they are written)."""
    with psycopg.connect(settings.postgres_conninfo(), autocommit=True) as connection:
        row = connection.execute("SELECT pg_walfile_name(pg_current_wal_lsn())").fetchone()
    assert row is not None
    return str(row[0])


def found_in_files(files: list[Path], looked_for: dict[str, list[bytes]]) -> list[str]:
    hits = []
    for path in files:
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            continue  # a file PostgreSQL removed meanwhile (a relation cache, a temporary file)
        hits += [f"{what} in {path.name}" for what, forms in looked_for.items() if any(f in content for f in forms)]
    return hits


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def live_until_erasure(hub: Hub) -> tuple[UUID, str, list[str], UUID, UUID]:
    """Submit, release with a document, disclose; returns what identifies her and where her data is."""
    with TestClient(create_app(hub, follow_in_background=False)) as client:

        def auth(user: str, **headers: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {hub.issue_token(user)}", **headers}

        referral = ok(client.post("/v1/referrals", json=child_referral(), headers=auth("tukums.school")), 201)
        child = hub.app.referral(UUID(referral["id"])).child.subject_id
        moved = {**child_referral()["child"], "municipality": "daugavpils"}  # she now lives in Daugavpils
        ok(client.post("/v1/referrals", json=child_referral(child=moved), headers=auth("daugavpils.school")), 201)
        subject = {"subject_id": str(child), "given_name": CHILD["given_name"], "family_name": CHILD["family_name"]}
        body = {
            "municipality": "tukuma-novads",
            "agencies": ["TUK-SD"],
            "subjects": [subject],
            "basis": "GDPR-6-1-c",
            "categories": ["assessment"],
        }
        [request] = ok(client.post("/v1/record-requests", json=body, headers=auth("daugavpils.cm")), 201)
        ok(client.post(f"/v1/record-requests/{request['id']}/acknowledge", headers=auth("tukums.cm")))
        document = {
            "file_name": "Elza-lemums.pdf",
            "media_type": "application/pdf",
            "content_base64": base64.b64encode(DOCUMENT).decode(),
        }
        release = {
            "category": "assessment",
            "outcome": "released",
            "entries": [{"title": "Izvērtēšana", "text": "Ģimenei vajadzīgs atbalsts."}],
            "documents": [document],
        }
        ok(
            client.post(
                f"/v1/record-requests/{request['id']}/answers", json={"answers": [release]}, headers=auth("tukums.cm")
            )
        )
        released = ok(
            client.get(
                f"/v1/record-requests/{request['id']}/released", headers=auth("daugavpils.cm", **{"X-Purpose": PURPOSE})
            )
        )
        document_id = UUID(released["released"][0]["documents"][0]["document_id"])
        disclosure = {
            "recipient": "DAU-BT",
            "subjects": [str(child)],
            "categories": ["assessment"],
            "purpose": "case_management",
            "basis": "GDPR-9-2-b",
        }
        ok(client.post("/v1/disclosures", json=disclosure, headers=auth("tukums.cm")), 201)

    purposes = [event.purpose for event in log_of(hub, AccessRecorded) if child in event.subjects]
    assert PURPOSE in purposes  # readable while she exists
    wrapped = hub.store_db.query("SELECT wrapped FROM subject_keys WHERE subject_id = ?", (str(child),))[0]["wrapped"]
    code = parse_personal_code(CHILD["personal_code"]).value
    indexes = [
        hub.subjects.index.personal_code(code),
        hub.subjects.index.name_and_birth_date(
            CHILD["given_name"], CHILD["family_name"], date.fromisoformat(CHILD["birth_date"])
        ),
    ]
    assert hub.subjects.queries.by_code(indexes[0]) == child
    return child, wrapped, indexes, document_id, UUID(request["id"])


def test_after_erasure_and_a_normal_stop_no_file_holds_her_key_or_indexes(settings: Settings, request: Any) -> None:
    cluster: Cluster | None = request.getfixturevalue("pg_cluster") if settings.uses_postgres else None
    wal_from = current_wal_segment(settings) if cluster else ""
    hub = Hub(settings)
    seed_demo(hub)
    try:
        child, wrapped, indexes, document_id, request_id = live_until_erasure(hub)
        looked_for = needles(wrapped, indexes)
        before = found_in_files(store_files(settings, cluster, wal_from), looked_for)
        assert {hit.split(" in ")[0] for hit in before} == set(looked_for)  # the scan finds them while she exists
        principal = hub.principal_for("tukums.head")
        hub.erasure.erase(principal, child, ErasureReason.COURT_ORDER, "erasure on court order")
        assert found_in_files(store_files(settings, cluster, wal_from), looked_for) == []  # already while it runs
    finally:
        hub.close()
    assert found_in_files(store_files(settings, cluster, wal_from), looked_for) == []

    reopened = Hub(settings)  # with the master key and the blind-index key: nothing opens or matches
    try:
        reopened.follower.catch_up()
        assert reopened.store_db.query("SELECT wrapped FROM subject_keys WHERE subject_id = ?", (str(child),)) == [
            {"wrapped": None}
        ]
        assert reopened.subjects.queries.by_code(indexes[0]) is None
        assert reopened.subjects.queries.by_name(indexes[1]) == []
        for table, column in (("view_subject_codes", "code_index"), ("view_subjects", "name_index")):
            assert reopened.views_db.query(f"SELECT 1 FROM {table} WHERE {column} IN (?, ?)", indexes) == []
        released = reopened.app.record_request(request_id)
        assert {subject.given_name for subject in released.subjects} == {ERASED_TEXT}
        entries = list(replay(reopened.app.recorder, reopened.app.mapper, ReplayFilter()))
        assert PURPOSE not in {entry["purpose"] for entry in entries}
        assert ERASED_TEXT in {entry["purpose"] for entry in entries}
        with pytest.raises(DocumentErased):
            DocumentStore(reopened.settings.documents_path, reopened.subject_keys).get(document_id, "")
        reopened.audit.seal()
        verified = reopened.audit.verify()
        assert verified.ok, verified.problems
    finally:
        reopened.close()


@pytest.mark.postgres
def test_the_postgres_settings_erasure_needs_are_checked(pg_cluster: Cluster) -> None:
    url = pg_cluster.create_database(f"t_{uuid4().hex}")
    owner = PostgresViewDatabase(url, durable=True, max_size=1)
    try:
        assert erasure_setting_problems(owner) == []  # tests/pg.py sets them
    finally:
        owner.close()
    role = f"r_{uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"CREATE ROLE {role} LOGIN")
    plain = PostgresViewDatabase(url.replace("postgres@", f"{role}@"), durable=True, max_size=1)
    try:
        assert [problem.split(" (")[0] for problem in erasure_setting_problems(plain)] == [
            "the hub's database role may not run CHECKPOINT"
        ]
    finally:
        plain.close()
