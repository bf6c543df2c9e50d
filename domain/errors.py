"""The domain's exception tree: every refused command raises one of these, and nothing is recorded.

DomainError
├── InvalidCommand             the command itself is malformed for the domain (HTTP 422)
│   ├── InvalidPetition        title, text, deadline or thresholds do not make a petition
│   ├── InvalidBallot          a ballot the vote's method cannot count (names the problem)
│   ├── InvalidVoteRules       options, method, electorate or dates do not make a vote
│   └── ReasonRequired         a human must say why (rejection, closure)
├── NotEntitled                this person may not do this here, e.g. vote off the roll (HTTP 403)
└── IllegalTransition          well formed, but not allowed in the current state (HTTP 409)
    ├── NotAwaitingAdmissibility
    ├── NotOpenForSignatures
    ├── AlreadySigned
    ├── NotSigned
    ├── NotOpen
    └── AlreadyAnswered
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every rule violation; the message is meant for the person who sent the command."""


class InvalidCommand(DomainError):
    """The command cannot be carried out whatever the state: its content breaks a rule."""


class InvalidPetition(InvalidCommand):
    """A petition's title, text, deadline or thresholds are not acceptable."""


class InvalidBallot(InvalidCommand):
    """A ballot names an unknown option, ranks one twice, grades out of range, is over budget."""


class InvalidVoteRules(InvalidCommand):
    """The options, method, seats, budget or dates given cannot make a vote."""


class ReasonRequired(InvalidCommand):
    """The decision needs a reason given by a person, and none was given."""


class NotEntitled(DomainError):
    """The person is known but the rules do not let them do this (not on the electorate)."""


class IllegalTransition(DomainError):
    """The command is well formed but the aggregate's current state does not allow it."""


class NotAwaitingAdmissibility(IllegalTransition):
    """Admissibility is decided once, while the petition is lodged and undecided."""


class NotOpenForSignatures(IllegalTransition):
    """The petition is not (or no longer) open for signatures."""


class AlreadySigned(IllegalTransition):
    """This person's signature is already on the petition."""


class NotSigned(IllegalTransition):
    """This person has no signature on the petition to withdraw."""


class NotOpen(IllegalTransition):
    """Only an open petition can be closed."""


class AlreadyAnswered(IllegalTransition):
    """The petition already has its official response."""
