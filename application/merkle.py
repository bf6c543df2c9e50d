"""The Merkle Tree Hash of RFC 9162 §2.1 (as RFC 6962 §2.1) over the audit log, and its proofs.

Nodes are addressed as complete, aligned subtrees: ``(level, index)`` is the hash of the
``2**level`` leaves starting at leaf ``index * 2**level``. Each proof is split into "which
coordinates" and "assemble from a lookup", so a caller holding the nodes in SQL fetches all of a
proof's nodes in one query, then builds the proof from what it fetched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

HASH_SIZE = 32
EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()

Coordinate = tuple[int, int]
Lookup = Callable[[int, int], bytes]

_sha256 = hashlib.sha256
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """The hash of a leaf: SHA-256(0x00 || data)."""
    return _sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: SHA-256(0x01 || left || right)."""
    return _sha256(_NODE_PREFIX + left + right).digest()


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash of the leaves whose hashes are given; EMPTY_ROOT for none."""
    frontier = Frontier()
    for leaf in leaf_hashes:
        frontier.append(leaf)
    return frontier.root()


class Frontier:
    """The right edge of a growing tree.

    `hashes` are the complete subtrees that make up `size` leaves, largest first: enough to
    append the next leaf and to compute the root without the rest of the tree.
    """

    __slots__ = ("hashes", "size")

    size: int
    hashes: list[bytes]

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        """Restore the frontier of a tree of `size` leaves from `frontier_coordinates(size)`."""
        if size < 0:
            raise ValueError(f"a tree cannot have {size} leaves")
        if len(hashes) != size.bit_count():
            raise ValueError(
                f"a tree of {size} leaves has {size.bit_count()} frontier hashes, not {len(hashes)}"
            )
        if any(len(h) != HASH_SIZE for h in hashes):
            raise ValueError(f"frontier hashes are {HASH_SIZE} bytes long")
        self.size = size
        self.hashes = list(hashes)

    def append(self, leaf_hash: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf; return every node it completes as (level, index, hash), the leaf first."""
        if len(leaf_hash) != HASH_SIZE:
            raise ValueError(f"a leaf hash is {HASH_SIZE} bytes long, not {len(leaf_hash)}")
        # The trailing one bits of the old size are the complete subtrees the new leaf closes,
        # smallest (last in `hashes`) first; node_hash is inlined because this runs per event.
        index = self.size
        hashes = self.hashes
        completed = [(0, index, leaf_hash)]
        node = leaf_hash
        level = 0
        while index & 1:
            node = _sha256(_NODE_PREFIX + hashes.pop() + node).digest()
            index >>= 1
            level += 1
            completed.append((level, index, node))
        hashes.append(node)
        self.size += 1
        return completed

    def extend(self, leaf_hashes: bytes) -> None:
        """Add leaves given as concatenated 32-byte hashes, without reporting the nodes."""
        if len(leaf_hashes) % HASH_SIZE:
            raise ValueError(f"leaf hashes come in {HASH_SIZE}-byte pieces")
        hashes = self.hashes
        pop, push = hashes.pop, hashes.append
        index = self.size
        for start in range(0, len(leaf_hashes), HASH_SIZE):
            node = leaf_hashes[start : start + HASH_SIZE]
            bits = index
            while bits & 1:
                node = _sha256(_NODE_PREFIX + pop() + node).digest()
                bits >>= 1
            push(node)
            index += 1
        self.size = index

    def extend_by_subtrees(self, leaf_hashes: bytes) -> None:
        """As `extend`, but hashing the leaves a whole aligned subtree at a time, level by level.

        Each step takes the largest complete subtree that starts at the current size (aligned)
        and fits in what is left, hashes it with `subtree_hash` and adds it as one node: for
        many leaves at once, the loop runs per level, not per leaf.
        """
        if len(leaf_hashes) % HASH_SIZE:
            raise ValueError(f"leaf hashes come in {HASH_SIZE}-byte pieces")
        count = len(leaf_hashes) // HASH_SIZE
        done = 0
        while done < count:
            level = (count - done).bit_length() - 1
            if self.size:  # aligned: no larger than the lowest one bit of the size
                level = min(level, (self.size & -self.size).bit_length() - 1)
            end = done + (1 << level)
            self._push(level, subtree_hash(leaf_hashes[done * HASH_SIZE : end * HASH_SIZE]))
            done = end

    def _push(self, level: int, node: bytes) -> None:
        """Add the root of a complete subtree of 2**level leaves that starts at `size`."""
        hashes = self.hashes
        index = self.size >> level
        while index & 1:
            node = _sha256(_NODE_PREFIX + hashes.pop() + node).digest()
            index >>= 1
        hashes.append(node)
        self.size += 1 << level

    def root(self) -> bytes:
        """The Merkle Tree Hash of the current `size` leaves; EMPTY_ROOT at 0."""
        return _fold(self.hashes)

    def copy(self) -> Frontier:
        """An independent frontier at the same size."""
        return Frontier(self.size, self.hashes)

    def __repr__(self) -> str:
        return f"Frontier(size={self.size}, root={self.root().hex()})"


def parent_level(hashes: bytes) -> bytes:
    """The level above concatenated node hashes: SHA-256(0x01 || left || right) of each pair,
    left to right; an unpaired last hash has no complete parent and is left out."""
    pair = 2 * HASH_SIZE
    end = len(hashes) - len(hashes) % pair
    sha256, prefix = _sha256, _NODE_PREFIX
    return b"".join([sha256(prefix + hashes[i : i + pair]).digest() for i in range(0, end, pair)])


def subtree_hash(leaf_hashes: bytes) -> bytes:
    """MTH of a complete subtree: its 2**k leaf hashes concatenated, hashed level by level."""
    count = len(leaf_hashes) // HASH_SIZE
    if count == 0 or count & (count - 1) or len(leaf_hashes) % HASH_SIZE:
        raise ValueError("a complete subtree has a power of two of 32-byte leaf hashes")
    while len(leaf_hashes) > HASH_SIZE:
        leaf_hashes = parent_level(leaf_hashes)
    return leaf_hashes


def complete_levels(leaf_hashes: bytes) -> list[bytes]:
    """Every complete node over the leaves, level by level: item k holds, concatenated, the
    hashes of nodes (k, 0), (k, 1)... (the first 2**k leaves, the next...), item 0 the leaves.

    These are the nodes `Frontier.append` reports, computed in bulk for a whole tree.
    """
    if len(leaf_hashes) % HASH_SIZE:
        raise ValueError(f"leaf hashes come in {HASH_SIZE}-byte pieces")
    levels = [bytes(leaf_hashes)]
    while len(levels[-1]) >= 2 * HASH_SIZE:
        levels.append(parent_level(levels[-1]))
    return levels


def root_of_levels(levels: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash of the whole tree whose `complete_levels` are given."""
    size = len(levels[0]) // HASH_SIZE if levels else 0
    return _fold(
        [
            levels[level][index * HASH_SIZE : (index + 1) * HASH_SIZE]
            for level, index in frontier_coordinates(size)
        ]
    )


def frontier_coordinates(size: int) -> list[Coordinate]:
    """The complete aligned subtrees forming a tree of `size` leaves, left to right."""
    return subtree_coordinates(0, size)


def subtree_coordinates(start: int, size: int) -> list[Coordinate]:
    """The complete aligned nodes whose right fold is MTH(leaves[start:start + size]).

    `start` must be a multiple of the largest power of two <= `size`, as every range that
    RFC 9162's algorithms ask for is; the empty range (size 0) needs no node.
    """
    if start < 0 or size < 0:
        raise ValueError(f"no leaf range starts at {start} with {size} leaves")
    if size and start % (1 << (size.bit_length() - 1)):
        raise ValueError(f"{size} leaves from {start} are not a range of RFC 9162's tree")
    # MTH splits at the largest power of two below the size, so the range is the complete
    # subtrees of its size's one bits, largest first.
    coordinates = []
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            coordinates.append((level, start >> level))
            start += 1 << level
    return coordinates


def subtree_root(start: int, size: int, lookup: Lookup) -> bytes:
    """MTH(leaves[start:start + size]) from the stored nodes; EMPTY_ROOT for no leaves."""
    return _fold([lookup(level, index) for level, index in subtree_coordinates(start, size)])


def inclusion_coordinates(index: int, size: int) -> set[Coordinate]:
    """The nodes `inclusion_proof(index, size, ...)` looks up."""
    return {c for start, n in _inclusion_ranges(index, size) for c in subtree_coordinates(start, n)}


def inclusion_proof(index: int, size: int, lookup: Lookup) -> list[bytes]:
    """PATH(index, D[size]) of RFC 9162 §2.1.3.1: the audit path of one leaf, deepest first."""
    return [subtree_root(start, n, lookup) for start, n in _inclusion_ranges(index, size)]


def consistency_coordinates(old_size: int, new_size: int) -> set[Coordinate]:
    """The nodes `consistency_proof(old_size, new_size, ...)` looks up."""
    ranges = _consistency_ranges(old_size, new_size)
    return {c for start, n in ranges for c in subtree_coordinates(start, n)}


def consistency_proof(old_size: int, new_size: int, lookup: Lookup) -> list[bytes]:
    """PROOF(old_size, D[new_size]) of RFC 9162 §2.1.4.1; [] if the sizes are equal or 0."""
    return [subtree_root(start, n, lookup) for start, n in _consistency_ranges(old_size, new_size)]


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether `proof` shows leaf hash `leaf` at `index` in a tree of `size` leaves and `root`.

    RFC 9162 §2.1.3.2. Like the RFC's proofs, it does not bind `size`: take it from a trusted
    (signed) tree head.
    """
    if not 0 <= index < size or not _well_formed(leaf, root, *proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether `proof` shows the tree of `new_size` leaves extends that of `old_size` (§2.1.4.2).

    The RFC leaves the trivial cases to the caller: here an empty old tree must have EMPTY_ROOT
    and equal sizes must have equal roots, both with an empty proof.
    """
    if not 0 <= old_size <= new_size or not _well_formed(old_root, new_root, *proof):
        return False
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT and (new_size > 0 or new_root == EMPTY_ROOT)
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
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
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


def _fold(hashes: Sequence[bytes]) -> bytes:
    """The right fold of complete subtrees, largest first: MTH of the leaves they cover."""
    if not hashes:
        return EMPTY_ROOT
    r = hashes[-1]
    for h in reversed(hashes[:-1]):
        r = node_hash(h, r)
    return r


def _well_formed(*hashes: bytes) -> bool:
    return all(len(h) == HASH_SIZE for h in hashes)


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges (start, size) whose MTHs make up PATH(index, D[size]), in proof order."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    # PATH recurses into the half holding the leaf and appends the other half's MTH on return,
    # so walking down from the root collects the siblings last-first.
    siblings = []
    start = 0
    while size > 1:
        k = _split(size)
        if index < k:
            siblings.append((start + k, size - k))
            size = k
        else:
            siblings.append((start, k))
            start, index, size = start + k, index - k, size - k
    siblings.reverse()
    return siblings


def _consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The leaf ranges (start, size) whose MTHs make up PROOF(old_size, D[new_size])."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"a tree of {old_size} leaves cannot grow into one of {new_size}")
    if old_size in (0, new_size):
        return []
    # SUBPROOF(m, D[n], b) walked down from the root, as in _inclusion_ranges.
    m, n = old_size, new_size
    ranges = []
    start = 0
    whole = True  # the RFC's b: D[m] is still the old tree itself, whose root the client has
    while m != n:
        k = _split(n)
        if m <= k:
            ranges.append((start + k, n - k))
            n = k
        else:
            ranges.append((start, k))
            start, m, n, whole = start + k, m - k, n - k, False
    if not whole:
        ranges.append((start, m))
    ranges.reverse()
    return ranges
