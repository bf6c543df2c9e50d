"""Rules for the free text people type: length limits and no invisible control characters."""

from __future__ import annotations

import re

from domain.errors import InvalidCommand

# C0 controls but tab, newline and carriage return, plus DEL: they print as nothing, some
# databases refuse NUL outright, and none belongs in a petition.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_text(
    value: str,
    *,
    what: str,
    max_length: int,
    error: type[InvalidCommand] = InvalidCommand,
) -> None:
    """Raise `error` unless `value` has 1 to `max_length` characters, not all blank, no controls."""
    if not value.strip() or len(value) > max_length:
        raise error(f"{what} must have 1 to {max_length} characters")
    if _CONTROL.search(value):
        raise error(f"{what} must not contain control characters")
