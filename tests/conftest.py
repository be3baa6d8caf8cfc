"""Fixtures: every store-dependent test runs on SQLite and on a throwaway PostgreSQL cluster."""

from __future__ import annotations

import secrets
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from types import UnionType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from stdnum.lv import pvn

from hub.api.app import create_app
from hub.kernel.config import Settings
from hub.referrals.domain import ReferralDraft
from hub.registry.demo import seed_demo
from hub.service import Hub
from tests.broker import Broker
from tests.pg import Cluster, start_cluster
from tests.smtp import SmtpServer


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.directory, ignore_errors=True)


@pytest.fixture(scope="session")
def broker() -> Iterator[Broker]:
    """One Tansu broker for the session (tests that stop a broker start their own)."""
    instance = Broker()
    instance.start()
    try:
        yield instance
    finally:
        instance.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "sqlite":
        store = str(tmp_path / "hub.sqlite")
    else:
        cluster: Cluster = request.getfixturevalue("pg_cluster")
        store = cluster.create_database(f"t_{uuid.uuid4().hex}")
    return Settings(store=store, key_dir=tmp_path / "keys", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def hub(settings: Settings) -> Iterator[Hub]:
    instance = Hub(settings)
    seed_demo(instance)
    try:
        yield instance
    finally:
        instance.close()


@pytest.fixture
def client(hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub, follow_in_background=False)) as test_client:
        yield test_client


@pytest.fixture
def auth(hub: Hub) -> Callable[[str], dict[str, str]]:
    def headers(username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {hub.issue_token(username)}"}

    return headers


def demo_hub_without_rate_limits(directory: Path) -> Hub:
    """A hub on SQLite in `directory` with the demo registry and no rate limits (tests that call it very often)."""
    settings = Settings(  # type: ignore[call-arg]
        store=str(directory / "hub.sqlite"),
        key_dir=directory / "keys",
        rate_limit_user_per_minute=0,
        rate_limit_agency_per_minute=0,
        _env_file=None,
    )
    hub = Hub(settings)
    seed_demo(hub)
    return hub


def cli_store_with_a_referral(directory: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A demo store the command line opens (HUB_STORE and HUB_KEY_DIR point at `directory`), holding one referral
    from the Tukums school; returns its id."""
    from typer.testing import CliRunner

    from hub.cli import app

    monkeypatch.setenv("HUB_STORE", str(directory / "hub.sqlite"))
    monkeypatch.setenv("HUB_KEY_DIR", str(directory / "keys"))
    assert CliRunner().invoke(app, ["demo", "seed"]).exit_code == 0
    hub = Hub(Settings())  # type: ignore[call-arg]
    try:
        school = hub.principal_for("tukums.school")
        return str(hub.referrals.submit(school, ReferralDraft.model_validate(child_referral()))["id"])
    finally:
        hub.close()


def head(hub: Hub) -> int:
    """The newest notification id: equal before and after means nothing at all was appended."""
    return hub.app.recorder.max_notification_id() or 0


def log_of(hub: Hub, kind: type | UnionType, after: int = 0) -> list[Any]:
    """The events of one type in the log (after notification `after`), oldest first."""
    notifications = hub.app.recorder.select_notifications(after + 1, 10_000_000)
    events = (hub.app.mapper.to_domain_event(notification) for notification in notifications)
    return [event for event in events if isinstance(event, kind)]


def domain_events(hub: Hub) -> int:
    """How many events are in the log besides access records: equal before and after means a refused request
    changed nothing (its refusal may still have been recorded, as every denial is)."""
    notifications = hub.app.recorder.select_notifications(1, 10_000_000)
    return sum(1 for notification in notifications if not notification.topic.endswith(":AccessRecorded"))


def child_referral(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "child": {
            "given_name": "Elza",
            "family_name": "Kalniņa",
            "birth_date": "2015-04-12",
            "personal_code": "120415-20001",
            "municipality": "tukuma-novads",
        },
        "family": [{"given_name": "Inga", "family_name": "Kalniņa", "relationship": "mother"}],
        "concerns": ["neglect", "school_absence"],
        "urgency": "urgent",
        "summary": "Bērns nav apmeklējis skolu divas nedēļas; izskatās novārdzis.",
    }
    body.update(overrides)
    return body


def fresh_code() -> str:
    """A personal code of the current format (32…, no date or checksum in it) that no one else has."""
    return f"32{secrets.randbelow(10**9):09d}"


def known_child(
    hub: Hub,
    referrer: str = "tukums.school",
    municipality: str = "tukuma-novads",
    code: str | None = None,
) -> dict[str, str]:
    """A child nobody else names (a code of their own unless `code` is given), referred by `referrer`: the social
    service of `municipality` leads the case. Returns the referral id, the child's subject id and code."""
    personal_code = code or fresh_code()
    child = {**child_referral()["child"], "personal_code": personal_code, "municipality": municipality}
    draft = ReferralDraft.model_validate(child_referral(child=child))
    referral_id = hub.referrals.submit(hub.principal_for(referrer), draft)["id"]
    subject_id = str(hub.app.referral(uuid.UUID(referral_id)).child.subject_id)
    return {"referral_id": referral_id, "subject_id": subject_id, "code": personal_code}


def moved_child(hub: Hub) -> dict[str, str]:
    """A child known in Tukums (referred by its school) who now lives in Daugavpils (referred there too, same
    code): both social services lead a case, so Daugavpils may ask Tukums for her prior-residence records."""
    tukums = known_child(hub)
    known_child(hub, referrer="daugavpils.school", municipality="daugavpils", code=tukums["code"])
    return tukums


FIRST_BIRTH_DATE = date(2010, 1, 1)
BIRTH_DAYS = 2700  # up to 2017-05: dated personal codes were issued until 30 June 2017


def distinct_child_referral(number: int) -> dict[str, Any]:
    """A referral body about a child no other `number` names: its own birth date and valid personal code."""
    born = FIRST_BIRTH_DATE + timedelta(days=number % BIRTH_DAYS)
    serial = f"{born:%d%m%y}2{number // BIRTH_DAYS % 1000:03d}"
    child = {
        "given_name": "Elza",
        "family_name": "Kalniņa",
        "birth_date": born.isoformat(),
        "personal_code": serial + pvn.calc_check_digit_pers(serial),
        "municipality": "tukuma-novads",
    }
    return child_referral(child=child)


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    """A real SMTP server with STARTTLS on a free loopback port (`tests/smtp.py`)."""
    server = SmtpServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()
