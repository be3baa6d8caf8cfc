"""Crash safety: the hub runs as a real process under concurrent load and is killed with SIGKILL, several times.

After the restarts: every submission that got a 2xx is in the log, nothing is half-applied (a referral's subject
records came with it), every read that returned data left its access record, the views catch up exactly, and the
audit tree and its signed checkpoints verify over the whole log.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from uuid import UUID, uuid4

import httpx
import pytest

from events.access import AccessRecorded
from events.referrals import ReferralSubmitted
from hub.kernel.config import Settings
from hub.registry.demo import seed_demo
from hub.service import Hub
from tests.conftest import child_referral

KILL_CYCLES = 3
WORKERS = 4


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Outcomes:
    """What the clients saw: submissions by idempotency key, and reads that returned data."""

    accepted: dict[str, str] = field(default_factory=dict)  # key -> referral id (2xx)
    failed: list[str] = field(default_factory=list)  # keys whose request got no 2xx (error or connection lost)
    reads_with_data: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def serve(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    environment = os.environ | {
        "HUB_STORE": settings.store,
        "HUB_KEY_DIR": str(settings.key_dir),
        "HUB_DEMO": "false",
        "HUB_PORT": str(port),
        "HUB_RATE_LIMIT_USER_PER_MINUTE": "0",
        "HUB_RATE_LIMIT_AGENCY_PER_MINUTE": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "hub", "serve"], env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the hub did not become ready")


def drive(port: int, tokens: dict[str, str], outcomes: Outcomes, stop: threading.Event) -> None:
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(timeout=5) as client:
        while not stop.is_set():
            key = uuid4().hex
            try:
                response = client.post(
                    f"{base}/v1/referrals",
                    json=child_referral(),
                    headers={"Authorization": f"Bearer {tokens['tukums.school']}", "Idempotency-Key": key},
                )
                with outcomes.lock:
                    if response.status_code < 300:
                        outcomes.accepted[key] = response.json()["id"]
                    else:
                        outcomes.failed.append(key)
                read = client.get(f"{base}/v1/inbox", headers={"Authorization": f"Bearer {tokens['tukums.cm']}"})
                if read.status_code == 200:
                    with outcomes.lock:
                        outcomes.reads_with_data += 1
            except httpx.HTTPError:
                with outcomes.lock:
                    outcomes.failed.append(key)


@pytest.mark.timeout(300)
def test_sigkill_under_load_loses_nothing_acknowledged(settings: Settings) -> None:
    setup = Hub(settings)
    try:
        seed_demo(setup)
        tokens = {user: setup.issue_token(user) for user in ("tukums.school", "tukums.cm")}
    finally:
        setup.close()
    outcomes = Outcomes()
    port = free_port()
    for _ in range(KILL_CYCLES):
        process = serve(settings, port)
        stop = threading.Event()
        workers = [
            threading.Thread(target=drive, args=(port, tokens, outcomes, stop), daemon=True) for _ in range(WORKERS)
        ]
        for worker in workers:
            worker.start()
        time.sleep(0.8 + secrets.randbelow(1200) / 1000)  # a random point in the load
        process.send_signal(signal.SIGKILL)
        process.wait()
        stop.set()
        for worker in workers:
            worker.join(timeout=10)
    assert len(outcomes.accepted) > 0

    hub = Hub(settings)
    try:
        hub.follower.catch_up()
        assert hub.follower.lag() == 0
        notifications = hub.app.recorder.select_notifications(1, 1_000_000)
        events = [hub.app.mapper.to_domain_event(notification) for notification in notifications]
        submitted = {event.originator_id for event in events if isinstance(event, ReferralSubmitted)}
        acknowledged = {UUID(referral_id) for referral_id in outcomes.accepted.values()}
        assert acknowledged <= submitted, "a submission answered 2xx is missing from the log"
        for referral_id in submitted:
            referral = hub.app.referral(referral_id)
            assert all(hub.app.exists(subject) for subject in referral.subject_ids), "half-applied submission"
        in_view = {row["id"] for row in hub.views_db.query("SELECT id FROM view_referrals")}
        assert in_view == {str(referral_id) for referral_id in submitted}, "views did not catch up exactly"
        reads = sum(1 for event in events if isinstance(event, AccessRecorded) and event.action == "inbox.read")
        assert reads >= outcomes.reads_with_data, "a read returned data without its access record"
        hub.audit.seal()  # the audit tree resumes from what the killed processes left and covers everything
        verified = hub.audit.verify()
        assert verified.ok, verified.problems
        assert verified.verified_size == len(notifications)
    finally:
        hub.close()
