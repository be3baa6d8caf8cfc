"""Free text naming several people (`NAMES_PEOPLE`): readable while all of them exist, erased when any one is."""

from __future__ import annotations

import copy
import os
from typing import Annotated, Any
from uuid import UUID, uuid4

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from events.access import AccessRecorded
from events.base import DomainEvent
from events.personal import ERASED_TEXT, NAMES_PEOPLE, KeyDestroyed, TamperedCiphertext, seal, unseal
from events.review import BreakGlassReviewOpened
from events.values import Decision

PURPOSE = "Jānis Bērziņš pie Annas Bērziņas"


class Keys:
    """A `SubjectCipher` with in-memory keys, some of which can be destroyed."""

    def __init__(self) -> None:
        self.keys: dict[UUID, bytes] = {}
        self.destroyed: set[UUID] = set()

    def encrypt(self, subject_id: UUID, plaintext: bytes, associated_data: bytes) -> tuple[str, bytes, bytes]:
        if subject_id in self.destroyed:
            raise KeyDestroyed(str(subject_id))
        key = self.keys.setdefault(subject_id, AESGCM.generate_key(bit_length=256))
        nonce = os.urandom(12)
        return "dk1", nonce, AESGCM(key).encrypt(nonce, plaintext, associated_data)

    def decrypt(self, subject_id: UUID, key_id: str, nonce: bytes, ciphertext: bytes, associated_data: bytes) -> bytes:
        if subject_id in self.destroyed:
            raise KeyDestroyed(str(subject_id))
        try:
            return AESGCM(self.keys[subject_id]).decrypt(nonce, ciphertext, associated_data)
        except InvalidTag:
            raise TamperedCiphertext("failed authentication") from None


def access(*subjects: UUID) -> AccessRecorded:
    return AccessRecorded(
        originator_id=uuid4(),
        originator_version=1,
        action="referral.read",
        resource="referral:x",
        purpose=PURPOSE,
        subjects=subjects,
        categories=(),
        decision=Decision.PERMIT,
        basis=None,
        reasons=(),
    )


def sealed(event: AccessRecorded | BreakGlassReviewOpened, keys: Keys) -> dict[str, Any]:
    state = event.model_dump(mode="json")
    seal(state, type(event), event.data_subject(), keys, event.data_subjects())
    return state


def opened(state: dict[str, Any], keys: Keys, model: type[Any] = AccessRecorded) -> dict[str, Any]:
    state = copy.deepcopy(state)
    unseal(state, model, keys)
    return state


def test_text_opens_while_everyone_exists_and_is_erased_when_any_one_is_erased() -> None:
    keys, people = Keys(), (uuid4(), uuid4(), uuid4())
    state = sealed(access(*people), keys)
    assert PURPOSE not in str(state)
    assert state["purpose"]["subjects"] == sorted(str(person) for person in people)
    assert opened(state, keys)["purpose"] == PURPOSE
    for person in people:
        keys.destroyed = {person}
        assert opened(state, keys)["purpose"] == ERASED_TEXT


def test_text_of_an_event_naming_nobody_or_an_erased_person_is_not_stored() -> None:
    keys = Keys()
    assert sealed(access(), keys)["purpose"] == ERASED_TEXT
    erased = uuid4()
    keys.destroyed = {erased}
    assert sealed(access(uuid4(), erased), keys)["purpose"] == ERASED_TEXT


def test_layers_are_bound_to_their_event_field_and_subjects() -> None:
    keys, people = Keys(), (uuid4(), uuid4())
    first, second = sealed(access(*people), keys), sealed(access(*people), keys)
    moved = {**second, "purpose": first["purpose"]}
    with pytest.raises(TamperedCiphertext):
        opened(moved, keys)  # another event's text
    swapped = copy.deepcopy(first)
    swapped["purpose"]["subjects"].reverse()
    with pytest.raises(TamperedCiphertext):
        opened(swapped, keys)  # layers peeled under the wrong people
    review = BreakGlassReviewOpened(
        originator_id=uuid4(),
        originator_version=1,
        agency_id=uuid4(),
        action="referral.read",
        resource="referral:x",
        subjects=people,
        justification=PURPOSE,
    )
    review_state = sealed(review, keys)
    assert opened(review_state, keys, BreakGlassReviewOpened)["justification"] == PURPOSE
    review_state["event_id"] = first["event_id"]
    review_state["justification"] = first["purpose"]
    with pytest.raises(TamperedCiphertext):
        opened(review_state, keys, BreakGlassReviewOpened)  # the same event id, another field


class Note(DomainEvent):
    """A field sealed from its first version: its clear value is never accepted."""

    text: Annotated[str, NAMES_PEOPLE]


def test_clear_or_empty_text_is_refused_unless_older_events_stored_that_field_in_the_clear() -> None:
    keys, person = Keys(), uuid4()
    older = access(person).model_dump(mode="json")
    assert opened(older, keys)["purpose"] == PURPOSE  # written before purposes were sealed: read as written
    note = Note(originator_id=uuid4(), originator_version=1, text=PURPOSE).model_dump(mode="json")
    with pytest.raises(TamperedCiphertext):
        opened(note, keys, Note)
    emptied = sealed(access(person), keys)
    emptied["purpose"] = {"$personal": 2, "subjects": [], "keys": [], "nonces": [], "data": ""}
    with pytest.raises(TamperedCiphertext):
        opened(emptied, keys)  # an envelope without layers was not sealed by the hub
    emptied["purpose"] = {"$personal": 2, "subjects": [str(person)], "keys": [], "nonces": [], "data": ""}
    with pytest.raises(TamperedCiphertext):
        opened(emptied, keys)  # layers that do not add up
