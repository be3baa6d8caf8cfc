"""The outbox relay against a real (Tansu) broker: policy-filtered messages per agency, no loss across an outage."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from adapters.kafka_consumer import AgencyFeed, SeenEvents
from adapters.kafka_relay import Backoff, KafkaRelay, Publisher, follow_with_backoff
from adapters.outbound import OutboundMessages, agency_topic
from events.personal import ERASED_TEXT
from events.registry import agency_id_for
from hub.referrals.domain import ReferralDraft
from hub.referrals.drafts import QuestionDraft
from hub.service import Hub
from policies.referral_actions import ReferralAction
from tests.broker import FAST_GROUP, Broker, read_topic
from tests.conftest import child_referral

pytestmark = pytest.mark.kafka

# What a school may learn from its topic: envelope fields and a milestone, nothing of the content.
MILESTONE_FIELDS = {
    "schema",
    "policy",
    "event_id",
    "event_type",
    "referral_id",
    "referral_version",
    "occurred_at",
    "agency_id",
    "audience",
    "milestone",
}


def topic_of(code: str) -> str:
    return agency_topic(agency_id_for(code))


def test_a_referral_reaches_each_routed_agency_as_its_policy_allows(
    hub: Hub, client: TestClient, auth: Callable[[str], dict[str, str]], broker: Broker
) -> None:
    body = child_referral(concerns=["violence_physical"], summary="Skolotāja redzēja zilumus uz rokām.")
    submitted = client.post("/v1/referrals", json=body, headers=auth("tukums.school"))
    assert submitted.status_code == 201
    referral_id = submitted.json()["id"]
    hub.referral_workflow.act(hub.principal_for("tukums.intake"), UUID(referral_id), ReferralAction.ACKNOWLEDGE)

    relay = KafkaRelay(hub, Publisher(broker.bootstrap))
    try:
        assert relay.catch_up() >= 2
    finally:
        relay.publisher.close()

    def ours(code: str) -> list[dict[str, object]]:
        return [
            message for message in read_topic(broker.bootstrap, topic_of(code)) if message["referral_id"] == referral_id
        ]

    social_service, orphans_court, school = ours("TUK-SD"), ours("TUK-BT"), ours("TUK-SKOLA")
    assert [message["status"] for message in social_service] == ["submitted", "acknowledged"]
    first = social_service[0]
    assert (first["audience"], first["lead"], first["municipality"]) == ("casework", True, "tukuma-novads")
    assert (first["urgency"], first["concerns"]) == ("urgent", ["violence_physical"])
    assert first["due"]
    assert [message["lead"] for message in orphans_court] == [False, False]
    assert [message["milestone"] for message in school] == ["sent", "received"]
    assert all(set(message) == MILESTONE_FIELDS for message in school)
    for message in social_service + orphans_court + school:
        text = json.dumps(message, ensure_ascii=False)
        assert not any(secret in text for secret in ("zilumus", "Elza", "Kalniņa", "120415"))
    assert ours("VP") == []
    assert ours("DAU-SD") == []


def test_an_outage_loses_nothing_and_repeats_only_the_same_event(hub: Hub) -> None:
    broker = Broker()
    broker.start()
    relay = KafkaRelay(hub, Publisher(broker.bootstrap, timeout=2.0))
    stop = threading.Event()
    worker = threading.Thread(
        target=follow_with_backoff,
        args=(relay.catch_up, stop, 0.05, Backoff(first=0.1, ceiling=0.5), "relay"),
        daemon=True,
    )
    school = hub.principal_for("tukums.school")
    expected: set[str] = set()

    def submit(count: int) -> None:
        for index in range(count):
            draft = ReferralDraft.model_validate(child_referral(summary=f"Referral number {index}"))
            expected.add(hub.referrals.submit(school, draft)["id"])

    def delivered_everything() -> bool:
        head = hub.app.recorder.max_notification_id() or 0
        return relay.position() >= head

    def wait_for(condition: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 60
        while not condition():
            assert time.monotonic() < deadline, "the relay did not catch up"
            time.sleep(0.05)

    worker.start()
    try:
        submit(3)
        wait_for(delivered_everything)
        before = read_topic(broker.bootstrap, topic_of("TUK-SD"))
        broker.stop()
        submit(3)  # the hub keeps accepting work while Kafka is down
        assert relay.position() < (hub.app.recorder.max_notification_id() or 0)
        broker.start()
        wait_for(delivered_everything)
        after = read_topic(broker.bootstrap, topic_of("TUK-SD"))
    finally:
        stop.set()
        worker.join(timeout=10)
        relay.publisher.close()
        broker.stop()
    messages = before + after
    assert {message["referral_id"] for message in messages} == expected
    by_event: dict[str, list[dict[str, object]]] = {}
    for message in messages:
        by_event.setdefault(str(message["event_id"]), []).append(message)
    assert len(by_event) == len(expected)
    assert all(all(copy == copies[0] for copy in copies) for copies in by_event.values())


def test_an_agency_feed_drops_repeated_events(broker: Broker) -> None:
    agency_id = agency_id_for("TEST-FEED")
    publisher = Publisher(broker.bootstrap)
    documents = [{"event_id": f"e{index}", "n": index} for index in (1, 2, 1, 3, 2)]
    for document in documents:
        publisher.send(agency_topic(agency_id), b"referral", json.dumps(document).encode(), [])
    publisher.flush()
    publisher.close()
    feed = AgencyFeed.connect(broker.bootstrap, agency_id, "feed-test", **FAST_GROUP)
    try:
        received: list[dict[str, object]] = []
        deadline = time.monotonic() + 30
        while len(received) < 3 and time.monotonic() < deadline:
            received += feed.poll(timeout_ms=500)
        feed.commit()
    finally:
        feed.close()
    assert [document["event_id"] for document in received] == ["e1", "e2", "e3"]


def test_seen_events_forget_the_oldest_beyond_capacity() -> None:
    seen = SeenEvents(capacity=2)
    assert [seen.first_time(event) for event in ("a", "b", "a", "c", "b", "a")] == [
        True,
        True,
        False,
        True,
        True,
        True,
    ]


def test_the_relay_reads_no_personal_data_and_remembers_none(hub: Hub) -> None:
    school = hub.authenticate(hub.issue_token("tukums.school"))
    receipt = hub.referrals.submit(school, ReferralDraft.model_validate(child_referral()))
    intake = hub.authenticate(hub.issue_token("tukums.intake"))
    hub.referral_workflow.act(intake, UUID(receipt["id"]), ReferralAction.ACKNOWLEDGE)
    messages = OutboundMessages(hub)
    relayed = messages.after(0, 1000)
    assert [type(item.event).__name__ for item in relayed] == ["ReferralSubmitted", "ReferralAcknowledged"]
    fresh = OutboundMessages(hub)  # nothing remembered: the state is read back from the log
    for outbound in (messages, fresh):
        referral = outbound.referral_at(relayed[-1].event)
        assert (referral.child.given_name, referral.child.personal_code, referral.summary) == (
            ERASED_TEXT,
            None,
            ERASED_TEXT,
        )


def test_the_referrers_information_requested_milestone_holds_no_question_at_all(hub: Hub) -> None:
    school = hub.authenticate(hub.issue_token("tukums.school"))
    receipt = hub.referrals.submit(school, ReferralDraft.model_validate(child_referral()))
    intake = hub.authenticate(hub.issue_token("tukums.intake"))
    referral_id = UUID(receipt["id"])
    hub.referral_workflow.act(intake, referral_id, ReferralAction.ACKNOWLEDGE)
    question = QuestionDraft(question="Kopš kura laika bērns neapmeklē skolu?")
    hub.referral_workflow.act(hub.principal_for("tukums.cm"), referral_id, ReferralAction.REQUEST_INFORMATION, question)
    [asked] = [item for item in OutboundMessages(hub).after(0, 1000) if type(item.event).__name__.endswith("Requested")]
    school_agency = agency_id_for("TUK-SKOLA")
    [told] = [json.loads(envelope.value) for envelope in asked.envelopes if envelope.agency_id == school_agency]
    assert told["milestone"] == "information_requested"
    assert "question" not in told
    assert all(ERASED_TEXT not in envelope.value.decode() for envelope in asked.envelopes)
