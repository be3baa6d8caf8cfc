"""Monitoring after closure (uzraudzība pēc gadījuma slēgšanas) through the API, the web close form and the CLI:
a referral about a child whose closed case is still monitored links to it and tells the referrer so."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from hub.cli import app
from hub.kernel.config import Settings
from hub.referrals.domain import ReferralDraft
from hub.referrals.service import ALREADY_KNOWN
from hub.service import Hub
from hub.web.formats import moment_text
from tests.conftest import child_referral, cli_store_with_a_referral, domain_events, head
from tests.test_referral_lifecycle import RIGA, act, freeze, submit
from tests.web import post_form, sign_in

Auth = Callable[[str], dict[str, str]]
DEFAULT_DAYS = 10
START = datetime(2026, 11, 23, 9, 0, tzinfo=RIGA)
CODE = "120415-20001"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The stores of conftest, with a default period of its own so that a test can tell it from the built-in one."""
    return settings.model_copy(update={"monitoring_days": DEFAULT_DAYS})


def accepted(client: TestClient, auth: Auth, **overrides: Any) -> str:
    referral_id = submit(client, auth, **overrides)
    act(client, auth, "tukums.intake", referral_id, "acknowledge")
    act(client, auth, "tukums.intake", referral_id, "assign", worker="tukums.cm")
    act(client, auth, "tukums.cm", referral_id, "accept")
    return referral_id


def report(client: TestClient, auth: Auth, user: str = "doctor", **overrides: Any) -> dict[str, Any]:
    response = client.post("/v1/referrals", json=child_referral(**overrides), headers=auth(user))
    assert response.status_code == 201, response.text
    return dict(response.json())


def linked_to(client: TestClient, auth: Auth, referral_id: str) -> list[str]:
    document = client.get(f"/v1/referrals/{referral_id}", headers=auth("tukums.cm")).json()
    return list(document["linked_to"])


def test_within_the_period_a_new_referral_links_to_the_closed_one_and_after_it_does_not(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    clock = freeze(hub, START)
    closed = accepted(client, auth)
    act(client, auth, "tukums.cm", closed, "close", outcome="services_provided", monitoring_days=30)
    until = START + timedelta(days=30)

    lead_view = client.get(f"/v1/referrals/{closed}", headers=auth("tukums.cm")).json()
    assert datetime.fromisoformat(lead_view["monitoring_until"]) == until
    referrer_view = client.get(f"/v1/referrals/{closed}", headers=auth("tukums.school")).json()
    assert "monitoring_until" not in referrer_view

    clock.advance(days=29, hours=23)
    within = report(client, auth)
    assert within["already_known"] is True
    assert within["notice"] == ALREADY_KNOWN
    assert linked_to(client, auth, within["id"]) == [closed]
    incoming = client.get("/v1/inbox", headers=auth("tukums.intake")).json()["items"]
    assert incoming[0]["id"] == within["id"]
    assert incoming[0]["linked_to"] == [closed]
    act(client, auth, "doctor", within["id"], "withdraw", reason="Nosūtīts kļūdas pēc")

    clock.advance(hours=1)
    after = report(client, auth)
    assert after["already_known"] is False
    assert "notice" not in after
    assert linked_to(client, auth, after["id"]) == []
    ended = client.get(f"/v1/referrals/{closed}", headers=auth("tukums.cm")).json()
    assert "monitoring_until" not in ended


def test_without_a_period_the_configured_default_applies_and_zero_means_none(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    clock = freeze(hub, START)
    by_default = accepted(client, auth)
    act(client, auth, "tukums.cm", by_default, "close", outcome="no_further_action")
    document = client.get(f"/v1/referrals/{by_default}", headers=auth("tukums.cm")).json()
    assert datetime.fromisoformat(document["monitoring_until"]) == START + timedelta(days=DEFAULT_DAYS)

    clock.advance(days=DEFAULT_DAYS + 1)
    unmonitored = accepted(client, auth)
    act(client, auth, "tukums.cm", unmonitored, "close", outcome="no_further_action", monitoring_days=0)
    assert "monitoring_until" not in client.get(f"/v1/referrals/{unmonitored}", headers=auth("tukums.cm")).json()
    receipt = report(client, auth)
    assert receipt["already_known"] is False
    assert linked_to(client, auth, receipt["id"]) == []


def test_another_record_of_the_same_person_links_to_the_monitored_case(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    freeze(hub, START)
    without_code = accepted(client, auth, child={**child_referral()["child"], "personal_code": None})
    act(client, auth, "tukums.cm", without_code, "close", outcome="services_provided", monitoring_days=60)
    with_code = report(client, auth, user="tukums.school")
    assert with_code["already_known"] is False, "an unconfirmed name match is not the same person yet"
    [candidate] = client.get("/v1/subjects/candidates", headers=auth("tukums.cm")).json()
    assert candidate["referral_id"] == with_code["id"]
    path = f"/v1/subjects/{candidate['subject_id']}/candidates/{candidate['candidate_id']}/confirm"
    assert client.post(path, headers=auth("tukums.cm")).status_code == 200
    act(client, auth, "tukums.school", with_code["id"], "withdraw", reason="Dublikāts")

    by_code = report(client, auth)
    assert by_code["already_known"] is True
    assert linked_to(client, auth, by_code["id"]) == [without_code]


@pytest.mark.parametrize(
    ("days", "reason"),
    [
        (-1, "greater_than_equal"),
        (731, "less_than_equal"),
        ("ten", "int_parsing"),
        (1.5, "int_from_float"),
        (True, "value_error"),
    ],
)
def test_a_bad_period_is_422_naming_the_field_and_appends_nothing(
    client: TestClient, hub: Hub, auth: Auth, days: object, reason: str
) -> None:
    referral_id = accepted(client, auth)
    before = head(hub)
    response = client.post(
        f"/v1/referrals/{referral_id}/close",
        json={"outcome": "services_provided", "monitoring_days": days},
        headers=auth("tukums.cm"),
    )
    assert response.status_code == 422, response.text
    assert response.json()["reason"] == "invalid_input"
    assert [(error["field"], error["reason"]) for error in response.json()["errors"]] == [("monitoring_days", reason)]
    assert head(hub) == before


def test_the_web_close_form_sets_the_period_and_the_page_shows_its_end(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    freeze(hub, START)
    referral_id = accepted(client, auth)
    sign_in(client, hub, "tukums.cm")
    page = client.get(f"/referrals/{referral_id}").text
    assert 'name="monitoring_days" type="number" min="0" max="730"' in page
    assert f"parasto termiņu – {DEFAULT_DAYS} dienas" in page

    before = domain_events(hub)
    bad = post_form(
        client,
        f"/referrals/{referral_id}/actions/close",
        {"outcome": "services_provided", "monitoring_days": "-3", "form_id": "close"},
    )
    assert bad.status_code == 422
    assert 'aria-describedby="close-monitoring_days-error monitoring-hint"' in bad.text
    assert '<a href="#close-monitoring_days">Uzraudzība pēc gadījuma slēgšanas (dienās)</a>' in bad.text
    assert domain_events(hub) == before  # the referral page shown again is a recorded read, nothing more

    closed = post_form(
        client, f"/referrals/{referral_id}/actions/close", {"outcome": "services_provided", "monitoring_days": "14"}
    )
    assert closed.status_code == 303, closed.text
    until = moment_text(START + timedelta(days=14), "lv")
    shown = client.get(f"/referrals/{referral_id}").text
    assert f'<dt>Uzraudzība līdz</dt><dd class="monitoring">{until}</dd>' in shown
    client.get("/lang/en", params={"next": "/inbox"})
    assert "<dt>Monitoring until</dt>" in client.get(f"/referrals/{referral_id}").text

    other = accepted(client, auth)
    blank = post_form(
        client, f"/referrals/{other}/actions/close", {"outcome": "services_provided", "monitoring_days": ""}
    )
    assert blank.status_code == 303, blank.text
    assert hub.app.referral(UUID(other)).monitoring_until == START + timedelta(days=DEFAULT_DAYS)


def test_the_command_line_close_takes_a_period(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    referral_id = cli_store_with_a_referral(tmp_path, monkeypatch)
    runner = CliRunner()
    for user, *step in [
        ("tukums.intake", "acknowledge"),
        ("tukums.head", "assign", "--worker", "tukums.cm"),
        ("tukums.cm", "accept"),
    ]:
        result = runner.invoke(app, ["referrals", step[0], referral_id, "--user", user, *step[1:]])
        assert result.exit_code == 0, result.output
    close = ["referrals", "close", referral_id, "--user", "tukums.cm", "--outcome", "services_provided"]
    refused = runner.invoke(app, [*close, "--monitoring-days", "731"])
    assert refused.exit_code == 2
    assert "monitoring_days" in refused.output
    done = runner.invoke(app, [*close, "--monitoring-days", "0"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["status"] == "closed"
    hub = Hub(Settings())
    try:
        assert hub.app.referral(UUID(referral_id)).monitoring_until is None
    finally:
        hub.close()


def test_a_view_built_before_monitoring_existed_is_rebuilt_with_it(client: TestClient, hub: Hub, auth: Auth) -> None:
    freeze(hub, START)
    closed = accepted(client, auth)
    act(client, auth, "tukums.cm", closed, "close", outcome="services_provided", monitoring_days=30)
    hub.follower.catch_up()
    with hub.views_db.transaction() as cursor:
        cursor.execute("ALTER TABLE view_referrals DROP COLUMN monitoring_until")
        cursor.execute("UPDATE view_schemas SET schema_hash = 'before monitoring' WHERE view_name = 'referrals'")
    restarted = Hub(hub.settings)
    try:
        restarted.clock = lambda: START + timedelta(days=1)
        restarted.follower.catch_up()
        receipt = restarted.referrals.submit(
            restarted.principal_for("doctor"), ReferralDraft.model_validate(child_referral())
        )
        assert receipt["already_known"] is True
    finally:
        restarted.close()


def test_the_setting_defaults_to_180_days_and_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(_env_file=None).monitoring_days == 180  # type: ignore[call-arg]
    monkeypatch.setenv("HUB_MONITORING_DAYS", "0")
    assert Settings(_env_file=None).monitoring_days == 0  # type: ignore[call-arg]
    monkeypatch.setenv("HUB_MONITORING_DAYS", "731")
    with pytest.raises(ValueError, match="monitoring_days"):
        Settings(_env_file=None)  # type: ignore[call-arg]
