"""What a page says, and answers, when the action asked for is refused: the domain's error tree
mapped to a translatable message and a 4xx status, never a 500."""

from __future__ import annotations

from application.errors import NotFound, Unauthenticated
from domain.errors import (
    AlreadySigned,
    DomainError,
    IllegalTransition,
    InvalidCommand,
    NotEntitled,
    NotOpenForSignatures,
    NotSigned,
)
from interfaces.web.i18n import N_

# The most specific class first.
_MESSAGES: list[tuple[type[Exception], int, str]] = [
    (AlreadySigned, 409, N_("You have already signed this petition.")),
    (NotSigned, 409, N_("Your signature is not on this petition.")),
    (NotOpenForSignatures, 409, N_("This petition is not open for signatures.")),
    (IllegalTransition, 409, N_("This cannot be done at this stage.")),
    (NotEntitled, 403, N_("You may not do this.")),
    (InvalidCommand, 422, N_("This request cannot be accepted.")),
    (NotFound, 404, N_("This page does not exist.")),
    (Unauthenticated, 401, N_("Please sign in again.")),
]
REFUSED = (DomainError, NotFound, Unauthenticated)
WRONG_CREDENTIALS = N_("The e-mail address or the password is wrong.")
CITIZENS_ONLY = N_("Only citizens may sign petitions.")


def refusal(error: Exception) -> tuple[int, str]:
    """The status and the (untranslated) message for a refused action."""
    for kind, status, message in _MESSAGES:
        if isinstance(error, kind):
            return status, message
    return 400, N_("This request cannot be accepted.")
