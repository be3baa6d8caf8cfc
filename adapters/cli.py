"""The composition root of the `hub` command: the hub's own commands plus the adapters' (keys, import, workers)."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import signal
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key
from rich.progress import Progress
from rich.table import Table

from adapters import csv_import, fhir_api, webhook_api
from adapters.fhir_audit import audit_bundle
from adapters.inbound_kafka import InboundConsumer
from adapters.kafka_relay import Backoff, KafkaRelay, Publisher, follow_with_backoff
from adapters.webhook_delivery import WebhookDispatcher
from adapters.webhook_outbox import DeliveryLog, DeliveryStatus, WebhookOutbox
from adapters.webhook_signature import key_id
from hub import cli as hub_cli
from hub.audit.replay import ReplayFilter
from hub.cli import console
from hub.cli_support import errors, open_hub
from hub.kernel.election import ELECTION_ROUND_SECONDS, Election, elected
from hub.registry.cli import agencies_app
from hub.service import Hub

webhooks_app = typer.Typer(help="Webhook deliveries to agencies without Kafka.", no_args_is_help=True)
import_app = typer.Typer(help="Batch imports.", no_args_is_help=True)
worker_app = typer.Typer(help="Long-running workers of the scale-out stack.", no_args_is_help=True)
export_app = typer.Typer(help="Exports in standard formats.", no_args_is_help=True)

Bootstrap = Annotated[str | None, typer.Option(help="Kafka bootstrap servers, host:port (default HUB_KAFKA_BOOTSTRAP)")]
Interval = Annotated[float, typer.Option(min=0.01, help="Seconds between polls when idle")]
Heartbeat = Annotated[
    Path | None, typer.Option(help="File touched after each successful round (default HUB_WORKER_HEARTBEAT)")
]


def read_public_key(path: Path) -> bytes:
    """A raw Ed25519 public key from a PEM file or a file holding its base64 (32 bytes)."""
    content = path.read_bytes().strip()
    if content.startswith(b"-----BEGIN"):
        key = load_pem_public_key(content)
        if not isinstance(key, Ed25519PublicKey):
            raise typer.BadParameter("the PEM file holds no Ed25519 public key")
        return key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    try:
        return base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise typer.BadParameter("expected a PEM public key or its raw base64") from None


@agencies_app.command("register-key")
def register_key(
    agency: Annotated[str, typer.Option(help="Agency code")],
    public_key: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="Ed25519 public key (PEM or base64)")],
) -> None:
    """Register an agency system's signing key (and its integration user) for inbound messages."""
    raw = read_public_key(public_key)
    with open_hub() as hub:
        key_id = hub.registry.register_key(agency, raw)
    console.print(f"{agency}: key {key_id} registered.")


@agencies_app.command("register-webhook")
def register_webhook(
    agency: Annotated[str, typer.Option(help="Agency code")],
    url: Annotated[str, typer.Option(help="https URL the hub POSTs the agency's signed messages to")],
) -> None:
    """Point an agency's webhook at a URL (replacing any earlier one); deliveries start with the next events."""
    with open_hub() as hub:
        changed = hub.registry.register_webhook(agency, url)
    console.print(f"{agency}: webhook {'registered' if changed else 'unchanged'}.")


@agencies_app.command("remove-webhook")
def remove_webhook(agency: Annotated[str, typer.Option(help="Agency code")]) -> None:
    """Switch an agency's webhook off; queued deliveries then fail with `no_webhook`."""
    with open_hub() as hub:
        changed = hub.registry.remove_webhook(agency)
    console.print(f"{agency}: webhook {'removed' if changed else 'was not registered'}.")


@webhooks_app.command("log")
def webhooks_log(
    agency: Annotated[str, typer.Option(help="Agency code")],
    status: Annotated[DeliveryStatus | None, typer.Option(help="Only deliveries in this state")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="How many, newest first")] = 50,
) -> None:
    """An agency's webhook deliveries as JSON, newest first: status, attempts, last answer or error, next attempt."""
    with open_hub() as hub:
        entries = DeliveryLog(hub.views_db).entries(hub.registry.agency(agency).id, status, limit)
    console.print_json(json.dumps(entries))


@webhooks_app.command("public-key")
def webhooks_public_key() -> None:
    """The hub's public key (PEM) that agencies verify webhook signatures with, and its key id."""
    with open_hub() as hub:
        public_key = hub.signing_key.public_key()
    console.print(f"key id {key_id(public_key)}")
    console.print(public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode().strip())


@import_app.command("referrals")
def import_referrals(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV file, UTF-8, with a header row")],
    agency: Annotated[str, typer.Option(help="Code of the agency the referrals come from")],
) -> None:
    """Validate every row, report problems per row, then submit the valid rows (re-running adds nothing)."""
    try:
        report = csv_import.validate(file.read_bytes())
    except csv_import.CsvFormatError as error:
        errors.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    with open_hub() as hub, Progress(console=console, transient=True) as progress:
        task = progress.add_task("Submitting", total=len(report.valid))
        csv_import.submit_valid(hub, agency, report, lambda: progress.advance(task))
    if report.problems:
        table = Table(title="Rows not imported")
        for column in ("row", "field", "reason", "message"):
            table.add_column(column)
        for row in csv_import.problem_rows(report.problems):
            table.add_row(*row)
        console.print(table)
    rejected_rows = len({problem.row for problem in report.problems})
    console.print(
        f"{len(report.submitted)} submitted, {len(report.already_imported)} already imported, {rejected_rows} rejected."
    )
    if report.problems:
        raise typer.Exit(1)


def _run_until_signalled(
    hub: Hub, step: Callable[[], object], interval: float, what: str, heartbeat: Path | None
) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    follow_with_backoff(step, stop, interval, Backoff(), what, heartbeat or hub.settings.worker_heartbeat)


def _run_elected(hub: Hub, work: Callable[[], object], interval: float, what: str, heartbeat: Path | None) -> None:
    """Run `work` every `interval` seconds while this process holds the job's lock; stand by otherwise, asking for
    it every second (so a standby takes over within seconds of the holder's end)."""
    election = Election(hub.settings, what)
    try:
        rounds = min(interval, ELECTION_ROUND_SECONDS)
        every = interval if interval > rounds else 0.0
        _run_until_signalled(hub, elected(election, work, every), rounds, what, heartbeat)
    finally:
        election.release()


def _bootstrap(hub: Hub, bootstrap: str | None) -> str:
    servers = bootstrap or hub.settings.kafka_bootstrap
    if not servers:
        errors.print("[red]No Kafka bootstrap servers:[/red] set HUB_KAFKA_BOOTSTRAP or pass --bootstrap.")
        raise typer.Exit(2)
    return servers


@worker_app.command("projections")
def worker_projections(interval: Interval = 0.2, heartbeat: Heartbeat = None) -> None:
    """Follow the log and keep every view up to date (as many processes as wanted)."""
    with open_hub() as hub:
        _run_until_signalled(hub, hub.follower.catch_up, interval, "projections", heartbeat)


@worker_app.command("checkpoints")
def worker_checkpoints(interval: Interval = 1.0, heartbeat: Heartbeat = None) -> None:
    """Add every new record to the audit tree and sign checkpoints: the signer, one active per deployment (elected
    by a PostgreSQL advisory lock; others stand by)."""
    with open_hub() as hub:
        _run_elected(hub, hub.audit.follow_once, interval, "signer", heartbeat)


@worker_app.command("due-work")
def worker_due_work(interval: Interval = 30.0, heartbeat: Heartbeat = None) -> None:
    """Raise overdue clocks (referrals, record requests) and expire consents whose period ended (one active per
    deployment, elected like the signer)."""
    with open_hub() as hub:
        _run_elected(hub, hub.run_due_work, interval, "due-work", heartbeat)


@worker_app.command("relay")
def worker_relay(bootstrap: Bootstrap = None, interval: Interval = 0.2, heartbeat: Heartbeat = None) -> None:
    """Publish each agency's policy-filtered messages to its Kafka topic (at least once, in order per referral)."""
    with open_hub() as hub:
        relay = KafkaRelay(hub, Publisher(_bootstrap(hub, bootstrap)))
        try:
            _run_until_signalled(hub, relay.catch_up, interval, "relay", heartbeat)
        finally:
            relay.publisher.close()


@worker_app.command("inbound")
def worker_inbound(bootstrap: Bootstrap = None, interval: Interval = 0.2, heartbeat: Heartbeat = None) -> None:
    """Turn signed referral messages on the inbound topic into referrals; refused ones go to the dead-letter topic."""
    with open_hub() as hub:
        consumer = InboundConsumer.connect(hub, _bootstrap(hub, bootstrap))
        try:
            _run_until_signalled(hub, consumer.process_batch, interval, "inbound", heartbeat)
        finally:
            consumer.close()


@worker_app.command("webhooks")
def worker_webhooks(interval: Interval = 1.0, heartbeat: Heartbeat = None) -> None:
    """Queue each agency's policy-filtered messages for its webhook and deliver them, signed, with retries."""
    with open_hub() as hub:
        log = DeliveryLog(hub.views_db)
        outbox, dispatcher = WebhookOutbox(hub, log), WebhookDispatcher(hub, log)

        def step() -> None:
            outbox.catch_up()
            dispatcher.deliver_due()

        _run_until_signalled(hub, step, interval, "webhooks", heartbeat)


@worker_app.command("notifications")
def worker_notifications(interval: Interval = 5.0, heartbeat: Heartbeat = None) -> None:
    """Raise notifications by policy and send their e-mail (immediate, and the daily digest), with retries (one
    active per deployment, elected like the signer, so that a message is not sent twice by two workers at once)."""
    with open_hub() as hub:
        _run_elected(hub, hub.notifications.work_round, interval, "notifications", heartbeat)


@export_app.command("audit-events")
def export_audit_events(
    user: Annotated[str, typer.Option(help="An auditor (the export is a recorded replay)")],
    subject: Annotated[UUID | None, typer.Option(help="Only accesses to this person's data")] = None,
    since: Annotated[datetime | None, typer.Option(help="From this time (ISO 8601 with offset)")] = None,
    until: Annotated[datetime | None, typer.Option(help="Up to this time")] = None,
) -> None:
    """Access events as a FHIR R4 Bundle of AuditEvent resources (JSON on standard output)."""
    with open_hub() as hub:
        where = ReplayFilter(subject=subject, since=since, until=until)
        bundle = audit_bundle(hub, hub.principal_for(user), where, "audit export (cli)")
    sys.stdout.write(json.dumps(bundle, ensure_ascii=False) + "\n")


def compose() -> typer.Typer:
    """The hub's command line with the adapters' command groups and API routers added (once)."""
    names = {group.name for group in hub_cli.app.registered_groups}
    for router in (fhir_api.router, webhook_api.router):
        if router not in hub_cli.API_EXTENSIONS:
            hub_cli.API_EXTENSIONS.append(router)
    groups = (
        (import_app, "import"),
        (worker_app, "worker"),
        (webhooks_app, "webhooks"),
        (export_app, "export"),
    )
    for group, name in groups:
        if name not in names:
            hub_cli.app.add_typer(group, name=name)
    return hub_cli.app


def main() -> None:
    compose()
    hub_cli.main()
