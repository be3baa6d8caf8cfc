"""Inbound referrals over Kafka: a signed message becomes a referral once; forged or invalid ones are dead letters."""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from adapters.inbound_kafka import DEAD_LETTER_TOPIC, INBOUND_TOPIC, InboundConsumer, InboundReferrals
from adapters.kafka_relay import Publisher
from adapters.signed_messages import SIGNATURE_HEADER, sign
from events.registry import agency_id_for
from hub.kernel.errors import DomainError
from hub.referrals.service import idempotent_referral_id
from hub.service import Hub
from tests.broker import FAST_GROUP, Broker, read_topic
from tests.conftest import child_referral, head


def raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def message(message_id: str, agency: str = "VP", **referral: Any) -> bytes:
    body = {"message_id": message_id, "agency": agency, "referral": child_referral(**referral)}
    return json.dumps(body).encode()


@pytest.fixture
def police_key(hub: Hub) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    hub.registry.register_key("VP", raw_public(key))
    return key


def refusal(hub: Hub, value: bytes, signature: bytes | None) -> DomainError:
    before = head(hub)
    with pytest.raises(DomainError) as caught:
        InboundReferrals(hub).accept(value, signature)
    assert head(hub) == before
    return caught.value


def test_a_signed_message_becomes_one_referral_by_message_id(hub: Hub, police_key: Ed25519PrivateKey) -> None:
    value = message("vp-2026-0001", concerns=["offence"])
    inbound = InboundReferrals(hub)
    receipt = inbound.accept(value, sign(police_key, value))
    assert receipt["id"] == str(idempotent_referral_id(agency_id_for("VP"), "kafka:vp-2026-0001"))
    referral = hub.app.referral(idempotent_referral_id(agency_id_for("VP"), "kafka:vp-2026-0001"))
    assert referral.referrer_agency_id == agency_id_for("VP")
    before = head(hub)
    assert inbound.accept(value, sign(police_key, value))["replayed"] is True
    assert head(hub) == before


@pytest.mark.parametrize(
    ("tamper", "reason", "field"),
    [
        (lambda key, value: (value, sign(Ed25519PrivateKey.generate(), value)), "bad_signature", "signature"),
        (lambda key, value: (value.replace(b"Elza", b"Anna"), sign(key, value)), "bad_signature", "signature"),
        (lambda key, value: (value, None), "bad_signature", "signature"),
        (lambda key, value: (value, b"not base64!"), "bad_signature", "signature"),
        (lambda key, value: (b"{not json", sign(key, b"{not json")), "malformed_message", None),
    ],
)
def test_forged_or_broken_messages_are_refused_whole(
    hub: Hub, police_key: Ed25519PrivateKey, tamper: Any, reason: str, field: str | None
) -> None:
    value, signature = tamper(police_key, message("vp-forged"))
    error = refusal(hub, value, signature)
    assert (error.reason, error.field) == (reason, field)


def test_unknown_agencies_unregistered_keys_and_invalid_referrals_are_refused(
    hub: Hub, police_key: Ed25519PrivateKey
) -> None:
    unknown = message("m1", agency="NOPE")
    assert refusal(hub, unknown, sign(police_key, unknown)).reason == "unknown_agency"
    keyless = message("m2", agency="TUK-SKOLA")
    assert refusal(hub, keyless, sign(police_key, keyless)).reason == "no_registered_key"
    invalid = message("m3", urgency="whenever")
    error = refusal(hub, invalid, sign(police_key, invalid))
    assert (error.reason, error.field) == ("invalid_referral", "referral.urgency")
    extra = json.dumps({"message_id": "m 4", "agency": "VP", "referral": {}}).encode()
    assert refusal(hub, extra, sign(police_key, extra)).field == "message_id"


@pytest.mark.kafka
def test_the_consumer_submits_signed_messages_and_dead_letters_forged_ones(
    hub: Hub, police_key: Ed25519PrivateKey, broker: Broker
) -> None:
    run = uuid.uuid4().hex  # the session's broker is shared by both stores' runs of this test
    topic, good_id, forged_id = f"{INBOUND_TOPIC}.{run}", f"vp-good-{run}", f"vp-forged-{run}"
    sender = Publisher(broker.bootstrap)
    genuine = message(good_id, concerns=["offence"])
    forged = message(forged_id, concerns=["offence"])
    sender.send(topic, b"1", genuine, [(SIGNATURE_HEADER, sign(police_key, genuine))])
    sender.send(topic, b"2", forged, [(SIGNATURE_HEADER, sign(Ed25519PrivateKey.generate(), forged))])
    sender.flush()
    sender.close()
    consumer = InboundConsumer.connect(hub, broker.bootstrap, group_id=run, topic=topic, **FAST_GROUP)
    try:
        handled, deadline = 0, time.monotonic() + 30
        while handled < 2 and time.monotonic() < deadline:
            handled += consumer.process_batch(timeout_ms=500)
    finally:
        consumer.close()
    assert hub.app.exists(idempotent_referral_id(agency_id_for("VP"), f"kafka:{good_id}"))
    assert not hub.app.exists(idempotent_referral_id(agency_id_for("VP"), f"kafka:{forged_id}"))
    letters = [
        letter for letter in read_topic(broker.bootstrap, DEAD_LETTER_TOPIC) if letter.get("message_id") == forged_id
    ]
    assert len(letters) == 1
    assert (letters[0]["reason"], letters[0]["field"], letters[0]["agency"]) == ("bad_signature", "signature", "VP")
    assert "referral" not in letters[0]


def test_registering_a_key_checks_it_and_is_idempotent(hub: Hub) -> None:
    key = raw_public(Ed25519PrivateKey.generate())
    first = hub.registry.register_key("VP", key)
    before = head(hub)
    assert hub.registry.register_key("VP", key) == first
    assert head(hub) == before
    with pytest.raises(DomainError) as short:
        hub.registry.register_key("VP", key[:31])
    assert short.value.reason == "invalid_public_key"
    with pytest.raises(DomainError) as unknown:
        hub.registry.register_key("NOPE", key)
    assert unknown.value.reason == "unknown_agency"
    assert base64.b64encode(key).decode() in dict(hub.app.agency(agency_id_for("VP")).public_keys).values()
