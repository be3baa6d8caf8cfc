"""Stores written before indexes were sealed: their old-shape events still load, and `hub keys migrate-indexes`
makes the clear indexes and code-derived ids in them useless (a new key; the old key file destroyed)."""

from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic
from fastapi.testclient import TestClient

from events.access import AccessRecorded
from events.base import DomainEvent
from events.codec import CanonicalJSONTranscoder
from events.consent import ConsentWithdrawn
from events.referrals import ReferralSubmitted
from events.review import BreakGlassReviewResolved
from events.subjects import SubjectRegistered, SubjectReindexed
from events.values import Decision, ReviewOutcome
from hub.api.app import create_app
from hub.kernel.blind_index import INDEX_KEY_FILE, BlindIndex
from hub.kernel.config import Settings
from hub.kernel.personal_code import parse_personal_code
from hub.people.index_migration import migrate_blind_indexes
from hub.service import Hub
from tests.conftest import child_referral, log_of

OLD_CODE = "010203-10009"
OLD_NAME = ("Anna", "Ozola", date(2003, 2, 1))


def stored_as_before(event: DomainEvent, *dropped: str) -> StoredEvent:
    """The event as versions before sealing stored it: every field in the clear, without fields added since."""
    state = event.model_dump(mode="json")
    for name in ("originator_id", "originator_version", *dropped):
        state.pop(name)
    return StoredEvent(
        originator_id=event.originator_id,
        originator_version=event.originator_version,
        topic=get_topic(type(event)),
        state=CanonicalJSONTranscoder().encode(state),
    )


def old_store(hub: Hub) -> tuple[UUID, UUID, str]:
    """A child registered the new way, and one registered the old way: a clear index and an id derived from it."""
    with TestClient(create_app(hub, follow_in_background=False)) as client:
        token = {"Authorization": f"Bearer {hub.issue_token('tukums.school')}"}
        response = client.post("/v1/referrals", json=child_referral(), headers=token)
        assert response.status_code == 201, response.text
    [submitted] = log_of(hub, ReferralSubmitted)
    old_index = BlindIndex.load(hub.settings.key_dir)
    code_index = old_index.personal_code(OLD_CODE)
    old_id = uuid5(NAMESPACE_URL, f"hub:subject:{code_index}")  # how ids were derived before
    child = submitted.child.model_copy(
        update={"subject_id": old_id, "given_name": OLD_NAME[0], "family_name": OLD_NAME[1], "birth_date": OLD_NAME[2]}
    )
    child = child.model_copy(update={"personal_code": OLD_CODE})
    referral = submitted.model_copy(
        update={"originator_id": uuid4(), "event_id": uuid4(), "child": child, "family": ()}
    )
    hub.app.append(referral)  # her details, sealed under her key, as every version sealed them
    registered = SubjectRegistered(
        originator_id=old_id,
        originator_version=1,
        code_indexes=(code_index,),
        name_index=old_index.name_and_birth_date(*OLD_NAME),
    )
    access = AccessRecorded(
        originator_id=uuid4(),
        originator_version=1,
        action="referral.read",
        resource=f"subject:{old_id}",
        purpose="Anna Ozola lieta",
        subjects=(old_id,),
        categories=(),
        decision=Decision.PERMIT,
        basis=None,
        reasons=(),
    )
    withdrawn = ConsentWithdrawn(originator_id=uuid4(), originator_version=2, reason="Anna atsauca")
    resolved = BreakGlassReviewResolved(
        originator_id=uuid4(), originator_version=2, outcome=ReviewOutcome.JUSTIFIED, note="Anna bija briesmās"
    )
    hub.app.recorder.insert_events(
        [
            stored_as_before(registered),
            stored_as_before(access),
            stored_as_before(withdrawn, "about"),
            stored_as_before(resolved, "subjects"),
        ]
    )
    return submitted.child.subject_id, old_id, code_index


def test_old_shape_events_load_and_migration_leaves_the_old_indexes_confirming_nothing(
    hub: Hub, settings: Settings
) -> None:
    new_child, old_child, old_code_index = old_store(hub)
    hub.follower.catch_up()
    assert hub.subjects.queries.by_code(old_code_index) == old_child  # the old store works as it did
    assert [event.purpose for event in log_of(hub, AccessRecorded)][-1] == "Anna Ozola lieta"
    assert [event.reason for event in log_of(hub, ConsentWithdrawn)] == ["Anna atsauca"]
    assert [event.note for event in log_of(hub, BreakGlassReviewResolved)] == ["Anna bija briesmās"]
    old_key = (settings.key_dir / INDEX_KEY_FILE).read_bytes()

    result = migrate_blind_indexes(hub)
    assert (result.reindexed, result.codes) == (3, 2)  # the children and the mother (no code, no birth date)

    new_key = (settings.key_dir / INDEX_KEY_FILE).read_bytes()
    assert new_key != old_key
    assert sorted(path.name for path in settings.key_dir.iterdir() if "blind" in path.name) == [INDEX_KEY_FILE]
    reopened = Hub(settings)
    try:
        reopened.follower.catch_up()
        index = BlindIndex(new_key)
        queries = reopened.subjects.queries
        assert queries.by_code(old_code_index) is None  # the clear index in the log matches nothing now
        assert queries.by_code(index.personal_code(OLD_CODE)) == old_child
        assert queries.by_code(index.personal_code(parse_personal_code("120415-20001").value)) == new_child
        assert queries.by_name(index.name_and_birth_date(*OLD_NAME)) == [old_child]
        assert uuid5(NAMESPACE_URL, f"hub:subject:{index.personal_code(OLD_CODE)}") != old_child
        assert {new_child, old_child} <= {event.originator_id for event in log_of(reopened, SubjectReindexed)}
        with TestClient(create_app(reopened, follow_in_background=False)) as client:
            token = {"Authorization": f"Bearer {reopened.issue_token('tukums.school')}"}
            again = client.post("/v1/referrals", json=child_referral(), headers=token)
        assert again.status_code == 201, again.text
        assert reopened.app.referral(UUID(again.json()["id"])).child.subject_id == new_child  # one record per person
    finally:
        reopened.close()
