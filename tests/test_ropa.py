"""The GDPR Art. 30 record of processing is generated from the policies: every basis, and a hash that follows them."""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from hub.cli import app
from hub.service import Hub
from hub.web.i18n import LANGUAGE_COOKIE
from policies.engine import PolicyEngine
from policies.legal_bases import LEGAL_BASES
from policies.ropa import record_of_processing
from tests.web import sign_in


def test_the_record_lists_every_basis_of_the_catalogue_with_the_policy_hash() -> None:
    engine = PolicyEngine.load()
    record = record_of_processing(engine)
    assert [activity["basis"] for activity in record["activities"]] == [basis.id for basis in LEGAL_BASES]
    assert record["policy_hash"] == engine.policy_hash
    btal = record["activities"][0]
    assert "social_service" in btal["recipients_by_agency_kind"]
    assert btal["title"]["lv"]
    assert btal["title"]["en"]
    assert "disclose.statutory-basis" in record["rules"]["disclosures.cedar"]
    assert record["retention"]["years_after_last_closure"] == {"referral": 10}


def test_the_hashes_change_when_a_policy_changes() -> None:
    engine = PolicyEngine.load()
    files = dict(engine.policy_files)
    files["reads.cedar"] = files["reads.cedar"].replace('@id("read.review-queue")', '@id("read.review-queue.v2")', 1)
    changed = PolicyEngine(files, engine.schema_text)
    before, after = record_of_processing(engine), record_of_processing(changed)
    assert after["policy_hash"] != before["policy_hash"]
    assert after["record_hash"] != before["record_hash"]
    assert record_of_processing(PolicyEngine.load())["record_hash"] == before["record_hash"]  # deterministic


def test_hub_policy_ropa_prints_json_and_text() -> None:
    runner = CliRunner()
    as_json = runner.invoke(app, ["policy", "ropa", "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    assert len(json.loads(as_json.output)["activities"]) == len(LEGAL_BASES)
    as_text = runner.invoke(app, ["policy", "ropa", "--language", "en"])
    assert as_text.exit_code == 0
    assert "Duty to report a child in danger" in as_text.output
    assert runner.invoke(app, ["policy", "ropa", "--format", "xml"]).exit_code != 0


def test_the_api_serves_the_record_of_the_policies_it_runs_with(
    client: TestClient, hub: Hub, auth: Callable[[str], dict[str, str]]
) -> None:
    response = client.get("/v1/policy/ropa", headers=auth("daugavpils.cm"))
    assert response.status_code == 200, response.text
    assert response.json() == record_of_processing(hub.policy_engine)
    assert client.get("/v1/policy/ropa").status_code == 401


def test_the_page_shows_every_basis_in_the_readers_language(client: TestClient, hub: Hub) -> None:
    assert client.get("/ropa", follow_redirects=False).status_code in (303, 401)
    sign_in(client, hub, "tukums.school")
    page = client.get("/ropa")
    assert page.status_code == 200
    assert "Apstrādes darbību reģistrs" in page.text
    record = record_of_processing(hub.policy_engine)
    assert record["policy_hash"] in page.text
    for basis in LEGAL_BASES:
        assert basis.title_lv in page.text
    client.cookies.set(LANGUAGE_COOKIE, "en")
    assert "Duty to report a child in danger" in client.get("/ropa").text
