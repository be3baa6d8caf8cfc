"""Inbound referrals over Kafka: signed messages from agency systems become referrals, or dead letters.

A message is accepted only whole: its envelope parses, its agency is registered, one of the agency's registered
Ed25519 keys signed its exact bytes, and its referral passes the same validation and application service as the
API (idempotent by message id). Anything else goes to the dead-letter topic with a machine-readable reason and
the message's place (topic, partition, offset), never its content; nothing of it is appended.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Annotated, Any

from kafka import KafkaConsumer
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from adapters.kafka_relay import Publisher
from adapters.signed_messages import SIGNATURE_HEADER, verify
from hub.kernel.errors import DomainError, InvalidInput, NotFound
from hub.referrals.domain import ReferralDraft
from hub.registry.service import integration_username
from hub.service import Hub

log = logging.getLogger(__name__)

INBOUND_TOPIC = "hub.inbound.referrals"
DEAD_LETTER_TOPIC = "hub.inbound.dead-letter"
MAX_MESSAGE_BYTES = 64 * 1024


class InboundEnvelope(BaseModel):
    """The signed JSON value of an inbound message."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    message_id: Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Za-z0-9._:-]{1,128}$")]
    agency: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=40)]
    referral: dict[str, Any]


def validation_failure(reason: str, error: ValidationError, prefix: str = "") -> InvalidInput:
    """The first pydantic error as a domain error naming the field."""
    first = error.errors()[0]
    field = ".".join(str(part) for part in (prefix, *first["loc"]) if part != "")
    return InvalidInput(reason, first["msg"], field or None)


class InboundReferrals:
    """Checks and submits one inbound message; raises a DomainError (the dead-letter reason) when it is refused."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def accept(self, value: bytes, signature: bytes | None) -> dict[str, Any]:
        if len(value) > MAX_MESSAGE_BYTES:
            raise InvalidInput("message_too_large", f"messages are limited to {MAX_MESSAGE_BYTES} bytes")
        try:
            envelope = InboundEnvelope.model_validate_json(value)
        except ValidationError as error:
            raise validation_failure("malformed_message", error) from None
        try:
            agency = self.hub.registry.agency(envelope.agency)
        except NotFound:
            raise InvalidInput("unknown_agency", "the message names no registered agency", "agency") from None
        if not agency.public_keys:
            raise InvalidInput("no_registered_key", "the agency has registered no signing key", "agency")
        if not verify(value, signature, (key for _, key in agency.public_keys)):
            raise InvalidInput("bad_signature", "no key registered for the agency signed this message", "signature")
        try:
            draft = ReferralDraft.model_validate(envelope.referral)
        except ValidationError as error:
            raise validation_failure("invalid_referral", error, "referral") from None
        principal = self.hub.principal_for(integration_username(envelope.agency))
        return self.hub.referrals.submit(principal, draft, idempotency_key=f"kafka:{envelope.message_id}")


def dead_letter(record: Any, error: DomainError) -> bytes:
    """What the dead-letter topic says about a refused message: why, and where it is; not what it contains."""
    claimed: dict[str, Any] = {}
    try:
        parsed = json.loads(record.value)
        if isinstance(parsed, dict):
            claimed = {key: parsed[key] for key in ("message_id", "agency") if isinstance(parsed.get(key), str)}
    except ValueError:
        pass
    document = {
        "reason": error.reason,
        "detail": error.detail,
        "field": error.field,
        **claimed,
        "source": {"topic": record.topic, "partition": record.partition, "offset": record.offset},
        "rejected_at": datetime.now(UTC).isoformat(),
    }
    return json.dumps(document, sort_keys=True).encode()


def header(record: Any, name: str) -> bytes | None:
    for key, value in record.headers or ():
        if key == name:
            return bytes(value)
    return None


class InboundConsumer:
    """Polls the inbound topic; each record is a referral or a dead letter before its offset is committed."""

    def __init__(self, hub: Hub, consumer: KafkaConsumer, publisher: Publisher) -> None:
        self.referrals = InboundReferrals(hub)
        self.consumer = consumer
        self.publisher = publisher

    @classmethod
    def connect(
        cls,
        hub: Hub,
        bootstrap_servers: str,
        group_id: str = "hub-inbound",
        topic: str = INBOUND_TOPIC,
        **settings: Any,
    ) -> InboundConsumer:
        consumer = KafkaConsumer(
            topic,
            bootstrap_servers=bootstrap_servers,
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **settings,
        )
        return cls(hub, consumer, Publisher(bootstrap_servers))

    def process_batch(self, timeout_ms: int = 1000) -> int:
        """Handle one poll's records; commits only after every one was submitted or dead-lettered."""
        batch = self.consumer.poll(timeout_ms=timeout_ms)
        records = [record for records in batch.values() for record in records]
        for record in records:
            try:
                self.referrals.accept(record.value, header(record, SIGNATURE_HEADER))
            except DomainError as error:
                log.info("inbound message refused: %s", error.reason)
                self.publisher.send(DEAD_LETTER_TOPIC, record.key or b"", dead_letter(record, error), [])
        if records:
            self.publisher.flush()
            self.consumer.commit()
        return len(records)

    def close(self) -> None:
        self.consumer.close()
        self.publisher.close()
