"""The server's trees against the verifier's independent implementation and RFC 6962."""

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chorus.signatures.transparency import merkle, receipts


def leaves(n):
    return sorted(hashlib.sha256(b"\x00" + i.to_bytes(4, "big")).digest() for i in range(n))


def test_the_empty_tree_has_the_hash_of_nothing():
    assert merkle.root_of([]).hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")


def test_a_known_tree_of_three():
    a, b, c = leaves(3)
    node = hashlib.sha256(b"\x01" + a + b).digest()
    assert merkle.root_of([a, b, c]) == hashlib.sha256(b"\x01" + node + c).digest()


@pytest.mark.parametrize("n", [*range(1, 34), 100, 127, 128, 129, 1000])
def test_roots_and_every_proof_agree_with_the_verifier(verifier, n):
    data = leaves(n)
    tree = merkle.MerkleTree(data)
    assert tree.root == merkle.root_of(data) == verifier.merkle_root(data)
    for index in range(n) if n <= 129 else range(0, n, 37):
        path = tree.inclusion_proof(index)
        assert verifier.root_from_path(data[index], index, n, path) == tree.root


@given(st.integers(min_value=1, max_value=300), st.data())
def test_a_proof_fails_for_another_leaf_or_position(verifier, n, data):
    leaf_list = leaves(n)
    tree = merkle.MerkleTree(leaf_list)
    index = data.draw(st.integers(min_value=0, max_value=n - 1))
    path = tree.inclusion_proof(index)
    stranger = hashlib.sha256(b"never issued").digest()
    assert verifier.root_from_path(stranger, index, n, path) != tree.root
    if n > 1:
        other = (index + 1) % n
        assert verifier.root_from_path(leaf_list[index], other, n, path) != tree.root


def test_receipts_are_160_bits_and_read_back_however_they_are_typed():
    receipt = bytes(range(20))
    text = receipts.formatted(receipt)
    assert len(text.replace("-", "")) == 32 and text.count("-") == 7
    assert receipts.parsed(text) == receipt
    assert receipts.parsed(text.lower().replace("-", " ")) == receipt
    assert receipts.parsed("ABCD") is None
    assert receipts.parsed("\x00" * 10_000) is None


def test_a_leaf_is_the_rfc_leaf_hash_of_petition_and_receipt():
    receipt = bytes(20)
    assert receipts.leaf_for(7, receipt) == hashlib.sha256(
        b"\x00" + (7).to_bytes(8, "big") + receipt).digest()
