"""Webhooks against a real HTTP server on 127.0.0.1: signed, policy-filtered deliveries, retries, a delivery log."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from adapters import webhook_api
from adapters.cli import compose
from adapters.outbound import OutboundMessages
from adapters.webhook_delivery import RetrySchedule, WebhookDispatcher, outcome
from adapters.webhook_outbox import DeliveryLog, DeliveryStatus, WebhookOutbox
from adapters.webhook_signature import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature_headers,
    verify_delivery,
)
from events.registry import agency_id_for
from hub.api.app import create_app
from hub.kernel.config import Settings
from hub.referrals.domain import ReferralDraft
from hub.service import Hub
from tests.conftest import child_referral, domain_events, head
from tests.pg import free_port

SECRETS = ("zilumus", "Elza", "Kalniņa", "120415", "Inga")


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An agency's webhook endpoint: records every POST and answers with `status`; can be stopped and restarted."""

    port: int = field(default_factory=free_port)
    status: int = 200
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    instance = Receiver()
    instance.start()
    try:
        yield instance
    finally:
        instance.stop()


@dataclass
class Clock:
    """The dispatcher's time, set by the test; starts a minute ahead so deliveries queued just now are due."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Webhooks:
    outbox: WebhookOutbox
    dispatcher: WebhookDispatcher
    log: DeliveryLog

    def run(self) -> int:
        self.outbox.catch_up()
        return self.dispatcher.deliver_due()

    def entries(self, code: str) -> list[dict[str, Any]]:
        return self.log.entries(agency_id_for(code))


def webhooks(hub: Hub, clock: Callable[[], datetime] | None = None) -> Webhooks:
    log = DeliveryLog(hub.views_db)
    schedule = RetrySchedule(first=timedelta(seconds=30), max_attempts=5)
    return Webhooks(
        WebhookOutbox(hub, log), WebhookDispatcher(hub, log, clock=clock, schedule=schedule, timeout=2), log
    )


def submit(hub: Hub, summary: str = "Bērns nav apmeklējis skolu.") -> str:
    draft = ReferralDraft.model_validate(child_referral(summary=summary))
    return str(hub.referrals.submit(hub.principal_for("tukums.school"), draft)["id"])


def test_deliveries_are_signed_and_carry_exactly_the_outbound_policys_envelope(hub: Hub, receiver: Receiver) -> None:
    for code in ("TUK-SD", "TUK-SKOLA", "DAU-SD"):
        hub.registry.register_webhook(code, f"{receiver.url}/{code}")
    referral_id = submit(hub, "Skolotāja redzēja zilumus uz rokām.")
    channel = webhooks(hub)

    assert channel.run() == 2  # TUK-SD (casework) and TUK-SKOLA (milestone); TUK-BT has no webhook, DAU-SD no stake
    event = hub.app.stream(UUID(referral_id))[0]
    expected = {envelope.agency_id: envelope.value for envelope in OutboundMessages(hub).envelopes(event)}
    public_key = hub.signing_key.public_key()
    now = int(datetime.now(UTC).timestamp())
    assert sorted(request.path for request in receiver.received) == ["/TUK-SD", "/TUK-SKOLA"]
    for request in receiver.received:
        assert request.body == expected[agency_id_for(request.path.strip("/"))]
        assert request.headers[EVENT_ID_HEADER] == json.loads(request.body)["event_id"] == str(event.event_id)
        assert verify_delivery(public_key, request.headers, request.body, now)
        assert not verify_delivery(public_key, request.headers, request.body + b" ", now)
        assert not any(secret in request.body.decode() for secret in SECRETS)
    school = json.loads(next(r.body for r in receiver.received if r.path == "/TUK-SKOLA"))
    assert (school["audience"], school["milestone"]) == ("milestones", "sent")
    assert "concerns" not in school

    assert channel.run() == 0  # queued once, delivered once
    assert len(receiver.received) == 2
    [entry] = channel.entries("TUK-SD")
    assert (entry["status"], entry["attempts"], entry["last_status"], entry["event_id"]) == (
        "delivered",
        1,
        200,
        str(event.event_id),
    )
    assert channel.entries("DAU-SD") == []


def test_an_endpoint_down_then_up_gets_its_delivery_after_backoff_and_a_4xx_fails_for_good(hub: Hub) -> None:
    endpoint = Receiver(status=503)
    hub.registry.register_webhook("TUK-SD", f"{endpoint.url}/hook")
    clock = Clock()
    channel = webhooks(hub, clock)
    submit(hub)

    assert channel.run() == 1  # nobody listening
    [entry] = channel.entries("TUK-SD")
    assert (entry["status"], entry["attempts"], entry["last_error"]) == ("pending", 1, "ConnectionRefusedError")
    assert entry["next_attempt_at"] == (clock.now + timedelta(seconds=30)).isoformat()
    clock.advance(29)
    assert channel.run() == 0  # not due yet

    endpoint.start()
    try:
        clock.advance(1)
        assert channel.run() == 1  # answered 503: retried later, twice as late
        [entry] = channel.entries("TUK-SD")
        assert (entry["status"], entry["attempts"], entry["last_status"]) == ("pending", 2, 503)
        assert entry["next_attempt_at"] == (clock.now + timedelta(seconds=60)).isoformat()

        endpoint.status = 200
        clock.advance(60)
        assert channel.run() == 1
        [entry] = channel.entries("TUK-SD")
        assert (entry["status"], entry["attempts"], entry["last_status"]) == ("delivered", 3, 200)

        endpoint.status = 400
        submit(hub)
        assert channel.run() == 1
        rejected = channel.entries("TUK-SD")[0]
        assert (rejected["status"], rejected["attempts"], rejected["last_status"]) == ("failed", 1, 400)
        assert rejected["next_attempt_at"] is None
        clock.advance(3600)
        assert channel.run() == 0  # a permanent failure is not retried

        endpoint.status = 200
        submit(hub)
        assert channel.run() == 1  # and it does not hold back the agency's later deliveries
        assert [entry["status"] for entry in channel.entries("TUK-SD")] == ["delivered", "failed", "delivered"]
        assert len({request.headers[EVENT_ID_HEADER] for request in endpoint.received}) == 3
    finally:
        endpoint.stop()


def test_retries_stop_after_the_last_attempt(hub: Hub) -> None:
    hub.registry.register_webhook("TUK-SD", f"http://127.0.0.1:{free_port()}/hook")
    clock = Clock()
    channel = webhooks(hub, clock)
    submit(hub)
    for _ in range(5):
        assert channel.run() == 1
        clock.advance(timedelta(hours=6).total_seconds())
    assert channel.run() == 0
    [entry] = channel.log.entries(agency_id_for("TUK-SD"), DeliveryStatus.FAILED)
    assert (entry["attempts"], entry["last_error"]) == (5, "ConnectionRefusedError")


@pytest.fixture
def webhook_client(hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub, follow_in_background=False, extra_routers=[webhook_api.router])) as client:
        yield client


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://sd.tukums.lv/hook", "invalid_url"),
        ("/relative/hook", "invalid_url"),
        ("https://user:secret@sd.tukums.lv/hook", "invalid_url"),
        ("https://sd.tukums.lv:99999/hook", "invalid_url"),
        ("http://sd.tukums.lv/hook", "insecure_url"),
        ("https://sd.tukums.lv/" + "a" * 2000, "string_too_long"),
    ],
)
def test_a_bad_webhook_url_is_refused_and_nothing_is_appended(
    hub: Hub, webhook_client: TestClient, auth: Callable[[str], dict[str, str]], url: str, reason: str
) -> None:
    before = head(hub)
    response = webhook_client.put("/v1/webhooks", json={"url": url}, headers=auth("tukums.head"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert (response.json()["errors"][0]["field"], response.json()["errors"][0]["reason"]) == ("url", reason)
    assert head(hub) == before


def test_only_the_head_or_administrator_manages_the_agencys_webhook(
    hub: Hub, webhook_client: TestClient, auth: Callable[[str], dict[str, str]]
) -> None:
    before = domain_events(hub)
    for user in ("tukums.cm", "tukums.school"):
        refused = webhook_client.put("/v1/webhooks", json={"url": "https://sd.tukums.lv/hook"}, headers=auth(user))
        assert (refused.status_code, refused.json()["reason"]) == (403, "may_not_manage_webhooks")
        assert webhook_client.get("/v1/webhooks/deliveries", headers=auth(user)).status_code == 403
    extra = webhook_client.put("/v1/webhooks", json={"url": "https://x.lv", "secret": "x"}, headers=auth("tukums.head"))
    assert extra.status_code == 422
    assert domain_events(hub) == before  # the refusals were recorded, nothing else appended

    registered = webhook_client.put(
        "/v1/webhooks", json={"url": "https://sd.tukums.lv/hook"}, headers=auth("tukums.head")
    )
    assert registered.status_code == 200
    document = registered.json()
    assert (document["agency"], document["url"]) == ("TUK-SD", "https://sd.tukums.lv/hook")
    assert len(document["signing_key_id"]) == 16
    after = domain_events(hub)
    assert after == before + 1
    assert (
        webhook_client.put("/v1/webhooks", json={"url": document["url"]}, headers=auth("tukums.head")).status_code
        == 200
    )
    assert domain_events(hub) == after  # the same URL again appends nothing
    assert webhook_client.get("/v1/webhooks", headers=auth("tukums.head")).json() == document
    deliveries = webhook_client.get("/v1/webhooks/deliveries?status=pending", headers=auth("tukums.head"))
    assert (deliveries.status_code, deliveries.json()) == (200, [])
    bad_status = webhook_client.get("/v1/webhooks/deliveries?status=lost", headers=auth("tukums.head"))
    assert bad_status.status_code == 422


def test_webhooks_from_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, receiver: Receiver) -> None:
    monkeypatch.setenv("HUB_STORE", str(tmp_path / "hub.sqlite"))
    monkeypatch.setenv("HUB_KEY_DIR", str(tmp_path / "keys"))
    runner, app = CliRunner(), compose()
    assert runner.invoke(app, ["demo", "seed"]).exit_code == 0
    refused = runner.invoke(app, ["agencies", "register-webhook", "--agency", "TUK-SD", "--url", "http://x.lv/h"])
    assert refused.exit_code == 1
    assert "insecure_url" in refused.output
    registered = runner.invoke(app, ["agencies", "register-webhook", "--agency", "TUK-SD", "--url", receiver.url])
    assert (registered.exit_code, registered.output.strip()) == (0, "TUK-SD: webhook registered.")

    hub = Hub(Settings(_env_file=None))  # type: ignore[call-arg]
    try:
        submit(hub)
        webhooks(hub).run()
        event_id = receiver.received[0].headers[EVENT_ID_HEADER]
    finally:
        hub.close()
    shown = runner.invoke(app, ["webhooks", "log", "--agency", "TUK-SD", "--status", "delivered"])
    assert shown.exit_code == 0, shown.output
    assert [(entry["event_id"], entry["attempts"]) for entry in json.loads(shown.output)] == [(event_id, 1)]
    public_key = runner.invoke(app, ["webhooks", "public-key"])
    assert "BEGIN PUBLIC KEY" in public_key.output
    for expected in ("TUK-SD: webhook removed.", "TUK-SD: webhook was not registered."):
        removed = runner.invoke(app, ["agencies", "remove-webhook", "--agency", "TUK-SD"])
        assert (removed.exit_code, removed.output.strip()) == (0, expected)


def test_a_signature_verifies_only_for_the_same_bytes_key_and_recent_time() -> None:
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    headers = signature_headers(key, "event-1", 1_000_000, b'{"a":1}')
    assert verify_delivery(key.public_key(), headers, b'{"a":1}', 1_000_100)
    assert not verify_delivery(key.public_key(), headers, b'{"a":2}', 1_000_100)
    assert not verify_delivery(other.public_key(), headers, b'{"a":1}', 1_000_100)
    assert not verify_delivery(key.public_key(), headers, b'{"a":1}', 1_000_301)  # a replay after five minutes
    assert not verify_delivery(key.public_key(), {**headers, TIMESTAMP_HEADER: "1000001"}, b'{"a":1}', 1_000_100)
    assert not verify_delivery(key.public_key(), {**headers, SIGNATURE_HEADER: "not base64!"}, b'{"a":1}', 1_000_100)
    assert not verify_delivery(key.public_key(), {}, b'{"a":1}', 1_000_100)


def test_backoff_doubles_up_to_its_ceiling_and_answers_are_classified() -> None:
    schedule = RetrySchedule(first=timedelta(seconds=30), ceiling=timedelta(minutes=3))
    assert [schedule.delay_after(n).total_seconds() for n in range(1, 6)] == [30, 60, 120, 180, 180]
    assert [outcome(status) for status in (200, 204, 301, 400, 404, 410)] == [
        DeliveryStatus.DELIVERED,
        DeliveryStatus.DELIVERED,
        DeliveryStatus.FAILED,
        DeliveryStatus.FAILED,
        DeliveryStatus.FAILED,
        DeliveryStatus.FAILED,
    ]
    assert all(outcome(status) is None for status in (408, 425, 429, 500, 502, 503))


def test_a_removed_webhook_gets_nothing_new_and_its_queued_deliveries_fail(
    hub: Hub, webhook_client: TestClient, auth: Callable[[str], dict[str, str]]
) -> None:
    endpoint = Receiver(status=503)
    hub.registry.register_webhook("TUK-SD", f"{endpoint.url}/hook")
    clock = Clock()
    channel = webhooks(hub, clock)
    submit(hub)
    assert channel.run() == 1  # nobody listening: pending, to be retried
    assert webhook_client.delete("/v1/webhooks", headers=auth("tukums.cm")).status_code == 403
    removed = webhook_client.delete("/v1/webhooks", headers=auth("tukums.head"))
    assert (removed.status_code, removed.json()["url"]) == (200, None)
    after = domain_events(hub)
    assert webhook_client.delete("/v1/webhooks", headers=auth("tukums.head")).status_code == 200
    assert domain_events(hub) == after  # removing again appends nothing

    submit(hub)
    clock.advance(3600)
    assert channel.run() == 1  # only the queued delivery: the new referral queued nothing
    [entry] = channel.entries("TUK-SD")
    assert (entry["status"], entry["last_error"]) == ("failed", "no_webhook")
