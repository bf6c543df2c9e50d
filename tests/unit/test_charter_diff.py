"""The per-article diff between two charter texts: statuses, word pieces, order, and its laws."""

from __future__ import annotations

import json
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.charter_diff import (
    Article,
    CharterText,
    apply_diff,
    diff_texts,
    newer_side,
    older_side,
    word_diff,
)

WORDS = st.sampled_from(["la", "ville", "charte", "habitants", "s'engage", ",", "é", "\n", "  "])
PROSE = st.lists(WORDS, max_size=12).map(" ".join)


@st.composite
def texts(draw: st.DrawFn, ids: st.SearchStrategy[list[int]] | None = None) -> CharterText:
    """A charter text whose article ids come from a small pool, so two texts share some."""
    chosen = draw(ids or st.lists(st.integers(1, 12), unique=True, max_size=8))
    return CharterText(
        title=draw(st.sampled_from(["Charte", "Charte participative"])),
        preamble=draw(PROSE),
        articles=tuple(Article(i, draw(PROSE)) for i in chosen),
    )


def text(*articles: tuple[int, str], title: str = "Charte", preamble: str = "Nous") -> CharterText:
    """A text with these (id, text) articles in this order."""
    return CharterText(title, preamble, tuple(Article(i, t) for i, t in articles))


V1 = text((1, "Les habitants sont consultés."), (2, "Le budget est public."), (3, "Fin."))


class TestStatuses:
    def test_pairs_articles_by_id_not_number(self) -> None:
        """Inserting article 4 before article 2 renumbers 2 and 3, which stay unchanged."""
        v2 = text(
            (1, "Les habitants sont consultés."),
            (4, "Un comité suit la charte."),
            (2, "Le budget est public."),
            (3, "Fin."),
        )
        diff = diff_texts(V1, v2)
        assert diff["articles"] == [
            {"article_id": 1, "status": "unchanged", "from_number": 1, "to_number": 1},
            {
                "article_id": 4,
                "status": "added",
                "from_number": None,
                "to_number": 2,
                "text": "Un comité suit la charte.",
            },
            {"article_id": 2, "status": "unchanged", "from_number": 2, "to_number": 3},
            {"article_id": 3, "status": "unchanged", "from_number": 3, "to_number": 4},
        ]
        assert diff["title"] == {"status": "unchanged"}

    def test_a_changed_article_carries_a_word_diff(self) -> None:
        """Only the words that changed are marked deleted or inserted."""
        v2 = text(
            (1, "Les habitantes et habitants sont consultés."),
            (2, "Le budget est public."),
            (3, "Fin."),
        )
        [first, *_] = diff_texts(V1, v2)["articles"]
        assert first["status"] == "changed"
        assert first["pieces"] == [
            {"op": "equal", "text": "Les"},
            {"op": "insert", "text": " habitantes et"},
            {"op": "equal", "text": " habitants sont consultés."},
        ]

    def test_a_removed_article_stays_where_it_was(self) -> None:
        """A removed article is listed after the article that preceded it, with its old text."""
        v2 = text((1, "Les habitants sont consultés."), (3, "Fin."))
        diff = diff_texts(V1, v2)
        assert [(a["article_id"], a["status"]) for a in diff["articles"]] == [
            (1, "unchanged"),
            (2, "removed"),
            (3, "unchanged"),
        ]
        assert diff["articles"][1]["text"] == "Le budget est public."
        assert diff["articles"][2]["to_number"] == 2

    def test_removing_the_first_articles_lists_them_first(self) -> None:
        """Articles removed before any surviving one open the list."""
        diff = diff_texts(V1, text((3, "Fin.")))
        assert [a["article_id"] for a in diff["articles"]] == [1, 2, 3]

    def test_title_and_preamble_are_diffed_too(self) -> None:
        """The title and preamble are changed or unchanged, with pieces when changed."""
        diff = diff_texts(V1, text((1, "x"), title="Charte participative", preamble="Nous"))
        assert diff["title"]["status"] == "changed"
        assert newer_side(diff["title"]["pieces"]) == "Charte participative"
        assert diff["preamble"] == {"status": "unchanged"}

    def test_a_diff_that_is_not_of_the_older_text_is_refused(self) -> None:
        """apply_diff checks that the diff starts from the text it is applied to."""
        diff = diff_texts(V1, text((1, "Autre."), (2, "Le budget est public."), (3, "Fin.")))
        with pytest.raises(ValueError, match="not of this text"):
            apply_diff(text((1, "Différent."), (2, "Le budget est public."), (3, "Fin.")), diff)


@given(old=PROSE, new=PROSE)
def test_word_pieces_rebuild_both_texts(old: str, new: str) -> None:
    """Equal and deleted pieces give the older text; equal and inserted pieces the newer."""
    pieces = word_diff(old, new)
    assert older_side(pieces) == old
    assert newer_side(pieces) == new
    assert all(p["text"] for p in pieces)
    assert all(a["op"] != b["op"] for a, b in pairwise(pieces))


@given(texts())
def test_a_text_against_itself_is_all_unchanged(a: CharterText) -> None:
    """diff(a, a): title, preamble and every article unchanged, at the same number."""
    diff = diff_texts(a, a)
    assert diff["title"] == diff["preamble"] == {"status": "unchanged"}
    assert [(d["status"], d["from_number"], d["to_number"]) for d in diff["articles"]] == [
        ("unchanged", n, n) for n in range(1, len(a.articles) + 1)
    ]


@given(texts(), texts())
def test_applying_the_diff_gives_the_newer_text(a: CharterText, b: CharterText) -> None:
    """apply_diff(a, diff(a, b)) == b, whatever was added, removed, changed or moved."""
    assert apply_diff(a, diff_texts(a, b)) == b


@given(texts(), texts())
def test_added_and_removed_are_the_set_differences(a: CharterText, b: CharterText) -> None:
    """Added: ids only in b; removed: ids only in a; every id of either appears once."""
    diff = diff_texts(a, b)
    a_ids, b_ids = {x.id for x in a.articles}, {x.id for x in b.articles}
    by_status: dict[str, set[int]] = {}
    for entry in diff["articles"]:
        by_status.setdefault(entry["status"], set()).add(entry["article_id"])
    assert by_status.get("added", set()) == b_ids - a_ids
    assert by_status.get("removed", set()) == a_ids - b_ids
    assert sorted(e["article_id"] for e in diff["articles"]) == sorted(a_ids | b_ids)
    changed = {x.id for x in a.articles if (y := b.article(x.id)) and y.text != x.text}
    assert by_status.get("changed", set()) == changed


@given(texts(), texts())
def test_numbers_are_the_positions_in_each_text(a: CharterText, b: CharterText) -> None:
    """from_number and to_number are each article's display number in a and in b."""
    for entry in diff_texts(a, b)["articles"]:
        assert entry["from_number"] == a.number_of(entry["article_id"])
        assert entry["to_number"] == b.number_of(entry["article_id"])


@given(texts(), texts())
def test_the_diff_is_plain_json(a: CharterText, b: CharterText) -> None:
    """The diff goes through JSON unchanged."""
    diff = diff_texts(a, b)
    assert json.loads(json.dumps(diff)) == diff
