"""Signed checkpoints of the log: tree size, root hash and time, signed with the log's Ed25519 key.

The format is the transparency community's, so existing tools can read it: a checkpoint body as in
C2SP tlog-checkpoint (origin, tree size, base64 root hash, then one extension line with the time)
wrapped in a C2SP signed note (a blank line, then `— <name> <base64(key id || signature)>`). The
key id is the first four bytes of SHA-256(name || "\\n" || 0x01 || public key); the verifier key
string is `<name>+<key id hex>+<base64(0x01 || public key)>`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = b"\x01"  # the signed-note signature type of Ed25519
SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space start every signature line
TIME_PREFIX = "time "


class CheckpointError(ValueError):
    """A checkpoint or a key that cannot be read, or whose signature does not verify."""


def key_id(name: str, public_key: bytes) -> bytes:
    """The four bytes that name a key in a signed note."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public_key).digest()[:4]


@dataclass(frozen=True, slots=True)
class Verifier:
    """A public key and the name it signs under."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        """The key's four-byte id."""
        return key_id(self.name, self.public_key)

    @property
    def text(self) -> str:
        """The verifier key as one string: `name+keyid+base64(type || key)`."""
        encoded = base64.b64encode(ED25519 + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    @classmethod
    def parse(cls, text: str) -> Verifier:
        """Read a verifier key string (as given by `GET /audit/key`)."""
        name, _, rest = text.strip().partition("+")
        hex_id, _, encoded = rest.partition("+")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise CheckpointError(f"not a verifier key: {text!r}") from None
        if not name or len(raw) != 33 or raw[:1] != ED25519:  # noqa: PLR2004  # type + 32 bytes
            raise CheckpointError(f"not an Ed25519 verifier key: {text!r}")
        verifier = cls(name, raw[1:])
        if verifier.key_id.hex() != hex_id:
            raise CheckpointError(f"the key id in {text!r} does not match its key")
        return verifier

    def verify(self, body: bytes, signature: bytes) -> bool:
        """Whether `signature` is this key's signature of `body`."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, body)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The state of the log at a tree size: what a signature commits to."""

    origin: str
    tree_size: int
    root_hash: bytes
    issued_at: datetime

    def body(self) -> str:
        """The checkpoint text that is signed."""
        root = base64.b64encode(self.root_hash).decode()
        stamp = self.issued_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return f"{self.origin}\n{self.tree_size}\n{root}\n{TIME_PREFIX}{stamp}\n"

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        """Read a checkpoint body."""
        lines = body.split("\n")
        if len(lines) != 5 or lines[-1] != "" or not lines[3].startswith(TIME_PREFIX):  # noqa: PLR2004
            raise CheckpointError("not a civic-ledger checkpoint body")
        origin, size, root, stamp = lines[0], lines[1], lines[2], lines[3][len(TIME_PREFIX) :]
        try:
            tree_size = int(size)
            root_hash = base64.b64decode(root, validate=True)
            issued_at = datetime.fromisoformat(stamp)
        except (ValueError, binascii.Error):
            raise CheckpointError("a checkpoint's size, root or time is malformed") from None
        if tree_size < 0 or len(root_hash) != 32 or issued_at.tzinfo is None:  # noqa: PLR2004
            raise CheckpointError("a checkpoint's size, root or time is out of range")
        return cls(origin, tree_size, root_hash, issued_at)


def open_note(note: str, verifier: Verifier) -> Checkpoint:
    """The checkpoint in a signed note, if `verifier` signed it; else `CheckpointError`."""
    body, separator, signatures = note.partition("\n\n")
    if not separator:
        raise CheckpointError("a signed note has a blank line before its signatures")
    body += "\n"
    for line in signatures.splitlines():
        if not line.startswith(SIGNATURE_PREFIX):
            raise CheckpointError("a signature line starts with an em dash")
        name, _, encoded = line[len(SIGNATURE_PREFIX) :].rpartition(" ")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise CheckpointError("a signature is not base64") from None
        if name == verifier.name and raw[:4] == verifier.key_id:
            if not verifier.verify(body.encode(), raw[4:]):
                raise CheckpointError("the checkpoint's signature does not verify")
            checkpoint = Checkpoint.parse(body)
            if checkpoint.origin != verifier.name:
                raise CheckpointError("the checkpoint names another log")
            return checkpoint
    raise CheckpointError(f"the checkpoint is not signed by {verifier.text}")


class Signer:
    """The log's private key; it signs checkpoints under the log's origin."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        public = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.verifier = Verifier(name, public)

    @classmethod
    def from_file(cls, name: str, path: Path) -> Signer:
        """Load the key at `path`, generating it (readable by its owner only) if absent."""
        if not path.exists():
            _generate(path)
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError) as exc:
            raise CheckpointError(f"{path} is not an unencrypted PEM private key: {exc}") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise CheckpointError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
        return cls(name, key)

    def derived_secret(self, purpose: str) -> str:
        """A secret for another use (e.g. CSRF tokens), derived from the key: every process of
        the deployment shares it with the key file, and no signature can be made from it."""
        raw = self._key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return hmac.new(raw, f"civic-ledger:{purpose}".encode(), hashlib.sha256).hexdigest()

    def sign(self, checkpoint: Checkpoint) -> str:
        """The checkpoint as a signed note."""
        body = checkpoint.body()
        signature = self._key.sign(body.encode())
        encoded = base64.b64encode(self.verifier.key_id + signature).decode()
        return f"{body}\n{SIGNATURE_PREFIX}{self.verifier.name} {encoded}\n"


def _generate(path: Path) -> None:
    """Write a new key, atomically; if another process wrote one first, keep theirs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    draft = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    try:
        os.link(draft, path)  # never replaces a key another process has just written
    except FileExistsError:
        pass
    finally:
        draft.unlink()
