"""The audit log's Merkle tree: RFC 9162 §2.1 hashes, proofs and their verification.

Known answers come from the Certificate Transparency test vectors; everything else is checked
against a naive recursive reference written straight from the RFC's definitions, over trees
whose every complete aligned subtree is stored, as the caller stores them in SQL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from application.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    Coordinate,
    Frontier,
    consistency_coordinates,
    consistency_proof,
    frontier_coordinates,
    inclusion_coordinates,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_of,
    subtree_coordinates,
    subtree_root,
    verify_consistency,
    verify_inclusion,
)

# ---------------------------------------------------------------------------------------------
# The reference: RFC 9162 §2.1 read literally (MTH over leaf hashes, so MTH({d}) is d's hash).


def ref_node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def ref_split(n: int) -> int:
    """The largest power of two smaller than n."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(leaves: Sequence[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = ref_split(len(leaves))
    return ref_node(ref_mth(leaves[:k]), ref_mth(leaves[k:]))


def ref_path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = ref_split(len(leaves))
    if m < k:
        return [*ref_path(m, leaves[:k]), ref_mth(leaves[k:])]
    return [*ref_path(m - k, leaves[k:]), ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: Sequence[bytes], whole: bool) -> list[bytes]:
    if m == len(leaves):
        return [] if whole else [ref_mth(leaves)]
    k = ref_split(len(leaves))
    if m <= k:
        return [*ref_subproof(m, leaves[:k], whole), ref_mth(leaves[k:])]
    return [*ref_subproof(m - k, leaves[k:], False), ref_mth(leaves[:k])]


def ref_proof(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    return ref_subproof(m, leaves, True)


@dataclass
class Tree:
    """Leaf hashes and every complete aligned subtree over them, keyed (level, index)."""

    leaves: list[bytes]
    nodes: dict[Coordinate, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # MTH of 2**(l+1) aligned leaves splits at 2**l: a node is the hash of its two halves.
        level, row = 0, list(self.leaves)
        while row:
            self.nodes.update(((level, i), h) for i, h in enumerate(row))
            row = [ref_node(row[i], row[i + 1]) for i in range(0, len(row) - 1, 2)]
            level += 1

    def lookup(self, level: int, index: int) -> bytes:
        return self.nodes[level, index]


@dataclass
class RecordingLookup:
    """A lookup into a tree that remembers every coordinate it was asked for."""

    tree: Tree
    asked: list[Coordinate] = field(default_factory=list)

    def __call__(self, level: int, index: int) -> bytes:
        self.asked.append((level, index))
        return self.tree.lookup(level, index)


def tree_of(size: int, salt: bytes = b"") -> Tree:
    return Tree([leaf_hash(salt + i.to_bytes(4, "big")) for i in range(size)])


def flip(h: bytes, bit: int) -> bytes:
    return h[: bit // 8] + bytes([h[bit // 8] ^ (1 << bit % 8)]) + h[bit // 8 + 1 :]


BIG = tree_of(1024)  # its prefixes are the trees of every size up to 1024, nodes included
SIZES = st.integers(min_value=1, max_value=300)
BITS = st.integers(min_value=0, max_value=HASH_SIZE * 8 - 1)
PROPERTY = settings(max_examples=60, deadline=None)


@st.composite
def leaves_in_trees(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(SIZES)
    return draw(st.integers(min_value=0, max_value=size - 1)), size


@st.composite
def growing_trees(draw: st.DrawFn) -> tuple[int, int]:
    new = draw(SIZES)
    return draw(st.integers(min_value=1, max_value=new)), new


@cache
def root(size: int) -> bytes:
    """The reference root of BIG's first `size` leaves."""
    return ref_mth(BIG.leaves[:size])


# ---------------------------------------------------------------------------------------------
# Certificate Transparency's vectors, from transparency-dev/merkle (the RFC 6962 library of
# certificate-transparency-go): proof/verify_test.go at 02194e9afb6c1d95b5381350007963aa70fff472
# (leaves, roots, proofs; its leaf numbers are 1-based, converted to 0-based indexes here) and
# testonly/reference_test.go at 141d627eab770a7e9a2514f46a8b6338e6d90874 (the extra proofs).

CT_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_EMPTY_ROOT = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
CT_ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
CT_INCLUSION = [  # (index, size, proof)
    (0, 1, []),
    (0, 2, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"]),
    (1, 2, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
CT_CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
CT_TREE = Tree([leaf_hash(d) for d in CT_LEAVES])


class TestKnownAnswers:
    """The module reproduces Certificate Transparency's published hashes and proofs."""

    def test_the_empty_tree_hashes_to_sha256_of_nothing(self) -> None:
        """EMPTY_ROOT, root_of([]) and a new Frontier's root are SHA-256 of the empty string."""
        assert EMPTY_ROOT.hex() == CT_EMPTY_ROOT
        assert root_of([]) == EMPTY_ROOT
        assert Frontier().root() == EMPTY_ROOT

    def test_hashes_are_domain_separated(self) -> None:
        """A leaf hash prefixes 0x00 and a node hash 0x01, so one never passes for the other."""
        assert leaf_hash(b"").hex() == CT_ROOTS[1]
        assert node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()
        assert leaf_hash(b"\x01ab") != node_hash(b"a", b"b")

    @pytest.mark.parametrize("size", sorted(CT_ROOTS))
    def test_roots_of_the_first_leaves(self, size: int) -> None:
        """root_of, Frontier and subtree_root all give the published root of 1 to 8 leaves."""
        frontier = Frontier()
        for leaf in CT_TREE.leaves[:size]:
            frontier.append(leaf)
        assert frontier.root().hex() == CT_ROOTS[size]
        assert root_of(CT_TREE.leaves[:size]).hex() == CT_ROOTS[size]
        assert subtree_root(0, size, CT_TREE.lookup).hex() == CT_ROOTS[size]

    @pytest.mark.parametrize(("index", "size", "proof"), CT_INCLUSION)
    def test_inclusion_proofs(self, index: int, size: int, proof: list[str]) -> None:
        """inclusion_proof gives the published audit path, which verifies against the root."""
        got = inclusion_proof(index, size, CT_TREE.lookup)
        assert [h.hex() for h in got] == proof
        root = bytes.fromhex(CT_ROOTS[size])
        assert verify_inclusion(CT_TREE.leaves[index], index, size, got, root)

    @pytest.mark.parametrize(("old", "new", "proof"), CT_CONSISTENCY)
    def test_consistency_proofs(self, old: int, new: int, proof: list[str]) -> None:
        """consistency_proof gives the published proof, which verifies between the two roots."""
        got = consistency_proof(old, new, CT_TREE.lookup)
        assert [h.hex() for h in got] == proof
        old_root, new_root = bytes.fromhex(CT_ROOTS[old]), bytes.fromhex(CT_ROOTS[new])
        assert verify_consistency(old, new, old_root, new_root, got)


class TestRoots:
    """Every way of computing a root agrees with the RFC's recursive MTH."""

    @PROPERTY
    @given(size=st.integers(min_value=0, max_value=300), salt=st.binary(max_size=8))
    def test_frontier_and_root_of_match_the_reference(self, size: int, salt: bytes) -> None:
        """Frontier.root() after appending any leaves, and root_of() of them, equal their MTH."""
        tree = tree_of(size, salt)
        frontier = Frontier()
        for leaf in tree.leaves:
            frontier.append(leaf)
        assert frontier.size == size
        assert frontier.root() == root_of(tree.leaves) == ref_mth(tree.leaves)

    def test_the_frontier_root_is_right_after_every_append(self) -> None:
        """Growing one tree to 300 leaves, the root is the reference MTH at every size."""
        frontier = Frontier()
        for n, leaf in enumerate(BIG.leaves[:300], start=1):
            frontier.append(leaf)
            assert frontier.root() == root(n)

    @PROPERTY
    @given(data=st.data(), size=SIZES)
    def test_subtree_root_of_any_range_the_rfc_asks_for(
        self, data: st.DataObject, size: int
    ) -> None:
        """subtree_root(start, size) is MTH of those leaves, `start` aligned as in the RFC."""
        step = 1 << (size.bit_length() - 1)
        start = step * data.draw(st.integers(min_value=0, max_value=(1024 - size) // step))
        assert subtree_root(start, size, BIG.lookup) == ref_mth(BIG.leaves[start : start + size])

    def test_subtree_root_of_no_leaves_is_the_empty_root(self) -> None:
        """The empty range needs no node and folds to EMPTY_ROOT."""
        assert subtree_coordinates(5, 0) == []
        assert subtree_root(5, 0, BIG.lookup) == EMPTY_ROOT


class TestFrontier:
    """The right edge of the tree grows leaf by leaf and can be restored from stored nodes."""

    def test_append_returns_every_completed_node_leaf_first(self) -> None:
        """Each append returns (0, i, leaf) then its completed ancestors; together, all nodes."""
        frontier = Frontier()
        stored: dict[Coordinate, bytes] = {}
        for index, leaf in enumerate(BIG.leaves[:300]):
            completed = frontier.append(leaf)
            assert completed[0] == (0, index, leaf)
            assert [level for level, _, _ in completed] == list(range(len(completed)))
            for level, i, h in completed:
                assert (i + 1) << level == index + 1  # complete, and ends at the new leaf
                assert (level, i) not in stored
                stored[level, i] = h
        assert stored == {c: h for c, h in BIG.nodes.items() if (c[1] + 1) << c[0] <= 300}

    @PROPERTY
    @given(size=st.integers(min_value=0, max_value=300), more=st.integers(0, 40))
    def test_restored_from_frontier_coordinates_it_grows_as_the_original(
        self, size: int, more: int
    ) -> None:
        """A frontier rebuilt from the stored nodes has the same root and appends the same nodes."""
        original = Frontier()
        for leaf in BIG.leaves[:size]:
            original.append(leaf)
        restored = Frontier(size, [BIG.lookup(*c) for c in frontier_coordinates(size)])
        assert restored.hashes == original.hashes
        assert restored.root() == original.root() == root(size)
        for leaf in BIG.leaves[size : size + more]:
            assert restored.append(leaf) == original.append(leaf)
            assert restored.root() == original.root()

    def test_frontier_coordinates_are_the_complete_subtrees_left_to_right(self) -> None:
        """For 13 = 8 + 4 + 1 leaves: leaves 0-7, 8-11 and 12."""
        assert frontier_coordinates(13) == [(3, 0), (2, 2), (0, 12)]
        assert frontier_coordinates(16) == [(4, 0)]
        assert frontier_coordinates(0) == []

    def test_a_copy_grows_independently(self) -> None:
        """Appending to a copy leaves the original as it was."""
        original = Frontier()
        for leaf in BIG.leaves[:5]:
            original.append(leaf)
        copy = original.copy()
        copy.append(BIG.leaves[5])
        assert (original.size, original.root()) == (5, root(5))
        assert (copy.size, copy.root()) == (6, root(6))

    @pytest.mark.parametrize(
        ("size", "hashes"),
        [(-1, []), (3, [EMPTY_ROOT]), (1, [EMPTY_ROOT, EMPTY_ROOT]), (1, [b"short"])],
    )
    def test_refuses_hashes_that_do_not_make_up_the_size(
        self, size: int, hashes: list[bytes]
    ) -> None:
        """One 32-byte hash per one bit of the size, or ValueError."""
        with pytest.raises(ValueError, match=r"leaves|hashes"):
            Frontier(size, hashes)

    def test_refuses_a_leaf_hash_of_the_wrong_size(self) -> None:
        """A leaf hash is 32 bytes; anything else would corrupt every later root."""
        frontier = Frontier()
        with pytest.raises(ValueError, match="32 bytes"):
            frontier.append(b"data, not its hash")
        assert frontier.size == 0


class TestInclusionProofs:
    """PATH(m, D[n]): built from stored nodes, verified by the RFC's algorithm."""

    @PROPERTY
    @given(leaf_in_tree=leaves_in_trees())
    def test_matches_the_reference_and_verifies(self, leaf_in_tree: tuple[int, int]) -> None:
        """The proof is the reference PATH and verifies against the tree's root."""
        index, size = leaf_in_tree
        proof = inclusion_proof(index, size, BIG.lookup)
        assert proof == ref_path(index, BIG.leaves[:size])
        assert verify_inclusion(BIG.leaves[index], index, size, proof, root(size))

    def test_every_leaf_of_every_small_tree(self) -> None:
        """Exhaustively, up to 40 leaves: the reference PATH, and it verifies."""
        for size in range(1, 41):
            for index in range(size):
                proof = inclusion_proof(index, size, BIG.lookup)
                assert proof == ref_path(index, BIG.leaves[:size])
                assert verify_inclusion(BIG.leaves[index], index, size, proof, root(size))

    @PROPERTY
    @given(leaf_in_tree=leaves_in_trees(), data=st.data())
    def test_a_flipped_bit_anywhere_fails(
        self, leaf_in_tree: tuple[int, int], data: st.DataObject
    ) -> None:
        """One bit changed in the leaf, in any proof element or in the root: refused."""
        index, size = leaf_in_tree
        leaf, tree_root = BIG.leaves[index], root(size)
        proof = inclusion_proof(index, size, BIG.lookup)
        target = data.draw(st.integers(min_value=-2, max_value=len(proof) - 1))
        bit = data.draw(BITS)
        if target == -2:
            leaf = flip(leaf, bit)
        elif target == -1:
            tree_root = flip(tree_root, bit)
        else:
            proof[target] = flip(proof[target], bit)
        assert not verify_inclusion(leaf, index, size, proof, tree_root)

    @PROPERTY
    @given(leaf_in_tree=leaves_in_trees(), data=st.data())
    def test_another_index_or_a_doubled_or_halved_size_fails(
        self, leaf_in_tree: tuple[int, int], data: st.DataObject
    ) -> None:
        """The path's shape pins the index; sizes 2n and n/2 give paths of another length."""
        index, size = leaf_in_tree
        leaf, tree_root = BIG.leaves[index], root(size)
        proof = inclusion_proof(index, size, BIG.lookup)
        other = data.draw(st.integers(min_value=-1, max_value=size).filter(lambda i: i != index))
        assert not verify_inclusion(leaf, other, size, proof, tree_root)
        assert not verify_inclusion(leaf, index, size * 2, proof, tree_root)
        assert not verify_inclusion(leaf, index, size // 2, proof, tree_root)

    def test_a_path_does_not_bind_the_tree_size(self) -> None:
        """As in RFC 9162, leaf 0's path in 3 leaves also verifies as size 4: trust the size."""
        proof = inclusion_proof(0, 3, BIG.lookup)
        assert verify_inclusion(BIG.leaves[0], 0, 4, proof, root(3))

    @pytest.mark.parametrize(
        ("index", "size", "proof_length", "root_size"),
        [(0, 0, 0, 32), (-1, 3, 2, 32), (3, 3, 1, 32), (0, 3, 2, 31), (1, 2, 1, 0)],
    )
    def test_verification_refuses_malformed_input_without_raising(
        self, index: int, size: int, proof_length: int, root_size: int
    ) -> None:
        """Out-of-range index or size, a wrong-sized hash: False, never an exception."""
        proof = [EMPTY_ROOT] * proof_length
        if root_size == 31:
            proof[-1] = proof[-1][:31]
        assert not verify_inclusion(EMPTY_ROOT, index, size, proof, EMPTY_ROOT[:root_size])
        assert not verify_inclusion(b"", 0, 1, [], b"")

    @pytest.mark.parametrize(("index", "size"), [(0, 0), (3, 3), (-1, 3), (5, 2)])
    def test_refuses_a_leaf_outside_the_tree(self, index: int, size: int) -> None:
        """Asking for a leaf the tree does not have is a ValueError naming it."""
        with pytest.raises(ValueError, match=f"leaf {index} is not in a tree of {size} leaves"):
            inclusion_proof(index, size, BIG.lookup)
        with pytest.raises(ValueError, match="not in a tree"):
            inclusion_coordinates(index, size)


class TestConsistencyProofs:
    """PROOF(m, D[n]): built from stored nodes, verified by the RFC's algorithm."""

    @PROPERTY
    @given(sizes=growing_trees())
    def test_matches_the_reference_and_verifies(self, sizes: tuple[int, int]) -> None:
        """The proof is the reference PROOF and verifies between the two roots."""
        old, new = sizes
        proof = consistency_proof(old, new, BIG.lookup)
        assert proof == ref_proof(old, BIG.leaves[:new])
        assert verify_consistency(old, new, root(old), root(new), proof)

    def test_every_pair_of_small_trees(self) -> None:
        """Exhaustively, up to 40 leaves: the reference PROOF, and it verifies."""
        for new in range(1, 41):
            for old in range(1, new + 1):
                proof = consistency_proof(old, new, BIG.lookup)
                assert proof == ref_proof(old, BIG.leaves[:new])
                assert verify_consistency(old, new, root(old), root(new), proof)

    @PROPERTY
    @given(sizes=growing_trees(), data=st.data())
    def test_a_flipped_bit_anywhere_fails(
        self, sizes: tuple[int, int], data: st.DataObject
    ) -> None:
        """One bit changed in either root or in any proof element: refused."""
        old, new = sizes
        old_root, new_root = root(old), root(new)
        proof = consistency_proof(old, new, BIG.lookup)
        target = data.draw(st.integers(min_value=-2, max_value=len(proof) - 1))
        bit = data.draw(BITS)
        if target == -2:
            old_root = flip(old_root, bit)
        elif target == -1:
            new_root = flip(new_root, bit)
        else:
            proof[target] = flip(proof[target], bit)
        assert not verify_consistency(old, new, old_root, new_root, proof)

    @PROPERTY
    @given(sizes=growing_trees(), data=st.data())
    def test_another_old_size_or_a_doubled_or_halved_new_size_fails(
        self, sizes: tuple[int, int], data: st.DataObject
    ) -> None:
        """The proof pins the old size; new sizes 2n and n/2 give proofs of another shape."""
        old, new = sizes
        old_root, new_root = root(old), root(new)
        proof = consistency_proof(old, new, BIG.lookup)
        other = data.draw(st.integers(min_value=-1, max_value=new + 1).filter(lambda m: m != old))
        assert not verify_consistency(other, new, old_root, new_root, proof)
        assert not verify_consistency(old, new * 2, old_root, new_root, proof)
        assert not verify_consistency(old, new // 2, old_root, new_root, proof)

    def test_an_unchanged_or_empty_old_tree_needs_an_empty_proof(self) -> None:
        """Equal sizes: equal roots and no proof; from 0 leaves: EMPTY_ROOT and no proof."""
        assert consistency_proof(5, 5, BIG.lookup) == []
        assert consistency_proof(0, 5, BIG.lookup) == []
        assert verify_consistency(5, 5, root(5), root(5), [])
        assert not verify_consistency(5, 5, root(5), root(6), [])
        assert not verify_consistency(5, 5, root(5), root(5), [root(5)])
        assert verify_consistency(0, 5, EMPTY_ROOT, root(5), [])
        assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
        assert not verify_consistency(0, 5, root(1), root(5), [])
        assert not verify_consistency(0, 0, EMPTY_ROOT, root(1), [])
        assert not verify_consistency(0, 5, EMPTY_ROOT, root(5), [EMPTY_ROOT])

    @pytest.mark.parametrize(
        ("old", "new", "proof"),
        [
            (2, 1, []),
            (-1, 3, []),
            (1, 2, []),
            (3, 5, []),
            (1, 2, [EMPTY_ROOT[:31]]),
            (1, 2, [b""]),
            (3, 5, [EMPTY_ROOT] * 12),
        ],
    )
    def test_verification_refuses_malformed_input_without_raising(
        self, old: int, new: int, proof: list[bytes]
    ) -> None:
        """Shrinking or negative sizes, a missing, short or overlong proof: False."""
        assert not verify_consistency(old, new, root(max(old, 0)), root(max(new, 0)), proof)
        assert not verify_consistency(1, 2, b"", root(2), consistency_proof(1, 2, BIG.lookup))

    @pytest.mark.parametrize(("old", "new"), [(4, 3), (-1, 3), (-2, -1)])
    def test_refuses_a_tree_that_shrank(self, old: int, new: int) -> None:
        """A new size below the old one, or a negative size, is a ValueError naming both."""
        with pytest.raises(ValueError, match=f"{old} leaves cannot grow into one of {new}"):
            consistency_proof(old, new, BIG.lookup)
        with pytest.raises(ValueError, match="cannot grow"):
            consistency_coordinates(old, new)


class TestPrefetch:
    """The *_coordinates functions name exactly the nodes a proof will look up."""

    @PROPERTY
    @given(leaf_in_tree=leaves_in_trees())
    def test_inclusion_coordinates_are_the_lookups(self, leaf_in_tree: tuple[int, int]) -> None:
        """Each node inclusion_proof looks up is named once, and no other, all inside the tree."""
        index, size = leaf_in_tree
        lookup = RecordingLookup(BIG)
        inclusion_proof(index, size, lookup)
        coordinates = inclusion_coordinates(index, size)
        assert sorted(lookup.asked) == sorted(coordinates)
        assert all((i + 1) << level <= size for level, i in coordinates)

    @PROPERTY
    @given(sizes=growing_trees())
    def test_consistency_coordinates_are_the_lookups(self, sizes: tuple[int, int]) -> None:
        """Each node consistency_proof looks up is named once, and no other, all inside the tree."""
        old, new = sizes
        lookup = RecordingLookup(BIG)
        consistency_proof(old, new, lookup)
        coordinates = consistency_coordinates(old, new)
        assert sorted(lookup.asked) == sorted(coordinates)
        assert all((i + 1) << level <= new for level, i in coordinates)

    def test_subtree_coordinates_cover_the_range_largest_first(self) -> None:
        """Leaves 16-28 (13 of them) are the nodes over 16-23, 24-27 and 28."""
        assert subtree_coordinates(16, 13) == [(3, 2), (2, 6), (0, 28)]

    @pytest.mark.parametrize(("start", "size"), [(1, 2), (1, 3), (4, 8), (-8, 8), (0, -1)])
    def test_subtree_coordinates_refuse_a_range_the_rfc_never_asks_for(
        self, start: int, size: int
    ) -> None:
        """A range not aligned on its largest power of two, or negative, is a ValueError."""
        with pytest.raises(ValueError, match=f"{size} leaves"):
            subtree_coordinates(start, size)


class TestExtend:
    @given(st.integers(min_value=0, max_value=70), st.integers(min_value=0, max_value=70))
    def test_extending_equals_appending_one_by_one(self, before: int, added: int) -> None:
        """`extend` with concatenated hashes grows the same tree as `append`."""
        leaves = [leaf_hash(n.to_bytes(4, "big")) for n in range(before + added)]
        one_by_one, at_once = Frontier(), Frontier()
        for leaf in leaves:
            one_by_one.append(leaf)
        for leaf in leaves[:before]:
            at_once.append(leaf)
        at_once.extend(b"".join(leaves[before:]))
        assert (at_once.size, at_once.hashes) == (one_by_one.size, one_by_one.hashes)
        assert at_once.root() == root_of(leaves)

    def test_a_ragged_byte_string_is_refused(self) -> None:
        """Hashes come in whole 32-byte pieces."""
        with pytest.raises(ValueError, match="32-byte"):
            Frontier().extend(b"\x00" * 33)
