"""`hub worker notifications` as its own process: a referral submitted by another process is e-mailed by the
worker (real SMTP server with STARTTLS) within a bounded wait, and the worker stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from events.notifications import DeliveryMode
from hub.kernel.config import Settings
from hub.notifications.domain import PreferenceDraft
from hub.referrals.domain import ReferralDraft
from hub.registry.demo import seed_demo
from hub.service import Hub
from tests.conftest import child_referral
from tests.smtp import SmtpServer

ROOT = Path(__file__).resolve().parents[1]
WAIT_SECONDS = 60  # a bound on waiting, not a measure of speed


def test_the_worker_process_mails_a_new_immediate_referral(tmp_path: Path, smtp: SmtpServer) -> None:
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HUB_STORE": str(tmp_path / "hub.sqlite"),
        "HUB_KEY_DIR": str(tmp_path / "keys"),
        "HUB_SMTP_HOST": "127.0.0.1",
        "HUB_SMTP_PORT": str(smtp.port),
        "HUB_SMTP_CA_FILE": str(smtp.cert),
        "HUB_SMTP_SENDER": "hub@example.lv",
    }
    settings = Settings(store=str(tmp_path / "hub.sqlite"), key_dir=tmp_path / "keys", _env_file=None)  # type: ignore[call-arg]
    hub = Hub(settings)
    try:
        seed_demo(hub)
        draft = PreferenceDraft(address="tukums.intake@example.lv", mode=DeliveryMode.DIGEST, language="en")
        hub.notifications.set_preference(hub.principal_for("tukums.intake"), draft)
        worker = subprocess.Popen(
            [str(Path(sys.executable).parent / "hub"), "worker", "notifications", "--interval", "0.2"],
            cwd=tmp_path,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            referral = ReferralDraft.model_validate(child_referral(urgency="immediate"))
            hub.referrals.submit(hub.principal_for("tukums.school"), referral)
            deadline = time.monotonic() + WAIT_SECONDS
            while not smtp.mailbox.messages and time.monotonic() < deadline and worker.poll() is None:
                time.sleep(0.2)
            assert smtp.mailbox.recipients() == ["tukums.intake@example.lv"]
        finally:
            worker.send_signal(signal.SIGTERM)
            _, errors = worker.communicate(timeout=30)
        assert worker.returncode == 0, errors.decode()
    finally:
        hub.close()
