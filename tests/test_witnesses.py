"""Two real witnesses (`hub witness serve` over loopback HTTP) cosign the hub's checkpoints; a fork is refused and
found by `hub audit verify --witnesses 2`. The hub side runs on both stores."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from events.integrity.checkpoint import Verifier, open_checkpoint
from events.integrity.cosignature import valid_cosignatures
from events.integrity.proofs import ProofError, check_proof
from events.witness import WitnessAlarmRaised
from hub.audit.service import CHECKPOINT_KEY_FILE
from hub.cli import app as cli_app
from hub.kernel.config import Settings, WitnessEndpoint
from hub.kernel.identity import load_or_create_signing_key
from hub.registry.demo import seed_demo
from hub.service import Hub
from hub.witness.server import origin_hash
from tests.conftest import known_child, log_of
from tests.witness_process import WitnessProcess

ORIGIN = "lv-referral-hub/audit-log"


@pytest.fixture
def log_vkey(settings: Settings) -> str:
    key = load_or_create_signing_key(settings.key_dir, CHECKPOINT_KEY_FILE)
    return Verifier(settings.checkpoint_origin, key.public_key()).vkey()


@pytest.fixture
def witnesses(tmp_path: Path, log_vkey: str) -> Iterator[list[WitnessProcess]]:
    started = []
    try:
        for name in ("witness.dvi.gov.lv/w1", "witness.lm.gov.lv/w1"):
            directory = tmp_path / name.split(".")[1]
            directory.mkdir()
            process = WitnessProcess(name, directory, log_vkey)
            process.start()
            started.append(process)
        yield started
    finally:
        for process in started:
            process.stop()


def witnessed(settings: Settings, endpoints: list[WitnessEndpoint]) -> Settings:
    return settings.model_copy(update={"witnesses": tuple(endpoints)})


@pytest.fixture
def witnessed_hub(settings: Settings, witnesses: list[WitnessProcess]) -> Iterator[Hub]:
    hub = Hub(witnessed(settings, [witness.endpoint() for witness in witnesses]))
    seed_demo(hub)
    try:
        yield hub
    finally:
        hub.close()


def test_checkpoints_carry_both_cosignatures_and_proofs_need_k_of_them(
    witnessed_hub: Hub, witnesses: list[WitnessProcess]
) -> None:
    hub = witnessed_hub
    first = hub.audit.seal()
    assert first is not None
    known_child(hub)
    second = hub.audit.seal()  # submitted with a consistency proof from the first
    assert second is not None
    assert int(second["tree_size"]) > int(first["tree_size"])
    note = hub.audit.latest_checkpoint()["checkpoint"]
    cosigners = [witness.cosigner for witness in witnesses]
    cosigned = valid_cosignatures(note, cosigners)
    assert sorted(c.cosigner for c in cosigned) == sorted(w.name for w in witnesses)
    assert open_checkpoint(note, hub.audit.verifier).size == int(second["tree_size"])

    for witness in witnesses:
        served = httpx.get(f"{witness.url}/{origin_hash(ORIGIN)}/checkpoint").text
        assert open_checkpoint(served, hub.audit.verifier).size == int(second["tree_size"])
        assert valid_cosignatures(served, [witness.cosigner])
    assert httpx.get(f"{witnesses[0].url}/{origin_hash('someone/else')}/checkpoint").status_code == 404

    proof = hub.audit.inclusion_proof(1)
    assert check_proof(proof, hub.audit.verifier, cosigners=cosigners, quorum=2).size == int(second["tree_size"])
    with pytest.raises(ProofError, match="2 of the 3"):
        check_proof(proof, hub.audit.verifier, cosigners=cosigners, quorum=3)
    report = hub.audit.verify(witnesses=2)
    assert report.ok, report.problems


def test_a_second_history_of_the_log_is_refused_by_the_witnesses_and_found_by_verify(
    witnessed_hub: Hub, witnesses: list[WitnessProcess], tmp_path: Path, settings: Settings
) -> None:
    assert witnessed_hub.audit.seal() is not None
    honest_size = int(witnessed_hub.audit.latest_checkpoint()["tree_size"])

    # The operator keeps a second store under the same checkpoint key and shows it to others: a split view.
    fork_keys = tmp_path / "fork-keys"
    shutil.copytree(settings.key_dir, fork_keys)
    fork_settings = Settings(  # type: ignore[call-arg]
        store=str(tmp_path / "fork.sqlite"),
        key_dir=fork_keys,
        witnesses=tuple(witness.endpoint() for witness in witnesses),
        _env_file=None,
    )
    fork = Hub(fork_settings)
    try:
        seed_demo(fork)
        forked = fork.audit.seal()
        assert forked is not None
        for witness in witnesses:  # each still holds the honest history
            served = httpx.get(f"{witness.url}/{origin_hash(ORIGIN)}/checkpoint").text
            assert open_checkpoint(served, fork.audit.verifier).size == honest_size
        alarms = log_of(fork, WitnessAlarmRaised)
        assert sorted(alarm.witness for alarm in alarms) == sorted(w.name for w in witnesses)
        assert {alarm.status for alarm in alarms} == {422}
        assert valid_cosignatures(fork.audit.latest_checkpoint()["checkpoint"], [w.cosigner for w in witnesses]) == []
        fork.audit.seal()  # the alarms grew the tree; a refusing witness raises no second alarm
        assert len(log_of(fork, WitnessAlarmRaised)) == 2

        report = fork.audit.verify(witnesses=2)
        kinds = [problem.kind for problem in report.problems]
        assert kinds.count("witness_fork") == 2
        assert kinds.count("witness_alarm") == 2
        assert "witness_quorum" in kinds
        assert fork.audit.verify().ok  # on its own, the fork is a well-formed log: only the witnesses reveal it
    finally:
        fork.close()
    assert witnessed_hub.audit.verify(witnesses=2).ok


def test_hub_audit_verify_witnesses_on_the_command_line(
    witnessed_hub: Hub, witnesses: list[WitnessProcess], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    witnessed_hub.audit.seal()
    monkeypatch.setenv("HUB_STORE", settings.store)
    monkeypatch.setenv("HUB_KEY_DIR", str(settings.key_dir))
    monkeypatch.setenv("HUB_WITNESSES", json.dumps([w.endpoint().model_dump() for w in witnesses]))
    witnessed_hub.close()
    runner = CliRunner()
    ok = runner.invoke(cli_app, ["audit", "verify", "--witnesses", "2"])
    assert ok.exit_code == 0, ok.output
    short = runner.invoke(cli_app, ["audit", "verify", "--witnesses", "3"])
    assert short.exit_code == 1
    assert "witness_quorum" in short.output


def test_an_unreachable_witness_is_skipped_and_the_quorum_then_fails(
    settings: Settings, witnesses: list[WitnessProcess]
) -> None:
    witnesses[1].stop()
    hub = Hub(witnessed(settings, [witness.endpoint() for witness in witnesses]))
    try:
        seed_demo(hub)
        assert hub.audit.seal() is not None
        assert log_of(hub, WitnessAlarmRaised) == []
        assert hub.audit.verify(witnesses=1).ok
        assert [p.kind for p in hub.audit.verify(witnesses=2).problems] == ["witness_quorum"]
    finally:
        hub.close()


def test_a_restarted_witness_keeps_its_state_and_goes_on_cosigning(
    witnessed_hub: Hub, witnesses: list[WitnessProcess]
) -> None:
    hub = witnessed_hub
    first = hub.audit.seal()
    assert first is not None
    witnesses[0].stop()
    witnesses[0].start()  # same key file and state file
    served = httpx.get(f"{witnesses[0].url}/{origin_hash(ORIGIN)}/checkpoint").text
    assert open_checkpoint(served, hub.audit.verifier).size == int(first["tree_size"])
    known_child(hub)
    second = hub.audit.seal()
    assert second is not None
    cosigners = [witness.cosigner for witness in witnesses]
    assert len(valid_cosignatures(hub.audit.latest_checkpoint()["checkpoint"], cosigners)) == 2
    assert log_of(hub, WitnessAlarmRaised) == []


def test_check_proof_offline_requires_k_cosignatures_of_the_given_witness_keys(
    witnessed_hub: Hub, witnesses: list[WitnessProcess], tmp_path: Path
) -> None:
    assert witnessed_hub.audit.seal() is not None
    proof = tmp_path / "proof.json"
    proof.write_text(json.dumps(witnessed_hub.audit.inclusion_proof(2)), encoding="utf-8")
    hub_key = tmp_path / "hub.vkey"
    hub_key.write_text(witnessed_hub.audit.verifier.vkey(), encoding="utf-8")
    keys = []
    for witness in witnesses:
        keys += ["--witness-key", witness.cosigner.vkey()]
    base = ["audit", "check-proof", "--proof", str(proof), "--public-key", str(hub_key)]
    runner = CliRunner()
    both = runner.invoke(cli_app, [*base, "--witnesses", "2", *keys])
    assert both.exit_code == 0, both.output
    stranger = WitnessProcess("witness.example/other", tmp_path, witnessed_hub.audit.verifier.vkey()).cosigner.vkey()
    unknown = runner.invoke(cli_app, [*base, "--witnesses", "2", keys[0], keys[1], "--witness-key", stranger])
    assert unknown.exit_code == 1
    assert "1 of the 2" in unknown.output
    assert runner.invoke(cli_app, [*base, "--witnesses", "2", *keys[:2]]).exit_code == 2
