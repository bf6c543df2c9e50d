"""A consultation's questionnaire as one plain form: the controls each kind of question gets,
and the form read back into the answer set the consultation service takes (the same JSON as
`PUT /consultations/{id}/answers/me`).

Each control has a name of its own, so no field repeats: `answer-{question}` (open text, single
choice, scale), `answer-{question}-{option}` (a multiple choice's checkbox) and
`rank-{question}-{option}` (a ranking's rank for one option, empty: not ranked).
"""

from __future__ import annotations

from typing import Any

from domain.consultation_questions import QuestionKind
from interfaces.web.i18n import N_

REQUIRED_MISSING = N_("Please answer every required question.")
NOTHING_ANSWERED = N_("Please answer at least one question.")
BAD_SCALE = N_("A scale takes a whole number within its bounds.")
SHARED_RANK = N_("Give each ranked option a different rank.")


class AnswersRefused(Exception):
    """The form does not make an answer set: the message (to translate) says why."""


def read_answers(questions: list[dict[str, Any]], form: dict[str, str]) -> dict[str, Any]:
    """The answer set the form holds, question id -> answer; a question left blank is not
    answered. `AnswersRefused` for a required question left blank or an unreadable answer (the
    service checks the answers against the questionnaire again)."""
    answers: dict[str, Any] = {}
    for question in questions:
        answer = _answer(question, form)
        if answer is None:
            if question["required"]:
                raise AnswersRefused(REQUIRED_MISSING)
            continue
        answers[question["id"]] = answer
    if not answers:
        raise AnswersRefused(NOTHING_ANSWERED)
    return answers


def _answer(question: dict[str, Any], form: dict[str, str]) -> Any:
    """One question's answer from the form, None if left blank."""
    qid, options = question["id"], [o["id"] for o in question["options"]]
    match QuestionKind(question["kind"]):
        case QuestionKind.OPEN | QuestionKind.SINGLE:
            text = form.get(f"answer-{qid}", "").strip()
            return text or None
        case QuestionKind.MULTIPLE:
            chosen = [o for o in options if form.get(f"answer-{qid}-{o}")]
            return chosen or None
        case QuestionKind.RANKING:
            return _ranking(qid, options, form)
        case QuestionKind.SCALE:
            value = form.get(f"answer-{qid}", "").strip()
            if not value:
                return None
            try:
                return int(value)
            except ValueError:
                raise AnswersRefused(BAD_SCALE) from None
    return None  # a kind this form does not know yet: left for the API


def _ranking(qid: str, options: list[str], form: dict[str, str]) -> list[str] | None:
    """The ranked options, best (rank 1) first."""
    ranks: dict[str, int] = {}
    for option in options:
        value = form.get(f"rank-{qid}-{option}", "").strip()
        if value:
            if not value.isdigit():
                raise AnswersRefused(SHARED_RANK)
            ranks[option] = int(value)
    if len(set(ranks.values())) != len(ranks):
        raise AnswersRefused(SHARED_RANK)
    return sorted(ranks, key=ranks.__getitem__) or None


def form_values(questions: list[dict[str, Any]], answers: dict[str, Any]) -> dict[str, Any]:
    """What the form shows as filled, from a standing answer set: per question, the text or
    number, the chosen options, or each option's rank."""
    values: dict[str, Any] = {}
    for question in questions:
        answer = answers.get(question["id"])
        if answer is None:
            continue
        if question["kind"] == QuestionKind.RANKING and isinstance(answer, list):
            values[question["id"]] = {o: rank for rank, o in enumerate(answer, start=1)}
        else:
            values[question["id"]] = answer
    return values


def posted_values(questions: list[dict[str, Any]], form: dict[str, str]) -> dict[str, Any]:
    """What the form shows as filled after a refusal: the form as it was sent, read leniently
    (the same shape as `form_values`)."""
    values: dict[str, Any] = {}
    for question in questions:
        qid, options = question["id"], [o["id"] for o in question["options"]]
        match QuestionKind(question["kind"]):
            case QuestionKind.MULTIPLE:
                values[qid] = [o for o in options if form.get(f"answer-{qid}-{o}")]
            case QuestionKind.RANKING:
                ranks = {o: form.get(f"rank-{qid}-{o}", "").strip() for o in options}
                values[qid] = {o: int(r) for o, r in ranks.items() if r.isdigit()}
            case _:
                values[qid] = form.get(f"answer-{qid}", "")
    return values
