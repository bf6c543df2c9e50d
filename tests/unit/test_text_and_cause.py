"""Free text and the event envelope: limits that keep every backend and every reader safe."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import InvalidCommand, InvalidPetition
from domain.events import ID_MAX, REASON_MAX, Cause
from domain.petition import Threshold

from .given import NOW
from .test_petition_lodging import lodge


class TestControlCharacters:
    """Text people type may hold newlines and tabs, never invisible control characters."""

    @pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b[31m", "\x7f"])
    def test_refuses_a_title_with_a_control_character(self, bad: str) -> None:
        """NUL, bell, escape and DEL in a title are refused as an invalid petition."""
        with pytest.raises(InvalidPetition, match="control characters"):
            lodge(title=f"Trees{bad}")

    def test_accepts_newlines_and_tabs_in_the_text(self) -> None:
        """Paragraphs and tabs are ordinary text."""
        petition = lodge(text="First line\n\tSecond line\r\nThird")
        assert petition.text == "First line\n\tSecond line\r\nThird"

    def test_refuses_a_consequence_with_a_nul(self) -> None:
        """A threshold's consequence follows the same rule."""
        with pytest.raises(InvalidPetition, match="control characters"):
            lodge(thresholds=[Threshold(10, "vote\x00")])


class TestDeadlineHorizon:
    """A deadline centuries away is a typo, and would overflow time-zone arithmetic."""

    def test_refuses_a_deadline_beyond_ten_years(self) -> None:
        """Eleven years ahead is refused."""
        with pytest.raises(InvalidPetition, match="ten years"):
            lodge(deadline=NOW + timedelta(days=11 * 365))

    def test_accepts_a_deadline_nine_years_ahead(self) -> None:
        """Nine years ahead is a long but possible petition."""
        assert lodge(deadline=NOW + timedelta(days=9 * 365)).deadline is not None


class TestCause:
    """The envelope refuses what no audit column could hold."""

    def test_refuses_an_overlong_actor(self) -> None:
        """An actor longer than the limit is an invalid command, not a database error."""
        with pytest.raises(InvalidCommand, match="actor"):
            Cause(actor="a" * (ID_MAX + 1), correlation_id="c")

    def test_refuses_an_overlong_correlation_id(self) -> None:
        """So is an overlong correlation id."""
        with pytest.raises(InvalidCommand, match="correlation id"):
            Cause(actor="a", correlation_id="c" * (ID_MAX + 1))

    def test_refuses_an_overlong_reason(self) -> None:
        """And a reason over the limit."""
        with pytest.raises(InvalidCommand, match="reason"):
            Cause(actor="a", correlation_id="c", reason="r" * (REASON_MAX + 1))

    def test_treats_a_blank_reason_as_none(self) -> None:
        """A reason of spaces is no reason: rules that need one then refuse the command."""
        assert Cause(actor="a", correlation_id="c", reason="   ").reason is None
