"""RFC 6962 / RFC 9162 Merkle tree hashing: leaf and node hashes, roots, inclusion and consistency proofs.

Pure functions over leaf hashes (already `leaf_hash`ed); `Frontier` keeps only the right edge of the tree so a
log can grow and give its root without holding every leaf.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()
HASH_SIZE = hashlib.sha256().digest_size


def _hashes(*values: bytes) -> bool:
    """Every value is a SHA-256 hash (32 bytes): an empty or truncated leaf, node or root proves nothing."""
    return all(len(value) == HASH_SIZE for value in values)


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two smaller than `size` (size > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of RFC 6962 section 2.1."""
    return _subtree_root(leaves, 0, len(leaves)) if leaves else EMPTY_ROOT


def _subtree_root(leaves: Sequence[bytes], start: int, end: int) -> bytes:
    size = end - start
    if size == 1:
        return leaves[start]
    middle = start + _split(size)
    return node_hash(_subtree_root(leaves, start, middle), _subtree_root(leaves, middle, end))


def inclusion_proof(leaves: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """PATH(m, D[n]) of RFC 6962 section 2.1.1, for the tree of the first `size` leaves."""
    if not 0 <= index < size <= len(leaves):
        raise ValueError("need 0 <= index < size <= number of leaves")
    return _path(leaves, index, 0, size)


def _path(leaves: Sequence[bytes], index: int, start: int, end: int) -> list[bytes]:
    size = end - start
    if size == 1:
        return []
    k = _split(size)
    if index < k:
        return [*_path(leaves, index, start, start + k), _subtree_root(leaves, start + k, end)]
    return [*_path(leaves, index - k, start + k, end), _subtree_root(leaves, start, start + k)]


def consistency_proof(leaves: Sequence[bytes], old_size: int, new_size: int) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 6962 section 2.1.2."""
    if not 0 < old_size <= new_size <= len(leaves):
        raise ValueError("need 0 < old_size <= new_size <= number of leaves")
    return _subproof(leaves, old_size, 0, new_size, True)


def _subproof(leaves: Sequence[bytes], m: int, start: int, end: int, complete: bool) -> list[bytes]:
    size = end - start
    if m == size:
        return [] if complete else [_subtree_root(leaves, start, end)]
    k = _split(size)
    if m <= k:
        return [*_subproof(leaves, m, start, start + k, complete), _subtree_root(leaves, start + k, end)]
    return [*_subproof(leaves, m - k, start + k, end, False), _subtree_root(leaves, start, start + k)]


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2; like the Go reference verifier, refuses hashes that are not 32 bytes long."""
    if not 0 <= index < size or not _hashes(leaf, expected_root, *proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 section 2.1.4.2 (proof nodes that are not 32 bytes long are refused)."""
    if not 0 < old_size <= new_size or not _hashes(*proof):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


@dataclass
class Frontier:
    """The roots of the perfect subtrees along the tree's right edge, largest first: enough to append and to root."""

    size: int = 0
    nodes: list[bytes] = field(default_factory=list)

    def append(self, leaf: bytes) -> None:
        node = leaf
        height = 0
        while (self.size >> height) & 1:
            node = node_hash(self.nodes.pop(), node)
            height += 1
        self.nodes.append(node)
        self.size += 1

    def extend(self, leaves: Iterable[bytes]) -> None:
        for leaf in leaves:
            self.append(leaf)

    def root(self) -> bytes:
        if not self.nodes:
            return EMPTY_ROOT
        result = self.nodes[-1]
        for node in reversed(self.nodes[:-1]):
            result = node_hash(node, result)
        return result
