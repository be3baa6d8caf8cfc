"""The README's "Going live", walked from an empty store without `hub demo seed`: the hub serves nobody until
`hub admin bootstrap`, the registry comes from the CSV files in `examples/`, and a school's first referral reaches
the municipality's social service. Every administrative change is in the auditor's replay."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from adapters.cli import compose
from events.values import MUNICIPALITIES
from hub.api.app import create_app
from hub.kernel.config import Settings
from hub.service import Hub
from tests.conftest import child_referral, domain_events

EXAMPLES = Path(__file__).parent.parent / "examples"


def hub_command(*args: str) -> str:
    result = CliRunner().invoke(compose(), list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_from_an_empty_store_to_the_first_referral(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_STORE", str(tmp_path / "hub.sqlite"))
    monkeypatch.setenv("HUB_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("HUB_DEMO", "false")
    empty = Hub(Settings())  # type: ignore[call-arg]
    with TestClient(create_app(empty, follow_in_background=False)) as client:
        refused = client.get("/v1/inbox")
        assert (refused.status_code, refused.json()["reason"]) == (503, "not_bootstrapped")
        page = client.get("/signin")
        assert (page.status_code, "Centrs vēl nav iestatīts" in page.text) == (503, True)
        assert client.get("/healthz").status_code == 200
    empty.close()

    hub_command(
        "admin", "bootstrap", "--agency", "BAC", "--agency-name", "Bērnu aizsardzības centrs",
        "--user", "registry.admin", "--name", "Gints Lapiņš", "--idp-issuer", "https://idp.bac.example.lv",
    )  # fmt: skip
    assert "86 agencies" in hub_command(
        "admin", "import", str(EXAMPLES / "registry-latvia.csv"), "--as", "registry.admin"
    )
    assert "0 agencies and 0 users" in hub_command(
        "admin", "import", str(EXAMPLES / "registry-latvia.csv"), "--as", "registry.admin"
    )
    staff = str(EXAMPLES / "registry-talsi-staff.csv")
    assert "would be registered" in hub_command("admin", "import", staff, "--dry-run", "--as", "registry.admin")
    assert "1 agencies and 7 users" in hub_command("admin", "import", staff, "--as", "registry.admin")
    renamed = hub_command(
        "users", "rename", "--user", "talsi.school", "--name", "Anna Bērziņa", "--as", "registry.admin"
    )
    assert "talsi.school: Anna Bērziņa" in renamed

    hub = Hub(Settings())  # type: ignore[call-arg]
    try:
        assert len(hub.registry_queries.agencies()) == 2 * len(MUNICIPALITIES) + 2
        with TestClient(create_app(hub, follow_in_background=False)) as client:
            school = {"Authorization": f"Bearer {hub.issue_token('talsi.school')}"}
            child = {**child_referral()["child"], "municipality": "talsu-novads", "personal_code": None}
            receipt = client.post("/v1/referrals", json=child_referral(child=child), headers=school)
            assert receipt.status_code == 201, receipt.text
            assert [agency["code"] for agency in receipt.json()["routed_to"]] == ["TALSU-NOVADS-SD"]
            intake = {"Authorization": f"Bearer {hub.issue_token('talsi.intake')}"}
            inbox = client.get("/v1/inbox", headers=intake)
            assert [item["id"] for item in inbox.json()["items"]] == [receipt.json()["id"]]

            admin = {"Authorization": f"Bearer {hub.issue_token('registry.admin')}"}
            agency = {"code": "DAS", "name": "Datu aizsardzības speciālists", "kind": "auditor"}
            assert client.post("/v1/admin/agencies", json=agency, headers=admin).status_code == 201
            user = {"username": "auditor", "display_name": "Pēteris Auniņš", "agency": "DAS", "roles": ["auditor"]}
            assert client.post("/v1/admin/users", json=user, headers=admin).status_code == 201
            auditor = {"Authorization": f"Bearer {hub.issue_token('auditor')}"}
            entries = client.get("/v1/audit/replay", headers=auditor).json()["entries"]
            administration = [entry for entry in entries if entry["kind"] == "administration"]
            assert len(administration) == 2 + 86 + 8 + 1 + 2
            assert {entry["user"] for entry in administration} == {"console", "registry.admin"}
    finally:
        hub.close()


def test_a_bad_file_is_reported_row_by_row_and_registers_nothing(tmp_path: Path) -> None:
    hub = Hub(Settings(store=str(tmp_path / "hub.sqlite"), key_dir=tmp_path / "keys", _env_file=None))  # type: ignore[call-arg]
    try:
        from hub.registry.bulk_import import RegistryImport, read_csv

        text = (
            "record,code,name,kind,municipality,username,display_name,agency,roles,idp_issuer\n"
            "agency,TAL-SD,Talsu novada sociālais dienests,social_service,talsu-novads,,,,,\n"
            "agency,tal-bt,Talsu novada bāriņtiesa,court,nowhere,,,,,\n"
            "user,,,,,talsi.cm,Ieva,TAL-SD,police_officer,https://idp.example.lv\n"
            "user,,,,,talsi.cm,Ieva,TAL-SD,case_manager,\n"
            "person,,,,,,,,,\n"
            "user,,,,,talsi.head,Māris,NOPE,head_of_service,http://idp.example.lv\n"
            "user,,,,,talsi.bt,Sarmīte,NOPE,orphans_court_member,\n"
        )
        rows, problems = read_csv(text)
        assert problems == []
        before = domain_events(hub)
        result = RegistryImport(hub.registry_admin).run(None, rows)
        found = {(problem.row, problem.field, problem.reason) for problem in result.problems}
        assert found == {
            (3, "code", "string_pattern_mismatch"),
            (3, "kind", "enum"),
            (3, "municipality", "value_error"),
            (4, "roles", "role_not_allowed_for_kind"),
            (5, "username", "duplicate_in_file"),
            (6, "record", "unknown_record"),
            (7, "idp_issuer", "value_error"),
            (8, "agency", "unknown_agency"),
        }
        assert domain_events(hub) == before
    finally:
        hub.close()
