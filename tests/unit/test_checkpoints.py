"""Signed checkpoints: the C2SP checkpoint body in a signed note, Ed25519, and the verifier key."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from application.checkpoints import (
    Checkpoint,
    CheckpointError,
    Signer,
    Verifier,
    open_note,
)

ROOT = bytes(range(32))
WHEN = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def signer(tmp_path: Path) -> Signer:
    """A fresh key under the origin `civic.example/log`."""
    return Signer.from_file("civic.example/log", tmp_path / "key.pem")


def a_checkpoint(size: int = 42) -> Checkpoint:
    """A checkpoint of `size` leaves."""
    return Checkpoint("civic.example/log", size, ROOT, WHEN)


class TestSignedNotes:
    def test_a_signed_checkpoint_opens_with_the_logs_key(self, signer: Signer) -> None:
        """What was signed is what the note gives back."""
        assert open_note(signer.sign(a_checkpoint()), signer.verifier) == a_checkpoint()

    def test_the_body_is_a_tlog_checkpoint_with_the_time_as_extension(self, signer: Signer) -> None:
        """Origin, size, base64 root, then the time, then a blank line and the signature."""
        lines = signer.sign(a_checkpoint()).split("\n")
        assert lines[:4] == [
            "civic.example/log",
            "42",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            "time 2030-01-01T09:00:00Z",
        ]
        assert lines[4] == ""
        assert lines[5].startswith("\u2014 civic.example/log ")

    @pytest.mark.parametrize("line", [0, 1, 2, 3])
    def test_any_changed_line_of_the_body_is_refused(self, signer: Signer, line: int) -> None:
        """Changing the origin, size, root or time breaks the signature."""
        lines = signer.sign(a_checkpoint()).split("\n")
        lines[line] = lines[line][:-1] + ("X" if lines[line][-1] != "X" else "Y")
        with pytest.raises(CheckpointError):
            open_note("\n".join(lines), signer.verifier)

    def test_another_key_is_refused(self, signer: Signer, tmp_path: Path) -> None:
        """A checkpoint signed by someone else's key does not open."""
        other = Signer.from_file("civic.example/log", tmp_path / "other.pem")
        with pytest.raises(CheckpointError, match="not signed by"):
            open_note(other.sign(a_checkpoint()), signer.verifier)

    def test_a_note_without_signature_is_refused(self, signer: Signer) -> None:
        """The body alone proves nothing."""
        with pytest.raises(CheckpointError):
            open_note(a_checkpoint().body(), signer.verifier)


class TestKeys:
    def test_the_key_is_generated_once_and_kept(self, tmp_path: Path) -> None:
        """A second start reads the key the first one generated, readable by its owner only."""
        path = tmp_path / "sub" / "key.pem"
        first = Signer.from_file("log", path)
        second = Signer.from_file("log", path)
        assert first.verifier == second.verifier
        assert path.stat().st_mode & 0o777 == 0o600

    def test_the_verifier_key_string_round_trips(self, signer: Signer) -> None:
        """`name+keyid+base64(0x01 || key)` reads back as the same key."""
        text = signer.verifier.text
        assert text.startswith("civic.example/log+")
        assert Verifier.parse(text) == signer.verifier

    @pytest.mark.parametrize(
        "text", ["", "log", "log+00000000+AAAA", "log+deadbeef+" + "A" * 44, "log+zz+!!"]
    )
    def test_a_malformed_verifier_key_is_refused(self, text: str) -> None:
        """Garbage, a short key, or a key id that does not match is an error."""
        with pytest.raises(CheckpointError):
            Verifier.parse(text)

    def test_a_file_that_is_not_an_ed25519_key_is_refused(self, tmp_path: Path) -> None:
        """A clear error rather than a traceback deep in the crypto library."""
        path = tmp_path / "key.pem"
        path.write_text("not a key\n")
        with pytest.raises(CheckpointError, match="not an unencrypted PEM private key"):
            Signer.from_file("log", path)
