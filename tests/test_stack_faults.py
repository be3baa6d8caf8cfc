"""The scale-out stack survives faults: real PostgreSQL, a real Kafka-protocol broker (Tansu), two API processes
(`HUB_ROLES=api`) and the workers (projections, two checkpoint signers, due work, relay) as separate OS processes,
under concurrent submissions with Idempotency-Keys, while an API process and the active signer are killed with
SIGKILL and PostgreSQL is stopped and started again.

It asserts: every submission is acknowledged in the end (clients retry with the same key) and each key made
exactly one referral; no answer was a 500 (only 503 while the store was away, or while views caught up); the
standby signer took over; the signed checkpoints form one chain (a consistency proof between each and the next
verifies); `hub audit verify` passes; the relay published every referral to each routed agency's topic; no
process logged a traceback.
"""

from __future__ import annotations

import base64
import itertools
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import httpx
import psycopg
import pytest

from adapters.outbound import agency_topic
from events.integrity import merkle
from events.referrals import ReferralSubmitted
from events.registry import agency_id_for
from hub.kernel.config import Settings
from hub.referrals.service import idempotent_referral_id
from hub.registry.demo import seed_demo
from hub.service import Hub
from tests.broker import Broker, read_topic
from tests.conftest import distinct_child_referral
from tests.pg import Cluster, free_port, start_cluster

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

ROOT = Path(__file__).resolve().parents[1]
HUB = [sys.executable, "-c", "from adapters.cli import main; main()"]
CLIENTS = 4
SCHOOL, INTAKE = "tukums.school", "tukums.intake"
ROUTED = ("TUK-SD", "TUK-SKOLA")  # the social service it goes to, and the school hears of each milestone
WAIT_SECONDS = 90.0  # the longest any one wait below may take before the test gives up (not a timing goal)


@dataclass
class Process:
    name: str
    command: list[str]
    environment: dict[str, str]
    log: Path
    port: int | None = None
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as output:
            self.popen = subprocess.Popen(
                self.command, cwd=ROOT, env=self.environment, stdout=output, stderr=subprocess.STDOUT
            )

    def kill(self) -> None:
        assert self.popen is not None
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait()

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Outcomes:
    """What the clients saw."""

    acknowledged: dict[str, str] = field(default_factory=dict)  # Idempotency-Key -> referral id
    pending: list[str] = field(default_factory=list)  # keys not yet acknowledged (to retry)
    statuses: Counter[int] = field(default_factory=Counter)
    unavailable: Counter[str] = field(default_factory=Counter)  # 503 reasons
    problems: list[str] = field(default_factory=list)  # anything a client should never see
    lock: threading.Lock = field(default_factory=threading.Lock)

    def saw(self, response: httpx.Response) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1
            if response.status_code == 503:
                if not response.headers.get("content-type", "").startswith("application/problem+json"):
                    self.problems.append(f"503 without a problem document: {response.text[:200]}")
                elif "retry-after" not in response.headers:
                    self.problems.append("503 without Retry-After")
                else:
                    self.unavailable[response.json()["reason"]] += 1
            elif response.status_code >= 300:
                self.problems.append(f"{response.status_code}: {response.text[:300]}")


def wait_until(what: str, condition: object, seconds: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():  # type: ignore[operator]
                return
        except (httpx.HTTPError, psycopg.Error, OSError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting: {what}")


def ready(process: Process) -> bool:
    return httpx.get(f"{process.url}/readyz", timeout=2).status_code == 200


def submit(client: httpx.Client, url: str, token: str, key: str, number: int, outcomes: Outcomes) -> bool:
    """One attempt; True once the key is acknowledged."""
    try:
        response = client.post(
            f"{url}/v1/referrals",
            json=distinct_child_referral(number),
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
        )
    except httpx.HTTPError:
        return False  # the process was killed under it: retried with the same key
    outcomes.saw(response)
    if response.status_code in (200, 201):
        with outcomes.lock:
            outcomes.acknowledged[key] = response.json()["id"]
        return True
    return False


def drive(apis: list[Process], tokens: dict[str, str], outcomes: Outcomes, stop: threading.Event, lane: int) -> None:
    """Submit new referrals (and read the inbox) until stopped; a key not acknowledged is retried on the other API."""
    number = lane * 100_000
    with httpx.Client(timeout=15) as client:
        while not stop.is_set():
            number += 1
            key = f"fault-{lane}-{number}"
            if not submit(client, apis[number % 2].url, tokens[SCHOOL], key, number, outcomes):
                with outcomes.lock:
                    outcomes.pending.append(f"{key}|{number}")
                time.sleep(0.2)
            try:
                inbox = client.get(
                    f"{apis[lane % 2].url}/v1/inbox", headers={"Authorization": f"Bearer {tokens[INTAKE]}"}
                )
                outcomes.saw(inbox)
            except httpx.HTTPError:
                time.sleep(0.2)


def retry_pending(apis: list[Process], tokens: dict[str, str], outcomes: Outcomes) -> None:
    with httpx.Client(timeout=15) as client:
        for attempt in range(50):
            with outcomes.lock:
                waiting = [entry for entry in outcomes.pending if entry.split("|")[0] not in outcomes.acknowledged]
            if not waiting:
                return
            for entry in waiting:
                key, number = entry.split("|")
                submit(client, apis[attempt % 2].url, tokens[SCHOOL], key, int(number), outcomes)
            time.sleep(0.5)


def signer_holder(settings: Settings) -> str | None:
    """The application name of the checkpoint process holding an advisory lock now."""
    with psycopg.connect(settings.postgres_conninfo(), autocommit=True) as connection:
        row = connection.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE 'checkpoints-%'"
        ).fetchone()
    return str(row[0]) if row else None


def checkpoint_count(settings: Settings) -> int:
    with psycopg.connect(settings.postgres_conninfo(), autocommit=True) as connection:
        row = connection.execute("SELECT count(*) FROM audit_checkpoints").fetchone()
    return int(row[0]) if row else 0


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    instance = start_cluster()
    try:
        yield instance
    finally:
        instance.stop()
        shutil.rmtree(instance.directory, ignore_errors=True)


@pytest.fixture
def own_broker() -> Iterator[Broker]:
    instance = Broker()
    instance.start()
    try:
        yield instance
    finally:
        instance.stop()


@pytest.mark.timeout(600)
def test_the_stack_survives_killed_processes_and_a_database_outage(
    cluster: Cluster, own_broker: Broker, tmp_path: Path
) -> None:
    store = cluster.create_database(f"t_{uuid.uuid4().hex}")
    settings = Settings(store=store, key_dir=tmp_path / "keys", _env_file=None)  # type: ignore[call-arg]
    setup = Hub(settings)
    try:
        seed_demo(setup)
        tokens = {user: setup.issue_token(user) for user in (SCHOOL, INTAKE)}
        school_agency = setup.principal_for(SCHOOL).agency_id
    finally:
        setup.close()

    base = os.environ | {
        "PYTHONPATH": str(ROOT),
        "HUB_STORE": store,
        "HUB_KEY_DIR": str(settings.key_dir),
        "HUB_STORE_TIMEOUT_SECONDS": "1",
        "HUB_RATE_LIMIT_USER_PER_MINUTE": "0",
        "HUB_RATE_LIMIT_AGENCY_PER_MINUTE": "0",
        "HUB_CHECKPOINT_INTERVAL_SECONDS": "0.3",
        "HUB_KAFKA_BOOTSTRAP": own_broker.bootstrap,
    }

    def process(name: str, *arguments: str, port: int | None = None, **environment: str) -> Process:
        extra = {"PGAPPNAME": name, **environment}
        if port is not None:
            extra |= {"HUB_ROLES": "api", "HUB_PORT": str(port)}
        return Process(name, [*HUB, *arguments], base | extra, tmp_path / f"{name}.log", port)

    apis = [process(f"api-{index}", "serve", port=free_port()) for index in (1, 2)]
    signers = [process(f"checkpoints-{index}", "worker", "checkpoints", "--interval", "0.3") for index in (1, 2)]
    workers = [
        process("projections", "worker", "projections"),
        process("due-work", "worker", "due-work"),
        process("relay", "worker", "relay"),
    ]
    everything = [*apis, *signers, *workers]
    outcomes = Outcomes()
    stop = threading.Event()
    clients: list[threading.Thread] = []
    try:
        for each in everything:
            each.start()
        for api in apis:
            wait_until(f"{api.name} ready", lambda api=api: ready(api))
        wait_until("a signer elected", lambda: signer_holder(settings) is not None)

        clients = [
            threading.Thread(target=drive, args=(apis, tokens, outcomes, stop, lane), daemon=True)
            for lane in range(CLIENTS)
        ]
        for client in clients:
            client.start()
        wait_until("load under way", lambda: len(outcomes.acknowledged) >= 20)

        apis[0].kill()  # an API process dies mid-request; its clients retry on the other
        wait_until("more acknowledged after the API process died", lambda: len(outcomes.acknowledged) >= 40)
        apis[0].start()
        wait_until("the API process back", lambda: ready(apis[0]))

        holder = signer_holder(settings)
        killed = next(signer for signer in signers if signer.name == holder)
        killed.kill()  # the active signer dies; the standby takes the lock
        wait_until("the standby signer took over", lambda: signer_holder(settings) not in (None, holder))
        before = checkpoint_count(settings)
        wait_until("the new signer signs", lambda: checkpoint_count(settings) > before)

        cluster.stop()  # PostgreSQL goes away under load...
        wait_until("requests refused while the store is away", lambda: outcomes.unavailable["store_unavailable"] > 0)
        time.sleep(2)
        cluster.resume()  # ... and comes back
        settled = len(outcomes.acknowledged)
        wait_until("acknowledged again after the store came back", lambda: len(outcomes.acknowledged) >= settled + 20)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=30)
    try:
        retry_pending(apis, tokens, outcomes)
        expected = set(outcomes.acknowledged.values())
        wait_until("the relay caught up", lambda: relay_complete(own_broker, expected))
    finally:
        for each in everything:
            each.stop()

    logs = {each.name: each.log.read_text(errors="replace") for each in everything}
    assert outcomes.problems == [], outcomes.problems[:5]
    assert not any(status >= 500 and status != 503 for status in outcomes.statuses), outcomes.statuses
    assert set(outcomes.unavailable) <= {"store_unavailable", "views_behind"}, outcomes.unavailable
    traced = {name: text[text.index("Traceback") :][:3000] for name, text in logs.items() if "Traceback" in text}
    assert traced == {}, "a process logged a traceback"

    hub = Hub(settings)
    try:
        hub.follower.catch_up()
        submitted = {
            event.originator_id
            for notification in hub.app.recorder.select_notifications(1, 10_000_000)
            if isinstance(event := hub.app.mapper.to_domain_event(notification), ReferralSubmitted)
        }
        keys = {entry.split("|")[0] for entry in outcomes.pending} | set(outcomes.acknowledged)
        assert set(outcomes.acknowledged) == keys, "a submission was never acknowledged"
        assert {UUID(referral) for referral in outcomes.acknowledged.values()} == submitted, "lost or duplicated"
        assert submitted == {idempotent_referral_id(school_agency, key) for key in keys}

        checkpoints = hub.audit.log.checkpoints()
        assert len(checkpoints) >= 3
        for old, new in itertools.pairwise(checkpoints):
            proof = hub.audit.consistency_proof(int(old["tree_size"]), int(new["tree_size"]))
            assert merkle.verify_consistency(
                int(old["tree_size"]),
                int(new["tree_size"]),
                bytes.fromhex(old["root_hash"]),
                bytes.fromhex(new["root_hash"]),
                [base64.b64decode(node) for node in proof["proof"]],
            ), (old["tree_size"], new["tree_size"])
    finally:
        hub.close()

    verified = subprocess.run(
        [*HUB, "audit", "verify"], cwd=ROOT, env=base, capture_output=True, text=True, check=False, timeout=300
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "OK:" in verified.stdout


def relay_complete(broker: Broker, referrals: set[str]) -> bool:
    """Every acknowledged referral is on the topic of each agency it was routed to."""
    for code in ROUTED:
        topic = agency_topic(agency_id_for(code))
        if not referrals <= {message["referral_id"] for message in read_topic(broker.bootstrap, topic)}:
            return False
    return True
