"""The log's public proofs over HTTP, checked the way an outsider would: with only the responses.

Signatures are checked here with `cryptography` directly and hashes with `hashlib`, following the
formats the API documents, not with the server's own helpers.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import time
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from application import merkle

from .api import CivicApi, assert_problem, json_of

Json = dict[str, Any]
CHECKPOINT_WAIT = 10.0  # the server signs one every second when the log grew


def checkpoint_covering(api: CivicApi, position: int) -> Json:
    """The latest checkpoint, once it covers `position` (the server signs every second)."""
    deadline = time.monotonic() + CHECKPOINT_WAIT
    while True:
        response = api.client.get("/audit/checkpoints/latest")
        if response.status_code == 200:
            checkpoint: Json = response.json()
            proof = api.client.get(
                "/audit/proofs/inclusion",
                params={"position": position, "tree_size": checkpoint["tree_size"]},
            )
            if proof.status_code == 200:
                return checkpoint
        assert time.monotonic() < deadline, "no checkpoint covered the new events in time"
        time.sleep(0.2)


def leaf_hash_of(leaf: Json) -> bytes:
    """RFC 9162 leaf hash of the stored event, from its documented canonical bytes."""
    topic = leaf["topic"].encode()
    state = base64.b64decode(leaf["state"])
    data = (
        struct.pack(
            ">Q16sQI",
            leaf["position"],
            UUID(leaf["originator_id"]).bytes,
            leaf["originator_version"],
            len(topic),
        )
        + topic
        + struct.pack(">I", len(state))
        + state
    )
    return hashlib.sha256(b"\x00" + data).digest()


def signature_verifies(key: Json, note: str) -> bool:
    """Check a signed note's Ed25519 signature with the published public key."""
    body, _, signatures = note.partition("\n\n")
    name, _, encoded = signatures.strip().removeprefix("\u2014 ").rpartition(" ")
    raw = base64.b64decode(encoded)
    assert name == key["origin"]
    assert raw[:4].hex() == key["key_id"]
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"]))
    try:
        public.verify(raw[4:], (body + "\n").encode())
    except Exception:  # InvalidSignature: the answer is "no"
        return False
    return True


class TestCheckpoints:
    def test_the_key_and_the_latest_checkpoint_are_public_and_verify(self, api: CivicApi) -> None:
        """Without a token: the key, then a checkpoint whose signature and root check out."""
        petition = api.open_petition()
        json_of(api.sign(petition["id"], api.citizen), 201)
        position = api.last_position()
        key = json_of(api.client.get("/audit/key"), 200)
        assert key["algorithm"] == "Ed25519"
        checkpoint = checkpoint_covering(api, position)
        assert checkpoint["tree_size"] >= position
        assert signature_verifies(key, checkpoint["note"])
        lines = checkpoint["note"].split("\n")
        assert lines[1] == str(checkpoint["tree_size"])
        assert lines[2] == checkpoint["root_hash"]

    def test_a_changed_checkpoint_does_not_verify(self, api: CivicApi) -> None:
        """Claiming another tree size breaks the signature."""
        api.open_petition()
        key = json_of(api.client.get("/audit/key"), 200)
        checkpoint = checkpoint_covering(api, api.last_position())
        forged = checkpoint["note"].replace(
            f"\n{checkpoint['tree_size']}\n", f"\n{checkpoint['tree_size'] + 1}\n", 1
        )
        assert not signature_verifies(key, forged)


class TestProofs:
    def test_a_signature_is_proven_to_be_in_the_signed_log(self, api: CivicApi) -> None:
        """The inclusion proof of one's own signature leads to the signed root."""
        petition = api.open_petition()
        json_of(api.sign(petition["id"], api.citizens[1]), 201)
        position = api.last_position()
        checkpoint = checkpoint_covering(api, position)
        proof = json_of(
            api.client.get(
                "/audit/proofs/inclusion",
                params={"position": position, "tree_size": checkpoint["tree_size"]},
            ),
            200,
        )
        leaf = leaf_hash_of(proof["leaf"])
        assert base64.b64encode(leaf).decode() == proof["leaf_hash"]
        assert proof["root_hash"] == checkpoint["root_hash"]
        assert merkle.verify_inclusion(
            leaf,
            proof["leaf_index"],
            proof["tree_size"],
            [base64.b64decode(h) for h in proof["path"]],
            base64.b64decode(checkpoint["root_hash"]),
        )

    def test_an_older_checkpoint_is_a_prefix_of_the_newer_one(self, api: CivicApi) -> None:
        """A consistency proof between two checkpoints verifies: nothing was rewritten."""
        api.open_petition()
        old = checkpoint_covering(api, api.last_position())
        api.open_petition()
        new = checkpoint_covering(api, api.last_position())
        proof = json_of(
            api.client.get(
                "/audit/proofs/consistency",
                params={"old_size": old["tree_size"], "new_size": new["tree_size"]},
            ),
            200,
        )
        assert merkle.verify_consistency(
            old["tree_size"],
            new["tree_size"],
            base64.b64decode(old["root_hash"]),
            base64.b64decode(new["root_hash"]),
            [base64.b64decode(h) for h in proof["path"]],
        )

    def test_bad_proof_requests_are_problems(self, api: CivicApi) -> None:
        """Position 0 is malformed (400), a tree larger than the log invalid (422), a position
        beyond it not found (404); each an RFC 9457 problem."""
        api.open_petition()
        size = checkpoint_covering(api, api.last_position())["tree_size"]
        get = api.client.get
        assert_problem(get("/audit/proofs/inclusion", params={"position": 0}), 400)
        assert_problem(
            get("/audit/proofs/inclusion", params={"position": 1, "tree_size": 10**9}), 422
        )
        assert_problem(
            get("/audit/proofs/inclusion", params={"position": 10**9, "tree_size": size}), 404
        )
        assert_problem(
            get("/audit/proofs/consistency", params={"old_size": size, "new_size": 1}), 422
        )
