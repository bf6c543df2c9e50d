"""A consultation's questionnaire ("questionnaire"): its questions, the answers each kind accepts,
and the results of a question (counts, distributions, rankings) as pure functions.

An answer is plain JSON: a text (open question), an option id (single choice), a list of option
ids (multiple choice, and ranking best first), or an integer (scale).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from statistics import mean, median
from typing import Any

from domain.errors import InvalidCommand
from domain.text import check_text

QUESTIONS_MAX = 50
QUESTION_MAX = 500
OPTIONS_MIN, OPTIONS_MAX = 2, 50
LABEL_MAX = 200
OPEN_ANSWER_MAX = 2_000
SCALE_LIMIT = 100
SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


class InvalidQuestionnaire(InvalidCommand):
    """The questions given cannot make a questionnaire (ids, options, scale bounds)."""


class InvalidAnswers(InvalidCommand):
    """An answer set that does not fit the questionnaire (unknown question, wrong type...)."""


class QuestionKind(StrEnum):
    """What a question asks for."""

    OPEN = "open"  # a free text
    SINGLE = "single"  # one option
    MULTIPLE = "multiple"  # one or more options
    RANKING = "ranking"  # options in order of preference, best first (all or some)
    SCALE = "scale"  # an integer from scale_min to scale_max


CHOICES = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING})


@dataclass(frozen=True, slots=True)
class Question:
    """One question: `options` for the kinds with choices, bounds for a scale."""

    id: str
    text: str
    kind: QuestionKind
    options: tuple[tuple[str, str], ...] = ()  # (id, label)
    scale_min: int | None = None
    scale_max: int | None = None
    required: bool = False

    def as_event(self) -> dict[str, Any]:
        """The question as the Drafted event holds it."""
        return {
            "id": self.id,
            "text": self.text,
            "kind": self.kind.value,
            "options": [{"id": i, "label": label} for i, label in self.options],
            "scale_min": self.scale_min,
            "scale_max": self.scale_max,
            "required": self.required,
        }

    @classmethod
    def from_event(cls, data: dict[str, Any]) -> Question:
        """The question back from event (or view) data."""
        return cls(
            id=data["id"],
            text=data["text"],
            kind=QuestionKind(data["kind"]),
            options=tuple((o["id"], o["label"]) for o in data["options"]),
            scale_min=data["scale_min"],
            scale_max=data["scale_max"],
            required=bool(data["required"]),
        )

    @property
    def option_ids(self) -> tuple[str, ...]:
        """The options' ids, in the order given."""
        return tuple(i for i, _ in self.options)


def validate_questions(questions: list[Question]) -> None:
    """Raise `InvalidQuestionnaire` unless the questions make a questionnaire."""
    if len(questions) > QUESTIONS_MAX:
        raise InvalidQuestionnaire(f"a questionnaire has at most {QUESTIONS_MAX} questions")
    if len({q.id for q in questions}) != len(questions):
        raise InvalidQuestionnaire("question ids must be distinct")
    for q in questions:
        if not SLUG.fullmatch(q.id):
            raise InvalidQuestionnaire(
                f"question id {q.id!r} must be 1 to 40 lower-case letters, digits, - or _"
            )
        check_text(q.text, what="a question", max_length=QUESTION_MAX, error=InvalidQuestionnaire)
        _validate_kind(q)


def _validate_kind(q: Question) -> None:
    if q.kind in CHOICES:
        if not OPTIONS_MIN <= len(q.options) <= OPTIONS_MAX:
            raise InvalidQuestionnaire(
                f"question {q.id!r} needs {OPTIONS_MIN} to {OPTIONS_MAX} options"
            )
        if len(set(q.option_ids)) != len(q.options):
            raise InvalidQuestionnaire(f"question {q.id!r} names an option twice")
        for option_id, label in q.options:
            if not SLUG.fullmatch(option_id):
                raise InvalidQuestionnaire(
                    f"option id {option_id!r} must be 1 to 40 lower-case letters, digits, - or _"
                )
            check_text(
                label, what="an option's label", max_length=LABEL_MAX, error=InvalidQuestionnaire
            )
    elif q.options:
        raise InvalidQuestionnaire(f"question {q.id!r} is {q.kind} and takes no options")
    if q.kind is QuestionKind.SCALE:
        low, high = q.scale_min, q.scale_max
        if low is None or high is None or not 0 <= low < high <= SCALE_LIMIT:
            raise InvalidQuestionnaire(
                f"scale question {q.id!r} needs 0 <= scale_min < scale_max <= {SCALE_LIMIT}"
            )
    elif q.scale_min is not None or q.scale_max is not None:
        raise InvalidQuestionnaire(f"only a scale question has bounds ({q.id!r} is {q.kind})")


def validate_answers(questions: tuple[Question, ...], answers: dict[str, Any]) -> None:
    """Raise `InvalidAnswers` unless `answers` (question id -> answer) fits the questionnaire:
    every question known, every required one answered, each answer of its question's type."""
    if not questions:
        raise InvalidAnswers("this consultation has no questionnaire")
    by_id = {q.id: q for q in questions}
    unknown = sorted(set(answers) - by_id.keys())
    if unknown:
        raise InvalidAnswers(f"no question has the id {', '.join(unknown)}")
    missing = [q.id for q in questions if q.required and q.id not in answers]
    if missing:
        raise InvalidAnswers(f"required questions unanswered: {', '.join(missing)}")
    if not answers:
        raise InvalidAnswers("an answer set answers at least one question")
    for question_id, answer in answers.items():
        _check_answer(by_id[question_id], answer)


def _check_answer(q: Question, answer: Any) -> None:
    where = f"the answer to {q.id!r}"
    match q.kind:
        case QuestionKind.OPEN:
            if not isinstance(answer, str):
                raise InvalidAnswers(f"{where} is a text")
            check_text(answer, what=where, max_length=OPEN_ANSWER_MAX, error=InvalidAnswers)
        case QuestionKind.SINGLE:
            if not isinstance(answer, str) or answer not in q.option_ids:
                raise InvalidAnswers(f"{where} is one of {', '.join(q.option_ids)}")
        case QuestionKind.MULTIPLE | QuestionKind.RANKING:
            if (
                not isinstance(answer, list)
                or not answer
                or not all(isinstance(a, str) and a in q.option_ids for a in answer)
            ):
                raise InvalidAnswers(f"{where} is a non-empty list of {', '.join(q.option_ids)}")
            if len(set(answer)) != len(answer):
                raise InvalidAnswers(f"{where} names an option twice")
        case QuestionKind.SCALE:
            assert q.scale_min is not None
            assert q.scale_max is not None
            if (
                isinstance(answer, bool)
                or not isinstance(answer, int)
                or not q.scale_min <= answer <= q.scale_max
            ):
                raise InvalidAnswers(f"{where} is an integer from {q.scale_min} to {q.scale_max}")


def question_results(q: Question, answers: list[Any], respondents: int) -> dict[str, Any]:
    """The results of one question from its answers (one per answer set that answered it):
    counts per option, a scale's distribution, mean and median, a ranking's Borda order."""
    result: dict[str, Any] = {
        "question_id": q.id,
        "kind": q.kind.value,
        "respondents": respondents,
        "answered": len(answers),
    }
    if q.kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE}:
        counts = Counter(
            a for answer in answers for a in ([answer] if isinstance(answer, str) else answer)
        )
        result["counts"] = {o: counts.get(o, 0) for o in q.option_ids}
    elif q.kind is QuestionKind.RANKING:
        result.update(_ranking(q, answers))
    elif q.kind is QuestionKind.SCALE:
        assert q.scale_min is not None
        assert q.scale_max is not None
        values = Counter(int(a) for a in answers)
        result["distribution"] = {
            str(v): values.get(v, 0) for v in range(q.scale_min, q.scale_max + 1)
        }
        result["mean"] = round(mean(answers), 4) if answers else None
        result["median"] = median(answers) if answers else None
    return result


def _ranking(q: Question, answers: list[list[str]]) -> dict[str, Any]:
    """Borda points (an option ranked r-th of n earns n - r + 1, an unranked one none), how
    often each was ranked first, and the options in order of points (ties by first places,
    then in the order given)."""
    n = len(q.options)
    points = dict.fromkeys(q.option_ids, 0)
    firsts = dict.fromkeys(q.option_ids, 0)
    for answer in answers:
        for rank, option in enumerate(answer, start=1):
            points[option] += n - rank + 1
        firsts[answer[0]] += 1
    order = sorted(q.option_ids, key=lambda o: (-points[o], -firsts[o], q.option_ids.index(o)))
    return {"borda": points, "first_places": firsts, "ranking": order}
