"""Proofs, auditor replay and the person's own access report through the API, on both stores."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from events.access import AccessRecorded
from events.integrity.checkpoint import Verifier
from events.integrity.proofs import ProofError, check_proof
from hub.audit.cli import audit_app
from hub.service import Hub
from tests.conftest import child_referral, domain_events, head

Auth = Callable[[str], dict[str, str]]


def submit(client: TestClient, auth: Auth) -> tuple[str, UUID]:
    response = client.post(
        "/v1/referrals", json=child_referral(concerns=["neglect", "offence"]), headers=auth("tukums.school")
    )
    assert response.status_code == 201, response.text
    referral_id = response.json()["id"]
    return referral_id, hub_of(client).app.referral(UUID(referral_id)).child.subject_id


def hub_of(client: TestClient) -> Hub:
    hub: Hub = client.app.state.hub  # type: ignore[attr-defined]
    return hub


def scenario(client: TestClient, auth: Auth) -> tuple[str, UUID]:
    """A referral about a child: the school reports, social service, police and the school read, data is disclosed."""
    referral_id, child = submit(client, auth)
    for user in ("tukums.intake",):
        assert client.get("/v1/inbox", headers=auth(user)).status_code == 200
    for user in ("tukums.cm", "police.officer", "tukums.school"):
        assert client.get(f"/v1/referrals/{referral_id}", headers=auth(user)).status_code == 200
    disclosed = client.post(
        "/v1/disclosures",
        json={
            "recipient": "VP",
            "subjects": [str(child)],
            "categories": ["identity"],
            "purpose": "child_protection",
            "basis": "BTAL-73",
        },
        headers=auth("tukums.cm"),
    )
    assert disclosed.status_code == 201, disclosed.text
    return referral_id, child


def test_proofs_from_the_api_verify_offline_and_fail_when_altered(
    client: TestClient, hub: Hub, auth: Auth, tmp_path: Path
) -> None:
    hub.audit.seal()
    old_size = hub.audit.log.state().size
    submit(client, auth)
    hub.audit.seal()
    headers = auth("auditor")
    checkpoint = client.get("/v1/audit/checkpoint", headers=headers).json()
    verifier = Verifier.from_vkey(hub.audit.verifier.vkey())

    inclusion = client.get("/v1/audit/proof/inclusion", params={"notification_id": 3}, headers=headers).json()
    assert check_proof(inclusion, verifier).size == checkpoint["tree_size"]
    consistency = client.get(
        "/v1/audit/proof/consistency", params={"from": old_size, "to": checkpoint["tree_size"]}, headers=headers
    ).json()
    assert check_proof(consistency, verifier).size == checkpoint["tree_size"]

    wrong_leaf = {**inclusion, "leaf_index": 4}
    with pytest.raises(ProofError, match="not included"):
        check_proof(wrong_leaf, verifier)
    with pytest.raises(ProofError, match="tree size"):
        check_proof({**inclusion, "tree_size": old_size}, verifier)

    # The command line needs only the proof, the checkpoint and the public key.
    proof_file, key_file = tmp_path / "proof.json", tmp_path / "hub.vkey"
    proof_file.write_text(json.dumps(consistency))
    key_file.write_text(hub.audit.verifier.vkey())
    runner = CliRunner()
    ok = runner.invoke(audit_app, ["check-proof", "--proof", str(proof_file), "--public-key", str(key_file)])
    assert ok.exit_code == 0, ok.output
    proof_file.write_text(json.dumps({**consistency, "from": old_size - 1}))
    bad = runner.invoke(audit_app, ["check-proof", "--proof", str(proof_file), "--public-key", str(key_file)])
    assert bad.exit_code == 1


@pytest.mark.parametrize(
    ("params", "status", "reason", "field"),
    [
        ({"notification_id": 3, "tree_size": 7}, 422, "no_checkpoint_of_size", "tree_size"),
        ({"notification_id": 999_999}, 404, "no_such_leaf", "notification_id"),
        ({"notification_id": 0}, 422, "invalid_input", "notification_id"),
    ],
)
def test_bad_proof_requests_get_problems_and_append_nothing(
    client: TestClient, hub: Hub, auth: Auth, params: dict[str, Any], status: int, reason: str, field: str
) -> None:
    hub.audit.seal()
    before = domain_events(hub)
    response = client.get("/v1/audit/proof/inclusion", params=params, headers=auth("auditor"))
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["reason"] == reason
    assert body["errors"][0]["field"].endswith(field)
    assert domain_events(hub) == before


def test_replay_is_for_auditors_only_and_every_replay_is_recorded(client: TestClient, hub: Hub, auth: Auth) -> None:
    _, child = scenario(client, auth)
    denied = client.get("/v1/audit/replay", headers=auth("tukums.head"))
    assert denied.status_code == 403
    replayed = client.get("/v1/audit/replay", params={"subject": str(child)}, headers=auth("auditor"))
    assert replayed.status_code == 200, replayed.text
    actions = [(entry["user"], entry["action"]) for entry in replayed.json()["entries"]]
    assert ("tukums.cm", "referral.read") in actions
    assert ("tukums.cm", "disclosure") in actions
    recorded = [hub.app.mapper.to_domain_event(n) for n in hub.app.recorder.select_notifications(1, 10_000)]
    audits = [e for e in recorded if isinstance(e, AccessRecorded) and e.action == "audit.replay"]
    assert [(e.actor.user_id, e.decision) for e in audits] == [("tukums.head", "deny"), ("auditor", "permit")]
    assert audits[1].subjects == (child,)

    only_police = client.get("/v1/audit/replay", params={"agency": "VP", "format": "csv"}, headers=auth("auditor"))
    assert only_police.headers["content-type"].startswith("text/csv")
    lines = only_police.text.strip().splitlines()
    assert lines[0].startswith("notification_id,time,kind")
    assert all("police.officer" in line or ",disclosure," in line for line in lines[1:])
    bad = client.get("/v1/audit/replay", params={"agency": "NOPE"}, headers=auth("auditor"))
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "agency")


def test_a_replay_as_of_a_past_time_equals_the_live_view_at_that_time(client: TestClient, hub: Hub, auth: Auth) -> None:
    scenario(client, auth)
    moment = datetime.now(UTC)  # the live replay below reads the log as it stands now (its own record comes after)
    live = client.get("/v1/audit/replay", headers=auth("auditor")).json()["entries"]
    scenario(client, auth)
    past = client.get("/v1/audit/replay", params={"as_of": moment.isoformat()}, headers=auth("auditor")).json()
    assert past["entries"] == live
    now = client.get("/v1/audit/replay", headers=auth("auditor")).json()["entries"]
    assert len(now) > len(live) + 1


def report(client: TestClient, auth: Auth, child: UUID, **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"/v1/subjects/{child}/access-report", params=params, headers=auth("tukums.cm"))
    assert response.status_code == 200, response.text
    assert response.json()["title"]["lv"]
    return list(response.json()["entries"])


def agencies(entries: list[dict[str, Any]]) -> list[str]:
    return [entry["agency"].get("code", "withheld") for entry in entries]


def test_the_access_report_lists_every_access_and_applies_the_withholding_rules(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    _, child = scenario(client, auth)
    full = report(client, auth, child)
    assert agencies(full) == ["TUK-SD", "TUK-SD", "VP", "TUK-SKOLA", "TUK-SD"]
    assert [entry["what"]["en"] for entry in full][-1] == "received data from another agency"
    assert full[-1]["recipient"]["code"] == "VP"
    assert full[-1]["basis"] == "BTAL-73"

    # The mother as the alleged source of risk does not learn that the school reported.
    for_parent = report(client, auth, child, for_alleged_source_of_risk=True)
    assert agencies(for_parent) == ["TUK-SD", "TUK-SD", "VP", "withheld", "TUK-SD", "TUK-SD"]
    assert for_parent[-1]["what"]["en"] == "prepared this access report"  # the first report is an access too
    assert for_parent[3]["agency"]["name"]["lv"].startswith("iestāde, kas ziņoja")

    # An open police investigation hides the police's part until it is closed.
    opened = client.post(
        "/v1/investigations",
        json={"subjects": [str(child)], "reference": "VP-2026-0042"},
        headers=auth("police.officer"),
    )
    assert opened.status_code == 201, opened.text
    during = report(client, auth, child)
    assert agencies(during) == ["TUK-SD", "TUK-SD", "TUK-SKOLA", "TUK-SD", "TUK-SD"]
    assert all(entry["recipient"] is None for entry in during)
    closed = client.post(f"/v1/investigations/{opened.json()['id']}/close", headers=auth("police.officer"))
    assert closed.status_code == 200
    after = report(client, auth, child)
    assert agencies(after)[:5] == agencies(full)
    assert after[4]["recipient"]["code"] == "VP"


def test_each_report_line_carries_a_proof_checkable_offline_with_the_published_key_alone(
    client: TestClient, hub: Hub, auth: Auth, tmp_path: Path
) -> None:
    _, child = scenario(client, auth)
    published = hub.audit.verifier.vkey()  # what the hub publishes; nothing else of the hub is used below
    assert hub.audit.seal() is not None
    lines = report(client, auth, child, for_alleged_source_of_risk=True)
    withheld = next(line for line in lines if line["agency"].get("withheld"))
    assert withheld["proof"] is not None
    fields = {"type", "notification_id", "leaf_index", "leaf_hash", "tree_size", "proof", "checkpoint"}
    assert set(withheld["proof"]) == fields  # nothing of the withheld agency
    for line in lines:
        assert check_proof(line["proof"], Verifier.from_vkey(published)).size == line["proof"]["tree_size"]
    newer = report(client, auth, child)[-1]  # the first report itself, an access no checkpoint covers yet
    assert newer["what"]["en"] == "prepared this access report"
    assert newer["proof"] is None

    downloaded = tmp_path / "line.json"
    downloaded.write_text(json.dumps(withheld["proof"]), encoding="utf-8")
    key = tmp_path / "hub.vkey"
    key.write_text(published, encoding="utf-8")
    checked = CliRunner().invoke(audit_app, ["check-proof", "--proof", str(downloaded), "--public-key", str(key)])
    assert checked.exit_code == 0, checked.output
    withheld["proof"]["leaf_hash"] = withheld["proof"]["proof"][0]
    downloaded.write_text(json.dumps(withheld["proof"]), encoding="utf-8")
    refused = CliRunner().invoke(audit_app, ["check-proof", "--proof", str(downloaded), "--public-key", str(key)])
    assert refused.exit_code == 1


@pytest.mark.parametrize(
    ("user", "path", "body", "status", "reason"),
    [
        ("tukums.school", "/v1/subjects/{child}/access-report", None, 403, "access_denied"),
        ("auditor", "/v1/subjects/{child}/access-report", None, 403, "access_denied"),
        (
            "tukums.cm",
            "/v1/investigations",
            {"subjects": ["{child}"], "reference": "X"},
            403,
            "role_may_not_investigate",
        ),
        ("police.officer", "/v1/investigations", {"subjects": [], "reference": "X"}, 422, "invalid_input"),
    ],
)
def test_access_report_and_investigation_refusals(
    client: TestClient, hub: Hub, auth: Auth, user: str, path: str, body: Any, status: int, reason: str
) -> None:
    _, child = submit(client, auth)
    url = path.format(child=child)
    before = head(hub)
    if body is None:
        response = client.get(url, headers=auth(user))
    else:
        payload = json.loads(json.dumps(body).replace("{child}", str(child)))
        response = client.post(url, json=payload, headers=auth(user))
    assert (response.status_code, response.json()["reason"]) == (status, reason)
    recorded = [hub.app.mapper.to_domain_event(n) for n in hub.app.recorder.select_notifications(before + 1, 100)]
    if body is None:
        [denial] = recorded
        assert isinstance(denial, AccessRecorded)
        assert (denial.action, denial.decision, denial.subjects) == ("audit.access-report", "deny", (child,))
    elif status == 403:
        [denial] = recorded  # a refused command is recorded too, and nothing else is appended
        assert isinstance(denial, AccessRecorded)
        assert (denial.action, denial.decision) == ("POST /v1/investigations", "deny")
    else:
        assert recorded == []


def test_replay_and_report_from_the_command_line(
    client: TestClient, hub: Hub, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, child = scenario(client, auth)
    monkeypatch.setenv("HUB_STORE", hub.settings.store)
    monkeypatch.setenv("HUB_KEY_DIR", str(hub.settings.key_dir))
    runner = CliRunner()
    replayed = runner.invoke(
        audit_app, ["replay", "--user", "auditor", "--subject", str(child), "--by", "police.officer", "--format", "csv"]
    )
    assert replayed.exit_code == 0, replayed.output
    rows = replayed.output.strip().splitlines()
    assert len(rows) == 2
    assert ",police.officer," in rows[1]
    assert ",referral.read," in rows[1]
    reported = runner.invoke(audit_app, ["report", "--user", "tukums.cm", "--subject", str(child), "--format", "json"])
    assert reported.exit_code == 0, reported.output
    entries = json.loads(reported.output)["entries"]
    assert len(entries) == 6
    assert (entries[-1]["agency"]["code"], entries[-1]["what"]["en"]) == ("DAS", "audited the access log")
    refused = runner.invoke(audit_app, ["replay", "--user", "tukums.cm"])
    assert refused.exit_code == 1
