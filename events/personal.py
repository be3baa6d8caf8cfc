"""Personal data inside events: the marker on fields, and encrypting/decrypting them per data subject.

A field annotated `Annotated[T, PERSONAL]` holds personal data. When an event is stored, each such field is
replaced by a ciphertext envelope under the data key of the subject it is about: the `subject_id` of the
nearest enclosing model that has one (a person's details), else the event's `data_subject()`. The associated
data binds each ciphertext to its event id, field path and subject, so ciphertexts cannot be moved between
events or fields. Everything else (ids, types, agencies, times, categories) stays readable.

Free text of an event that names several people (`Annotated[str, NAMES_PEOPLE]`: an access purpose, a break-glass
justification) may name any of them, so it is sealed in layers, under each of the event's `data_subjects()` in
turn (AES-GCM, each layer's associated data binding event id, field path and that subject): it becomes
unreadable as soon as any one of them is erased. Text of an event that names nobody, or an already erased
person, is not stored at all: it is written as the field's erased value, since no erasure could ever reach it.

Events written before a field was sealed list it in `clear_in_older_events`: such a stored value is read as it
was written (an upcast; the log is append-only, so it cannot be sealed afterwards), and redacted like any other.
"""

from __future__ import annotations

import base64
import functools
import json
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from pydantic import BaseModel

ENVELOPE_MARK = "$personal"
ERASED_TEXT = "⟨erased⟩"


@dataclass(frozen=True)
class PersonalData:
    """Field marker: what this field holds is about a person and is stored encrypted."""

    erased: Any = ERASED_TEXT  # what a reader gets once the person's key is destroyed
    every_subject: bool = False  # sealed under each of the event's `data_subjects()`, not only the nearest one


PERSONAL = PersonalData()
PERSONAL_OPTIONAL = PersonalData(erased=None)
NAMES_PEOPLE = PersonalData(every_subject=True)
LEGACY_CLEAR_FIELDS = "clear_in_older_events"


class KeyDestroyed(Exception):
    """The subject's data key is destroyed: the data can never be read again."""


class TamperedCiphertext(Exception):
    """A ciphertext does not belong where it was found (moved, altered, or under the wrong key)."""


class SubjectCipher(Protocol):
    """Authenticated encryption under one data key per subject (AES-256-GCM in the hub)."""

    def encrypt(self, subject_id: UUID, plaintext: bytes, associated_data: bytes) -> tuple[str, bytes, bytes]:
        """Returns (key id, nonce, ciphertext)."""

    def decrypt(self, subject_id: UUID, key_id: str, nonce: bytes, ciphertext: bytes, associated_data: bytes) -> bytes:
        """Raises KeyDestroyed when the key is gone, TamperedCiphertext when authentication fails."""


def _associated_data(event_id: str, path: str, subject_id: str) -> bytes:
    return f"{event_id}\x00{path}\x00{subject_id}".encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def seal(
    state: dict[str, Any],
    model: type[BaseModel],
    subject: UUID | None,
    cipher: SubjectCipher,
    subjects: tuple[UUID, ...] = (),
) -> None:
    """Encrypt, in place, every personal field of a dumped event (`state` is `model_dump(mode="json")`).

    `subject` seals ordinary personal fields; `subjects` (the event's `data_subjects()`) seal `NAMES_PEOPLE` text.
    """
    event_id = str(state["event_id"])

    def encrypt(value: Any, path: str, subject_id: UUID | None, marker: PersonalData) -> Any:
        if marker.every_subject:
            return _seal_in_layers(value, event_id, path, subjects, cipher, marker)
        assert subject_id is not None
        associated = _associated_data(event_id, path, str(subject_id))
        key_id, nonce, ciphertext = cipher.encrypt(subject_id, json.dumps(value).encode(), associated)
        return {
            ENVELOPE_MARK: 1,
            "subject": str(subject_id),
            "key": key_id,
            "nonce": _b64(nonce),
            "data": _b64(ciphertext),
        }

    _walk(model, state, subject, "", encrypt, sealing=True)


def _seal_in_layers(
    value: Any, event_id: str, path: str, subjects: tuple[UUID, ...], cipher: SubjectCipher, marker: PersonalData
) -> Any:
    """`value` sealed under every subject in turn; the erased value if there is nobody (or an erased person)."""
    order = sorted(set(subjects), key=str)
    if not order:
        return marker.erased
    data = json.dumps(value).encode()
    key_ids: list[str] = []
    nonces: list[str] = []
    try:
        for subject_id in order:
            key_id, nonce, data = cipher.encrypt(subject_id, data, _associated_data(event_id, path, str(subject_id)))
            key_ids.append(key_id)
            nonces.append(_b64(nonce))
    except KeyDestroyed:
        return marker.erased
    return {
        ENVELOPE_MARK: 2,
        "subjects": [str(subject_id) for subject_id in order],
        "keys": key_ids,
        "nonces": nonces,
        "data": _b64(data),
    }


def _open_layers(envelope: dict[str, Any], event_id: str, path: str, cipher: SubjectCipher) -> bytes:
    """Peel the layers of a `NAMES_PEOPLE` envelope, outermost (last subject) first."""
    try:
        data = base64.b64decode(envelope["data"])
        layers = list(zip(envelope["subjects"], envelope["keys"], envelope["nonces"], strict=True))
    except (KeyError, TypeError, ValueError):
        raise TamperedCiphertext(f"{path} is not a well-formed envelope") from None
    if not layers:
        raise TamperedCiphertext(f"{path} has no layers: the hub never seals text under nobody")
    for subject, key_id, nonce in reversed(layers):
        associated = _associated_data(event_id, path, subject)
        data = cipher.decrypt(UUID(subject), key_id, base64.b64decode(nonce), data, associated)
    return data


def unseal(state: dict[str, Any], model: type[BaseModel], cipher: SubjectCipher) -> None:
    """Decrypt, in place, every personal field; an erased subject's fields get the field's erased value."""
    event_id = str(state["event_id"])

    def decrypt(envelope: Any, path: str, _: UUID | None, marker: PersonalData) -> Any:
        mark = envelope.get(ENVELOPE_MARK) if isinstance(envelope, dict) else None
        if mark == 2 and marker.every_subject:
            return json.loads(_open_layers(envelope, event_id, path, cipher))
        if mark != 1:  # a single layer also opens `NAMES_PEOPLE` text that older events sealed under one subject
            raise TamperedCiphertext(f"{path} is not sealed")
        associated = _associated_data(event_id, path, envelope["subject"])
        plaintext = cipher.decrypt(
            UUID(envelope["subject"]),
            envelope["key"],
            base64.b64decode(envelope["nonce"]),
            base64.b64decode(envelope["data"]),
            associated,
        )
        return json.loads(plaintext)

    _walk(model, state, None, "", decrypt, sealing=False)


def redact(state: dict[str, Any], model: type[BaseModel]) -> None:
    """Replace, in place, every sealed personal field by its erased value without touching any key."""
    _walk(model, state, None, "", None, sealing=False)


@dataclass(frozen=True)
class _Plan:
    """Where a model keeps personal data: its own personal fields, and the fields holding nested models."""

    names_subject: bool
    personal: tuple[tuple[str, PersonalData], ...]
    nested: tuple[tuple[str, type[BaseModel]], ...]
    clear_before: frozenset[str]  # fields older events stored in the clear


@functools.cache
def _plan(model: type[BaseModel]) -> _Plan:
    personal: list[tuple[str, PersonalData]] = []
    nested: list[tuple[str, type[BaseModel]]] = []
    for name, field in model.model_fields.items():
        marker = next((item for item in field.metadata if isinstance(item, PersonalData)), None)
        if marker is not None:
            personal.append((name, marker))
        elif (inner := _nested_model(field.annotation)) is not None and _holds_personal_data(inner):
            nested.append((name, inner))
    clear_before = frozenset(getattr(model, LEGACY_CLEAR_FIELDS, frozenset()))
    return _Plan("subject_id" in model.model_fields, tuple(personal), tuple(nested), clear_before)


def _holds_personal_data(model: type[BaseModel]) -> bool:
    plan = _plan(model)
    return bool(plan.personal or plan.nested)


def _walk(
    model: type[BaseModel],
    data: dict[str, Any],
    subject: UUID | None,
    path: str,
    transform: Callable[[Any, str, UUID | None, PersonalData], Any] | None,
    sealing: bool,
) -> None:
    """Apply `transform` to every personal field of `data` (None: set each to its erased value)."""
    plan = _plan(model)
    if plan.names_subject and data.get("subject_id") is not None:
        subject = UUID(str(data["subject_id"]))
    for name, marker in plan.personal:
        value = data.get(name)
        if value is None:
            continue
        if subject is None and sealing and not marker.every_subject:
            raise ValueError(f"{path}{name} holds personal data but names no data subject")
        if transform is None:
            data[name] = marker.erased
            continue
        if not sealing and name in plan.clear_before and not _is_envelope(value):
            continue
        try:
            data[name] = transform(value, f"{path}{name}", subject, marker)
        except KeyDestroyed:
            if sealing:
                raise
            data[name] = marker.erased
    for name, nested in plan.nested:
        value = data.get(name)
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            suffix = f"{name}[{index}]." if isinstance(value, list) else f"{name}."
            if isinstance(item, dict):
                _walk(nested, item, subject, f"{path}{suffix}", transform, sealing)


def _is_envelope(value: Any) -> bool:
    return isinstance(value, dict) and ENVELOPE_MARK in value


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside `M`, `M | None`, `tuple[M, ...]` or `list[M]`, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (tuple, list, typing.Union, types.UnionType):
        for argument in typing.get_args(annotation):
            found = _nested_model(argument)
            if found is not None:
                return found
    return None
