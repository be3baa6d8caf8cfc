"""Subject data keys are committed with the first events sealed under them; views read events without keys."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError

from events.codec import CanonicalJSONTranscoder, PydanticMapper
from events.personal import ERASED_TEXT, KeyDestroyed
from events.referrals import ReferralSubmitted
from hub.kernel.config import Settings
from hub.referrals.domain import ReferralDraft
from hub.registry.demo import seed_demo
from hub.service import Hub
from tests.conftest import child_referral
from tests.pg import Cluster


def submitted(hub: Hub) -> ReferralSubmitted:
    principal = hub.authenticate(hub.issue_token("tukums.school"))
    receipt = hub.referrals.submit(principal, ReferralDraft.model_validate(child_referral()))
    first = hub.app.stream(UUID(receipt["id"]))[0]
    assert isinstance(first, ReferralSubmitted)
    return first


def about_new_person(
    template: ReferralSubmitted, subject_id: UUID, originator_id: UUID | None = None
) -> ReferralSubmitted:
    """A copy of a submission whose child is `subject_id`, in a new stream unless `originator_id` is given."""
    child = template.child.model_copy(update={"subject_id": subject_id})
    return template.model_copy(
        update={"originator_id": originator_id or uuid4(), "event_id": uuid4(), "child": child, "family": ()}
    )


def stored_key_count(hub: Hub) -> int:
    return len(hub.store_db.query("SELECT subject_id FROM subject_keys WHERE wrapped IS NOT NULL"))


def test_a_submission_stores_its_new_keys_in_its_own_transaction(hub: Hub) -> None:
    before = stored_key_count(hub)
    event = submitted(hub)
    assert hub.subject_keys.pending() == []
    assert stored_key_count(hub) == before + 1 + len(event.family)
    assert hub.app.stream(event.originator_id)[0] == event


def test_a_failed_append_stores_neither_its_events_nor_their_new_keys(hub: Hub) -> None:
    event = submitted(hub)
    keys, head = stored_key_count(hub), hub.app.recorder.max_notification_id()
    clash = about_new_person(event, uuid4(), originator_id=event.originator_id)  # version 1 of a stream that exists
    with pytest.raises(IntegrityError):
        hub.app.append(clash)
    assert (stored_key_count(hub), hub.app.recorder.max_notification_id()) == (keys, head)
    assert [key.subject_id for key in hub.subject_keys.pending()] == [clash.child.subject_id]
    retried = about_new_person(event, clash.child.subject_id)
    hub.app.append(retried)
    assert hub.subject_keys.pending() == []
    assert hub.app.stream(retried.originator_id)[0] == retried


def test_two_writers_making_the_first_key_for_one_person_end_with_one_key(hub: Hub) -> None:
    template, person = submitted(hub), uuid4()
    other = Hub(hub.settings)  # another process on the same store
    try:
        mine, theirs = about_new_person(template, person), about_new_person(template, person)
        hub.subject_keys.encrypt(person, b"sealing starts here", b"")
        other.app.append(theirs)
        with pytest.raises(IntegrityError):
            hub.app.append(mine)  # sealed under a key the other writer did not store
        hub.app.append(mine)  # the retry seals under the stored key
        for reader in (hub, other):
            assert reader.app.stream(mine.originator_id)[0] == mine
            assert reader.app.stream(theirs.originator_id)[0] == theirs
    finally:
        other.close()


def test_a_person_erased_while_their_key_is_pending_gets_nothing_stored(hub: Hub) -> None:
    template, person = submitted(hub), uuid4()
    other = Hub(hub.settings)
    try:
        event = about_new_person(template, person)
        other.subject_keys.encrypt(person, b"sealing starts here", b"")
        head = hub.app.recorder.max_notification_id()
        hub.subject_keys.destroy(person, hub.now())
        with pytest.raises(KeyDestroyed):
            other.app.append(event)
        assert hub.app.recorder.max_notification_id() == head
    finally:
        other.close()


def test_documents_written_outside_an_append_commit_their_new_key_first(hub: Hub) -> None:
    person = uuid4()
    hub.subject_keys.encrypt_stored(person, b"a document", b"")
    assert hub.subject_keys.pending() == []
    assert hub.store_db.query("SELECT subject_id FROM subject_keys WHERE subject_id = ?", (str(person),))


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_keys_that_earlier_versions_kept_next_to_the_views_move_into_the_store(hub: Hub) -> None:
    event = submitted(hub)
    settings = hub.settings
    rows = hub.store_db.query("SELECT subject_id, master_key_id, wrapped, erased_at FROM subject_keys")
    hub.close()
    with sqlite3.connect(settings.views_sqlite_path) as views, sqlite3.connect(settings.sqlite_path) as store:
        views.execute(
            "CREATE TABLE subject_keys (subject_id TEXT PRIMARY KEY, master_key_id TEXT, wrapped TEXT, erased_at TEXT)"
        )
        views.executemany("INSERT INTO subject_keys VALUES (:subject_id, :master_key_id, :wrapped, :erased_at)", rows)
        store.execute("DELETE FROM subject_keys")
    reopened = Hub(settings)
    try:
        assert reopened.app.stream(event.originator_id)[0] == event
        assert reopened.views_db.query("SELECT name FROM sqlite_master WHERE name = 'subject_keys'") == []
    finally:
        reopened.close()


def test_views_get_events_with_personal_fields_redacted_without_any_key(hub: Hub) -> None:
    event = submitted(hub)
    notification = next(
        n for n in hub.app.recorder.select_notifications(1, 10_000) if n.originator_id == event.originator_id
    )
    keyless = PydanticMapper(transcoder=CanonicalJSONTranscoder())
    redacted = keyless.to_redacted_event(notification)
    assert isinstance(redacted, ReferralSubmitted)
    assert (redacted.child.given_name, redacted.child.personal_code, redacted.summary) == (
        ERASED_TEXT,
        None,
        ERASED_TEXT,
    )
    assert (redacted.recipients, redacted.concerns) == (event.recipients, event.concerns)
    with pytest.raises(RuntimeError, match="no subject cipher"):
        keyless.to_domain_event(notification)


@pytest.mark.postgres
def test_postgres_stores_event_states_compressed_with_lz4(pg_cluster: Cluster, tmp_path: Path) -> None:
    settings = Settings(store=pg_cluster.create_database(f"t_{uuid4().hex}"), key_dir=tmp_path / "keys", _env_file=None)  # type: ignore[call-arg]
    for _ in range(2):  # the second start finds the column already set and changes nothing
        Hub(settings).close()
    hub = Hub(settings)
    try:
        seed_demo(hub)
        submitted(hub)
        methods = hub.store_db.tuples("SELECT DISTINCT pg_column_compression(state) FROM hub_events")
        assert ("lz4",) in methods
        assert ("pglz",) not in methods
    finally:
        hub.close()
