"""B6: Kafka relay messages published/s against raw `kafka-python` produce of the same messages to the same broker.

The relay reads the log, rebuilds each referral's parties, applies `policies/outbound.py`, produces with acks=all
and an idempotent producer, then advances its position. The baseline produces the very same pre-built messages
(same topics, keys, values, headers, producer settings) to the same Tansu broker, started here like the tests do.
"""

from __future__ import annotations

from kafka import KafkaProducer

from adapters.kafka_relay import SEND_TIMEOUT_SECONDS, KafkaRelay, Publisher
from adapters.outbound import OutboundMessages, agency_topic
from bench.fill import fill_referrals
from bench.harness import BenchStore, Row, Scale, per_second, ratio_row
from hub.registry.demo import seed_demo
from hub.service import Hub
from tests.broker import Broker

REFERRALS = {"tiny": 20, "quick": 2_000, "full": 10_000}


def _producer(bootstrap: str) -> KafkaProducer:
    """The relay's producer settings (acks=all, idempotent, linger 5 ms)."""
    timeout_ms = int(SEND_TIMEOUT_SECONDS * 1000)
    return KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        max_block_ms=timeout_ms,
        request_timeout_ms=timeout_ms,
        delivery_timeout_ms=timeout_ms + 100,
    )


def run(store: BenchStore, scale: Scale) -> list[Row]:
    count = REFERRALS.get(scale.name, REFERRALS["quick"])
    broker = Broker()
    broker.start()
    hub = Hub(store.fresh("b6"))
    try:
        seed_demo(hub)
        fill_referrals(hub, count)
        outbound = OutboundMessages(hub).after(0, count + 1)
        messages = [
            (
                agency_topic(envelope.agency_id),
                envelope.key,
                envelope.value,
                [("event_id", str(envelope.event_id).encode())],
            )
            for item in outbound
            for envelope in item.envelopes
        ]
        producer = _producer(broker.bootstrap)
        try:
            for topic in {topic for topic, *_ in messages}:  # create the topics before either side is timed
                producer.send(topic, key=b"warm-up", value=b"{}")
            producer.flush()

            def raw() -> None:
                futures = [
                    producer.send(topic, key=key, value=value, headers=headers)
                    for topic, key, value, headers in messages
                ]
                producer.flush()
                for future in futures:
                    future.get(timeout=SEND_TIMEOUT_SECONDS)

            raw_rate = per_second(len(messages), raw)
        finally:
            producer.close()
        relay = KafkaRelay(hub, Publisher(broker.bootstrap))
        try:
            relayed_events = 0

            def relay_all() -> None:
                nonlocal relayed_events
                relayed_events = relay.catch_up()

            relay_rate = per_second(len(messages), relay_all)
        finally:
            relay.publisher.close()
    finally:
        hub.close()
        broker.stop()
    assert relayed_events == len(outbound)
    return [
        ratio_row(
            "B6",
            store.kind,
            "Kafka relay messages published/s (log → policy → acks=all)",
            relay_rate,
            raw_rate,
            "messages/s",
            0.8,
            len(outbound),
            messages=len(messages),
            events_per_second=relay_rate * len(outbound) / len(messages),
        )
    ]
