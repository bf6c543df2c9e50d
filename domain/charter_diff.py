"""The text of a charter version and the per-article difference between two such texts.

Articles keep a stable id for life and take their display number from their position (1..n), so
the diff pairs articles by id: an article that only moved down because another was inserted
before it is "unchanged", with both of its numbers shown. The diff is plain JSON-able data:

    {"title": {"status": "unchanged"},
     "preamble": {"status": "changed", "pieces": [{"op": "equal", "text": "..."}, ...]},
     "articles": [
       {"article_id": 1, "status": "unchanged", "from_number": 1, "to_number": 1},
       {"article_id": 4, "status": "added", "from_number": null, "to_number": 2, "text": "..."},
       {"article_id": 2, "status": "changed", "from_number": 2, "to_number": 3,
        "pieces": [{"op": "equal", "text": "Les "}, {"op": "delete", "text": "habitants"},
                   {"op": "insert", "text": "habitantes et habitants"}, ...]},
       {"article_id": 3, "status": "removed", "from_number": 3, "to_number": null, "text": "..."}]}

Articles are listed in the order of the newer text, each removed one just after the article that
preceded it in the older text. A changed text is diffed word by word: the "equal" and "delete"
pieces joined give the older text, the "equal" and "insert" pieces the newer one.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Literal, NotRequired, TypedDict

_TOKEN = re.compile(r"\s+|\S+")  # words and the spaces between them, so pieces rejoin exactly


@dataclass(frozen=True, slots=True)
class Article:
    """One article: its stable id (never reused within a charter) and its text."""

    id: int
    text: str


@dataclass(frozen=True, slots=True)
class CharterText:
    """A charter's title, preamble and articles, in order: article n is `articles[n - 1]`."""

    title: str
    preamble: str
    articles: tuple[Article, ...]

    def number_of(self, article_id: int) -> int | None:
        """The display number of the article with this id, or None if the text has none."""
        for number, article in enumerate(self.articles, start=1):
            if article.id == article_id:
                return number
        return None

    def article(self, article_id: int) -> Article | None:
        """The article with this id, if the text has it."""
        number = self.number_of(article_id)
        return None if number is None else self.articles[number - 1]

    def as_data(self) -> dict[str, Any]:
        """The text as JSON-able data, each article with its id, number and text."""
        return {
            "title": self.title,
            "preamble": self.preamble,
            "articles": [
                {"id": a.id, "number": n, "text": a.text}
                for n, a in enumerate(self.articles, start=1)
            ],
        }

    def digest(self) -> str:
        """SHA-256 of the canonical JSON of `as_data()`: what an adoption seals."""
        canonical = json.dumps(
            self.as_data(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


def fingerprint(text: str) -> str:
    """SHA-256 of one text: what an amendment records of the text it was written against."""
    return hashlib.sha256(text.encode()).hexdigest()


class Piece(TypedDict):
    """A run of words kept, deleted from the older text or inserted in the newer one."""

    op: Literal["equal", "delete", "insert"]
    text: str


class FieldDiff(TypedDict):
    """The title or the preamble: changed (with its pieces) or unchanged."""

    status: Literal["changed", "unchanged"]
    pieces: NotRequired[list[Piece]]


class ArticleDiff(TypedDict):
    """One article across the two texts, by id; `text` if added or removed, `pieces` if changed."""

    article_id: int
    status: Literal["added", "removed", "changed", "unchanged"]
    from_number: int | None
    to_number: int | None
    text: NotRequired[str]
    pieces: NotRequired[list[Piece]]


class TextDiff(TypedDict):
    """What changed from one charter text to another."""

    title: FieldDiff
    preamble: FieldDiff
    articles: list[ArticleDiff]


def word_diff(old: str, new: str) -> list[Piece]:
    """The pieces that turn `old` into `new`, word by word, adjacent pieces of one kind merged."""
    before, after = _TOKEN.findall(old), _TOKEN.findall(new)
    # autojunk would ignore frequent tokens (spaces, "de", "la") in long texts: a worse diff
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "delete", "replace"):
            _append(pieces, "equal" if tag == "equal" else "delete", "".join(before[i1:i2]))
        if tag in ("insert", "replace"):
            _append(pieces, "insert", "".join(after[j1:j2]))
    return pieces


def _append(pieces: list[Piece], op: Literal["equal", "delete", "insert"], text: str) -> None:
    if pieces and pieces[-1]["op"] == op:
        pieces[-1]["text"] += text
    else:
        pieces.append({"op": op, "text": text})


def older_side(pieces: list[Piece]) -> str:
    """The older text the pieces were computed from."""
    return "".join(p["text"] for p in pieces if p["op"] != "insert")


def newer_side(pieces: list[Piece]) -> str:
    """The newer text the pieces lead to."""
    return "".join(p["text"] for p in pieces if p["op"] != "delete")


def _field_diff(old: str, new: str) -> FieldDiff:
    if old == new:
        return {"status": "unchanged"}
    return {"status": "changed", "pieces": word_diff(old, new)}


def diff_texts(old: CharterText, new: CharterText) -> TextDiff:
    """The per-article difference from `old` to `new`, articles paired by id."""
    new_ids = {a.id for a in new.articles}
    # each removed article follows the last article before it that is still there (0: the start)
    removed_after: dict[int | None, list[ArticleDiff]] = {}
    anchor: int | None = None
    for number, article in enumerate(old.articles, start=1):
        if article.id in new_ids:
            anchor = article.id
            continue
        removed_after.setdefault(anchor, []).append(
            {
                "article_id": article.id,
                "status": "removed",
                "from_number": number,
                "to_number": None,
                "text": article.text,
            }
        )
    articles = list(removed_after.get(None, []))
    for number, article in enumerate(new.articles, start=1):
        before = old.article(article.id)
        entry: ArticleDiff
        if before is None:
            entry = {
                "article_id": article.id,
                "status": "added",
                "from_number": None,
                "to_number": number,
                "text": article.text,
            }
        else:
            entry = {
                "article_id": article.id,
                "status": "unchanged",
                "from_number": old.number_of(article.id),
                "to_number": number,
            }
            if before.text != article.text:
                entry["status"] = "changed"
                entry["pieces"] = word_diff(before.text, article.text)
        articles.append(entry)
        articles.extend(removed_after.get(article.id, []))
    return {
        "title": _field_diff(old.title, new.title),
        "preamble": _field_diff(old.preamble, new.preamble),
        "articles": articles,
    }


def apply_diff(old: CharterText, diff: TextDiff) -> CharterText:
    """The newer text, from the older one and their diff; ValueError if the diff is not of `old`.

    What an auditor (or a test) uses to check that a published diff leads from one version to
    the next.
    """
    articles: list[Article] = []
    seen: set[int] = set()
    for entry in diff["articles"]:
        article_id, status = entry["article_id"], entry["status"]
        before = old.article(article_id)
        if (before is None) != (status == "added"):
            raise ValueError(f"article id {article_id} is {status} but the older text disagrees")
        seen.add(article_id)
        if status == "added":
            articles.append(Article(article_id, entry["text"]))
        elif status == "unchanged":
            assert before is not None
            articles.append(before)
        elif status == "changed":
            assert before is not None
            if older_side(entry["pieces"]) != before.text:
                raise ValueError(f"article id {article_id}: the diff is not of this text")
            articles.append(Article(article_id, newer_side(entry["pieces"])))
    if {a.id for a in old.articles} - seen:
        raise ValueError("the diff leaves out articles of the older text")
    return CharterText(
        title=_apply_field(old.title, diff["title"], "title"),
        preamble=_apply_field(old.preamble, diff["preamble"], "preamble"),
        articles=tuple(articles),
    )


def _apply_field(old: str, diff: FieldDiff, what: str) -> str:
    if diff["status"] == "unchanged":
        return old
    if older_side(diff["pieces"]) != old:
        raise ValueError(f"the {what}'s diff is not of this text")
    return newer_side(diff["pieces"])
