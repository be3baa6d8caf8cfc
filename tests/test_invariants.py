"""Architecture invariants 1 (append-only) and 2 (acknowledged means durable)."""

import re
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError
from fastapi.testclient import TestClient

from events.registry import AgencyRegistered, agency_id_for
from events.values import AgencyKind
from hub.kernel.config import Settings
from hub.service import Hub
from tests.conftest import child_referral, head

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("hub", "events", "projections", "adapters", "policies")


def test_no_code_path_updates_or_deletes_stored_events() -> None:
    pattern = re.compile(r"(UPDATE|DELETE\s+FROM|TRUNCATE)\s+\w*stored_events", re.IGNORECASE)
    offenders = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_an_existing_event_cannot_be_overwritten(hub: Hub) -> None:
    agency_id = agency_id_for("TUK-SD")
    original = list(hub.app.recorder.select_events(agency_id))
    before = head(hub)
    rewrite = AgencyRegistered(
        originator_id=agency_id,
        originator_version=1,
        code="TUK-SD",
        name="Forged name",
        kind=AgencyKind.SCHOOL,
        municipality="riga",
    )
    with pytest.raises(IntegrityError):
        hub.app.append(rewrite)
    assert list(hub.app.recorder.select_events(agency_id)) == original
    assert head(hub) == before


def test_an_acknowledged_referral_is_in_the_store_for_a_fresh_process(
    client: TestClient, hub: Hub, settings: Settings, auth: Callable[[str], dict[str, str]]
) -> None:
    response = client.post("/v1/referrals", json=child_referral(), headers=auth("tukums.school"))
    assert response.status_code == 201
    reopened = Hub(settings)
    try:
        referral = reopened.app.referral(UUID(response.json()["id"]))
        assert referral.child.given_name == "Elza"
    finally:
        reopened.close()
