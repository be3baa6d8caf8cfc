"""The tree, its proofs and checkpoints against an independent RFC 9162 implementation written here."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from events.integrity import merkle
from events.integrity.checkpoint import Checkpoint, CheckpointError, Verifier, open_checkpoint, sign_checkpoint
from events.integrity.records import record_bytes


def h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def reference_root(entries: list[bytes]) -> bytes:
    """RFC 9162 section 2.1.1, straight from the definition (entries are the raw leaf inputs)."""
    if not entries:
        return h(b"")
    if len(entries) == 1:
        return h(b"\x00" + entries[0])
    k = 1
    while k * 2 < len(entries):
        k *= 2
    return h(b"\x01" + reference_root(entries[:k]) + reference_root(entries[k:]))


def check_inclusion(leaf_index: int, tree_size: int, leaf: bytes, path: list[bytes], root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2, written out independently of events.integrity."""
    if leaf_index >= tree_size:
        return False
    fn, sn, r = leaf_index, tree_size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = h(b"\x01" + p + r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn // 2, sn // 2
        else:
            r = h(b"\x01" + r + p)
        fn, sn = fn // 2, sn // 2
    return sn == 0 and r == root


def check_consistency(first: int, second: int, first_hash: bytes, second_hash: bytes, path: list[bytes]) -> bool:
    """RFC 9162 section 2.1.4.2, written out independently of events.integrity."""
    if first == second:
        return not path and first_hash == second_hash
    if not path:
        return False
    if first & (first - 1) == 0:
        path = [first_hash, *path]
    fn, sn = first - 1, second - 1
    while fn % 2 == 1:
        fn, sn = fn // 2, sn // 2
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr, sr = h(b"\x01" + c + fr), h(b"\x01" + c + sr)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn // 2, sn // 2
        else:
            sr = h(b"\x01" + sr + c)
        fn, sn = fn // 2, sn // 2
    return sn == 0 and fr == first_hash and sr == second_hash


def entries(n: int) -> list[bytes]:
    return [f"record {i}".encode() for i in range(n)]


def test_known_answers_of_rfc_6962() -> None:
    assert merkle.root([]).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert merkle.leaf_hash(b"").hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"


@settings(max_examples=60, deadline=None)
@given(size=st.integers(min_value=1, max_value=70), data=st.data())
def test_root_and_proofs_agree_with_the_independent_implementation(size: int, data: st.DataObject) -> None:
    raw = entries(size)
    leaves = [merkle.leaf_hash(entry) for entry in raw]
    frontier = merkle.Frontier()
    frontier.extend(leaves)
    assert merkle.root(leaves) == frontier.root() == reference_root(raw)

    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    proof = merkle.inclusion_proof(leaves, index, size)
    root = reference_root(raw)
    assert check_inclusion(index, size, leaves[index], proof, root)
    assert merkle.verify_inclusion(leaves[index], index, size, proof, root)

    old = data.draw(st.integers(min_value=1, max_value=size))
    consistency = merkle.consistency_proof(leaves, old, size)
    old_root = reference_root(raw[:old])
    assert check_consistency(old, size, old_root, root, consistency)
    assert merkle.verify_consistency(old, size, old_root, root, consistency)


def test_inclusion_fails_for_a_wrong_leaf_a_wrong_index_or_a_wrong_tree_size() -> None:
    leaves = [merkle.leaf_hash(entry) for entry in entries(13)]
    root = merkle.root(leaves)
    proof = merkle.inclusion_proof(leaves, 5, 13)
    assert check_inclusion(5, 13, leaves[5], proof, root)
    assert not check_inclusion(5, 13, leaves[6], proof, root)
    assert not check_inclusion(4, 13, leaves[5], proof, root)
    # A size binds the proof through the tree's shape (the signed checkpoint binds the size itself).
    for wrong_size in (6, 8, 17, 32):
        assert not check_inclusion(5, wrong_size, leaves[5], proof, root)
        assert not merkle.verify_inclusion(leaves[5], 5, wrong_size, proof, root)
    assert not merkle.verify_inclusion(leaves[6], 5, 13, proof, root)


def test_consistency_fails_for_a_wrong_tree_size_or_a_rewritten_history() -> None:
    leaves = [merkle.leaf_hash(entry) for entry in entries(21)]
    proof = merkle.consistency_proof(leaves, 7, 21)
    old_root, new_root = merkle.root(leaves[:7]), merkle.root(leaves)
    assert check_consistency(7, 21, old_root, new_root, proof)
    assert not check_consistency(6, 21, old_root, new_root, proof)
    for wrong_size in (16, 33, 40):
        assert not check_consistency(7, wrong_size, old_root, new_root, proof)
        assert not merkle.verify_consistency(7, wrong_size, old_root, new_root, proof)
    rewritten = [*leaves[:3], merkle.leaf_hash(b"forged"), *leaves[4:]]
    assert not check_consistency(7, 21, old_root, merkle.root(rewritten), proof)
    assert not merkle.verify_consistency(7, 21, old_root, merkle.root(rewritten), proof)


def test_record_bytes_are_unambiguous() -> None:
    originator = UUID(int=1)
    assert record_bytes(1, originator, 1, "a", b"bc") != record_bytes(1, originator, 1, "ab", b"c")
    assert record_bytes(1, originator, 2, "a", b"") != record_bytes(2, originator, 1, "a", b"")


def checkpoint() -> Checkpoint:
    return Checkpoint("hub.example/log", 42, merkle.leaf_hash(b"x"), datetime(2026, 11, 3, 9, 30, tzinfo=UTC))


def test_a_signed_checkpoint_opens_with_the_vkey_and_not_with_another_key() -> None:
    key = Ed25519PrivateKey.generate()
    note = sign_checkpoint(checkpoint(), "hub.example/log", key)
    verifier = Verifier.from_vkey(Verifier("hub.example/log", key.public_key()).vkey())
    assert open_checkpoint(note, verifier) == checkpoint()
    assert note.splitlines()[:3] == ["hub.example/log", "42", checkpoint().body().splitlines()[2]]

    other = Verifier("hub.example/log", Ed25519PrivateKey.generate().public_key())
    with pytest.raises(CheckpointError, match="not signed by the expected key"):
        open_checkpoint(note, other)
    with pytest.raises(CheckpointError, match="signature does not verify"):
        open_checkpoint(note.replace("\n42\n", "\n43\n"), verifier)


@pytest.mark.parametrize(
    "vkey",
    ["nonsense", "a+00000000+AAAA", "hub.example/log+deadbeef+" + "A" * 44],
)
def test_bad_verifier_keys_are_refused(vkey: str) -> None:
    with pytest.raises(CheckpointError):
        Verifier.from_vkey(vkey)


REFERENCE_VECTORS = Path(__file__).parent / "data" / "merkle"  # transparency-dev/merkle testdata, Apache-2.0


def _vectors(kind: str) -> list[Path]:
    return sorted((REFERENCE_VECTORS / kind).rglob("*.json"))


def _hash(text: str | None) -> bytes:
    return base64.b64decode(text) if text else b""


@pytest.mark.parametrize("path", _vectors("inclusion"), ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_inclusion_agrees_with_the_go_reference_verifier(path: Path) -> None:
    vector = json.loads(path.read_text())
    proof = [_hash(node) for node in vector["proof"] or []]
    verified = merkle.verify_inclusion(
        _hash(vector["leafHash"]), vector["leafIdx"], vector["treeSize"], proof, _hash(vector["root"])
    )
    assert verified is not vector["wantErr"], vector["desc"]


@pytest.mark.parametrize("path", _vectors("consistency"), ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_consistency_agrees_with_the_go_reference_verifier(path: Path) -> None:
    vector = json.loads(path.read_text())
    proof = [_hash(node) for node in vector["proof"] or []]
    verified = merkle.verify_consistency(
        vector["size1"], vector["size2"], _hash(vector["root1"]), _hash(vector["root2"]), proof
    )
    assert verified is not vector["wantErr"], vector["desc"]


def test_an_empty_leaf_hash_proves_nothing() -> None:
    assert not merkle.verify_inclusion(b"", 0, 1, [], b"")
    leaf = merkle.leaf_hash(b"entry")
    assert merkle.verify_inclusion(leaf, 0, 1, [], leaf)
    assert not merkle.verify_inclusion(leaf[:31], 0, 1, [], leaf[:31])
