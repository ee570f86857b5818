"""Merkle trees over a petition's leaves, hashed as RFC 6962/9162 say.

A leaf's hash is SHA-256(0x00 ‖ data); an inner node's SHA-256(0x01 ‖ left ‖ right);
the tree over n leaves splits at the largest power of two below n, which is
what pairing each level from the left and carrying an odd last node up
unchanged computes. The leaves given here are already leaf hashes (see
receipts.leaf_for): the tree never sees a receipt.
"""

import hashlib

from django.utils.functional import cached_property

EMPTY_ROOT = hashlib.sha256(b"").digest()
_NODE = b"\x01"


def _parent(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(_NODE + left + right).digest()


def _next_level(level: list[bytes]) -> list[bytes]:
    sha256 = hashlib.sha256
    paired = [sha256(_NODE + level[i] + level[i + 1]).digest()
              for i in range(0, len(level) - 1, 2)]
    if len(level) % 2:
        paired.append(level[-1])
    return paired


class MerkleTree:
    """The tree over sorted leaf hashes, every level kept so proofs are cheap."""

    def __init__(self, leaves: list[bytes]):
        self.levels = [leaves]
        while len(self.levels[-1]) > 1:
            self.levels.append(_next_level(self.levels[-1]))

    @property
    def size(self) -> int:
        return len(self.levels[0])

    @cached_property
    def root(self) -> bytes:
        return self.levels[-1][0] if self.size else EMPTY_ROOT

    def inclusion_proof(self, index: int) -> list[bytes]:
        """The audit path of leaf `index`, from the leaf's sibling up (RFC 9162, 2.1.3).

        A node carried up without a sibling adds nothing to the path.
        """
        path = []
        for level in self.levels[:-1]:
            sibling = index ^ 1
            if sibling < len(level):
                path.append(level[sibling])
            index //= 2
        return path


def root_of(leaves: list[bytes]) -> bytes:
    """The root alone, keeping one level at a time in memory."""
    if not leaves:
        return EMPTY_ROOT
    level = leaves
    while len(level) > 1:
        level = _next_level(level)
    return level[0]
