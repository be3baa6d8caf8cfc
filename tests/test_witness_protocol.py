"""C2SP tlog-cosignature and tlog-witness add-checkpoint as pure functions, against the specifications' examples."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from events.integrity import merkle
from events.integrity.checkpoint import Checkpoint, CheckpointError, Verifier, sign_checkpoint, split_note
from events.integrity.cosignature import (
    Cosigner,
    cosign,
    cosigned_message,
    require_cosignatures,
    valid_cosignatures,
    with_cosignatures,
)
from events.integrity.witness import AddCheckpoint, LogHead, Refusal, decide, parse_request
from hub.witness.server import create_witness_app, origin_hash
from hub.witness.state import WitnessState

ORIGIN = "lv-referral-hub/audit-log"
LOG_KEY = Ed25519PrivateKey.generate()
LOG = Verifier(ORIGIN, LOG_KEY.public_key())
LEAVES = [merkle.leaf_hash(bytes([i])) for i in range(20)]
TIME = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def note(size: int, leaves: list[bytes] = LEAVES, key: Ed25519PrivateKey = LOG_KEY) -> str:
    return sign_checkpoint(Checkpoint(ORIGIN, size, merkle.root(leaves[:size]), TIME), ORIGIN, key)


def request(old: int, new: int, leaves: list[bytes] = LEAVES, proof: list[bytes] | None = None) -> bytes:
    path = merkle.consistency_proof(leaves, old, new) if proof is None and 0 < old < new else proof or []
    lines = [f"old {old}", *(base64.b64encode(node).decode() for node in path)]
    return ("\n".join(lines) + "\n\n" + note(new, leaves)).encode()


def head(size: int, leaves: list[bytes] = LEAVES) -> dict[str, LogHead]:
    return {ORIGIN: LogHead(ORIGIN, size, merkle.root(leaves[:size]), note(size, leaves))}


def refusal(body: bytes, heads: dict[str, LogHead] | None = None) -> Refusal:
    with pytest.raises(Refusal) as raised:
        decide(parse_request(body), {ORIGIN: LOG}, heads or {})
    return raised.value


# --- tlog-cosignature -----------------------------------------------------------------------------------------


def test_the_signed_message_is_the_one_the_specification_shows() -> None:
    body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    assert cosigned_message(body, 1679315147) == (
        b"cosignature/v1\ntime 1679315147\n"
        b"example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    )


def test_the_specification_example_line_holds_its_timestamp_after_the_key_id() -> None:
    blob = base64.b64decode(
        "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA=="
    )
    assert len(blob) == 4 + 8 + 64
    assert int.from_bytes(blob[4:12], "big") == 1679315147


def test_cosigner_key_ids_use_type_0x04_and_differ_from_a_log_key() -> None:
    key = Ed25519PrivateKey.generate()
    cosigner = Cosigner("witness.example/w1", key.public_key())
    raw = cosigner.vkey().split("+", 2)[2]
    assert base64.b64decode(raw)[:1] == b"\x04"
    expected = hashlib.sha256(b"witness.example/w1\n\x04" + base64.b64decode(raw)[1:]).digest()[:4]
    assert cosigner.key_id == expected != Verifier("witness.example/w1", key.public_key()).key_id
    assert Cosigner.from_vkey(cosigner.vkey()) == cosigner
    with pytest.raises(CheckpointError):
        Cosigner.from_vkey(Verifier("witness.example/w1", key.public_key()).vkey())


def test_k_of_n_cosignatures_and_unknown_or_forged_lines() -> None:
    keys = [Ed25519PrivateKey.generate() for _ in range(3)]
    cosigners = [Cosigner(f"w{i}.example", key.public_key()) for i, key in enumerate(keys)]
    signed = note(5)
    body = split_note(signed)[0]
    lines = [
        cosign(body, cosigner.name, key, 1_700_000_000 + i)
        for i, (cosigner, key) in enumerate(zip(cosigners, keys, strict=True))
    ]
    both = with_cosignatures(signed, lines[:2])
    assert [c.timestamp for c in valid_cosignatures(both, cosigners)] == [1_700_000_000, 1_700_000_001]
    assert len(require_cosignatures(both, cosigners, 2)) == 2
    with pytest.raises(CheckpointError, match="2 of the 3"):
        require_cosignatures(both, cosigners, 3)
    stranger = cosign(body, "stranger.example", Ed25519PrivateKey.generate(), 1_700_000_000)
    assert len(valid_cosignatures(with_cosignatures(both, [stranger]), cosigners)) == 2
    over_other = cosign(split_note(note(6))[0], cosigners[2].name, keys[2], 1_700_000_000)
    with pytest.raises(CheckpointError, match="does not verify"):
        valid_cosignatures(with_cosignatures(both, [over_other]), cosigners)
    with pytest.raises(ValueError, match="timestamp"):
        cosign(body, "w0.example", keys[0], 0)


# --- tlog-witness add-checkpoint -------------------------------------------------------------------------------


def test_a_first_checkpoint_then_a_consistent_one_are_accepted() -> None:
    first = decide(parse_request(request(0, 7)), {ORIGIN: LOG}, {})
    assert (first.origin, first.size) == (ORIGIN, 7)
    second = decide(parse_request(request(7, 13)), {ORIGIN: LOG}, {ORIGIN: first})
    assert second.size == 13
    assert second.root == merkle.root(LEAVES[:13])
    same = decide(parse_request(request(13, 13)), {ORIGIN: LOG}, {ORIGIN: second})
    assert same.size == 13


def test_statuses_of_refusals_are_those_of_the_specification() -> None:
    assert refusal(request(0, 5).replace(ORIGIN.encode(), b"other.example/log")).status == 404
    unsigned = ("old 0\n\n" + note(5, key=Ed25519PrivateKey.generate())).encode()
    assert refusal(unsigned).status == 403
    forged = note(5).replace(split_note(note(5))[0].split("\n")[2], base64.b64encode(bytes(32)).decode())
    assert refusal(("old 0\n\n" + forged).encode()).status == 403
    assert refusal(request(9, 5), head(9)).status == 400
    conflict = refusal(request(3, 9), head(5))
    assert (conflict.status, conflict.size) == (409, 5)
    assert refusal(request(0, 9), head(5)).status == 409
    assert refusal(request(5, 9, proof=[bytes(32)]), head(5)).status == 422
    assert refusal(request(0, 9, proof=[bytes(32)])).status == 422
    fork = [merkle.leaf_hash(b"other" + bytes([i])) for i in range(20)]
    assert refusal(request(9, 9, fork), head(9)).status == 422
    assert refusal(request(9, 12, fork), head(9)).status == 422


def test_a_size_zero_checkpoint_must_have_the_empty_root() -> None:
    empty = sign_checkpoint(Checkpoint(ORIGIN, 0, merkle.EMPTY_ROOT, TIME), ORIGIN, LOG_KEY)
    assert decide(AddCheckpoint(0, (), empty), {ORIGIN: LOG}, {}).size == 0
    wrong = sign_checkpoint(Checkpoint(ORIGIN, 0, bytes(32), TIME), ORIGIN, LOG_KEY)
    assert refusal(("old 0\n\n" + wrong).encode()).status == 422


@pytest.mark.parametrize(
    "body",
    [b"old 01\n\n", b"old x\n\n", b"size 1\n\n", b"old 1\nnot base64!\n\n", b"old 0\n", b"\xff\xfe", b"old 0\n\nx\n"],
)
def test_malformed_requests_are_400(body: bytes) -> None:
    assert refusal(body).status == 400


def test_more_than_63_proof_lines_are_400() -> None:
    assert refusal(request(5, 9, proof=[bytes(32)] * 64), head(5)).status == 400


def test_the_witness_state_survives_a_restart_and_is_only_advanced_by_accepted_checkpoints(tmp_path: Path) -> None:
    state = WitnessState(tmp_path / "witness.json")
    state.advance(lambda heads: decide(parse_request(request(0, 7)), {ORIGIN: LOG}, heads))
    with pytest.raises(Refusal):
        state.advance(lambda heads: decide(parse_request(request(0, 9)), {ORIGIN: LOG}, heads))
    reopened = WitnessState(tmp_path / "witness.json").heads()
    assert reopened[ORIGIN].size == 7
    assert reopened[ORIGIN].root == merkle.root(LEAVES[:7])


def test_the_http_interface_answers_as_the_specification_says(tmp_path: Path) -> None:
    witness_key = Ed25519PrivateKey.generate()
    app = create_witness_app("witness.example/w1", witness_key, [LOG], WitnessState(tmp_path / "state.json"))
    client = TestClient(app)
    cosigner = Cosigner("witness.example/w1", witness_key.public_key())
    accepted = client.post("/add-checkpoint", content=request(0, 7))
    assert accepted.status_code == 200
    assert accepted.text.startswith("\u2014 witness.example/w1 ")
    assert accepted.text.endswith("\n")
    assert valid_cosignatures(with_cosignatures(note(7), [accepted.text]), [cosigner])
    stale = client.post("/add-checkpoint", content=request(0, 9))
    assert (stale.status_code, stale.text, stale.headers["content-type"]) == (409, "7\n", "text/x.tlog.size")
    assert client.post("/add-checkpoint", content=b"old 0\n" + b"A" * 70_000).status_code == 400
    served = client.get(f"/{origin_hash(ORIGIN)}/checkpoint")
    assert served.status_code == 200
    assert valid_cosignatures(served.text, [cosigner])
    assert client.get(f"/{origin_hash('other/log')}/checkpoint").status_code == 404
