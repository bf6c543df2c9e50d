"""Personal data on an immutable log: each value names the person it is about (its subject).

The log stores it sealed with a key of that person's, kept outside the log; destroying the key
erases the value everywhere at once (GDPR art. 17), while the events, their hashes and every
count stay as they were. Here it is a plain value: reading one whose key is gone gives `None`.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

ERASED = "[erased]"  # how an erased value reads where a text must be shown


@dataclass(frozen=True, slots=True)
class Personal:
    """A piece of personal data about `subject` (an account's id); `value` is None once erased."""

    subject: UUID
    value: str | None

    @property
    def erased(self) -> bool:
        """Whether the person's key was destroyed."""
        return self.value is None

    def shown(self) -> str:
        """The value, or `[erased]`."""
        return ERASED if self.value is None else self.value
