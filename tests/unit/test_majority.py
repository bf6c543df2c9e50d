"""The majority and quorum rules as pure functions, by examples and by their properties."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.majority import (
    Choice,
    Counts,
    InvalidRule,
    MajorityKind,
    MajorityRule,
    QuorumRule,
    base,
    check_quorum,
    is_adopted,
)

SIMPLE = MajorityRule()
TWO_THIRDS = MajorityRule(MajorityKind.QUALIFIED, Fraction(2, 3))
PROPERTY = settings(max_examples=100, deadline=None)

counts = st.builds(
    Counts,
    for_=st.integers(0, 200),
    against=st.integers(0, 200),
    abstain=st.integers(0, 200),
)
rules = st.builds(
    MajorityRule, kind=st.just(MajorityKind.SIMPLE), abstentions_count=st.booleans()
) | st.builds(
    MajorityRule,
    kind=st.just(MajorityKind.QUALIFIED),
    threshold=st.fractions(min_value=Fraction(51, 100), max_value=1, max_denominator=100),
    abstentions_count=st.booleans(),
)
colleges = st.dictionaries(st.sampled_from("abcde"), st.integers(0, 30), min_size=1)
quorum_rules = st.builds(
    QuorumRule,
    share=st.fractions(min_value=0, max_value=Fraction(99, 100), max_denominator=100),
    per_college=st.integers(0, 5),
)


class TestMajority:
    def test_simple_majority_adopts_with_more_for_than_against(self) -> None:
        """Simple majority, abstentions aside: more for than against adopts; a tie rejects."""
        assert is_adopted(SIMPLE, Counts(3, 2, 10))
        assert not is_adopted(SIMPLE, Counts(2, 2, 0))
        assert not is_adopted(SIMPLE, Counts(2, 3, 0))

    def test_counting_abstentions_makes_them_weigh_against(self) -> None:
        """With abstentions in the base, for must outnumber against and abstentions together."""
        rule = MajorityRule(abstentions_count=True)
        assert not is_adopted(rule, Counts(3, 2, 1))
        assert is_adopted(rule, Counts(4, 2, 1))
        assert base(rule, Counts(4, 2, 1)) == 7

    def test_a_qualified_majority_needs_its_fraction_of_the_votes_cast(self) -> None:
        """Two thirds: 4 for 2 against adopts, 3 for 2 against does not, abstentions aside."""
        assert is_adopted(TWO_THIRDS, Counts(4, 2, 5))
        assert not is_adopted(TWO_THIRDS, Counts(3, 2, 0))

    def test_nothing_is_adopted_without_a_vote_for(self) -> None:
        """Everybody abstaining adopts nothing, even at a qualified majority."""
        assert not is_adopted(SIMPLE, Counts(0, 0, 5))
        assert not is_adopted(TWO_THIRDS, Counts(0, 0, 5))

    @pytest.mark.parametrize(
        "rule",
        [
            MajorityRule(MajorityKind.SIMPLE, Fraction(2, 3)),
            MajorityRule(MajorityKind.QUALIFIED),
            MajorityRule(MajorityKind.QUALIFIED, Fraction(1, 2)),
            MajorityRule(MajorityKind.QUALIFIED, Fraction(3, 2)),
        ],
    )
    def test_refuses_a_rule_that_cannot_be_applied(self, rule: MajorityRule) -> None:
        """A threshold only for a qualified majority, and then above 1/2, at most 1."""
        with pytest.raises(InvalidRule):
            rule.validate()

    def test_a_rule_survives_its_event_data(self) -> None:
        """The threshold is recorded as a fraction string and read back exactly."""
        assert TWO_THIRDS.as_event()["threshold"] == "2/3"
        assert MajorityRule.from_event(TWO_THIRDS.as_event()) == TWO_THIRDS

    def test_counts_of_a_roll_call(self) -> None:
        """Named votes count into for, against and abstain."""
        votes = {"a": Choice.FOR, "b": Choice.FOR, "c": Choice.ABSTAIN}
        assert Counts.of(votes) == Counts(2, 0, 1)


class TestMajorityProperties:
    @PROPERTY
    @given(rules, counts)
    def test_one_more_vote_for_never_turns_adopted_into_rejected(
        self, rule: MajorityRule, c: Counts
    ) -> None:
        """Monotone in the votes for."""
        if is_adopted(rule, c):
            assert is_adopted(rule, Counts(c.for_ + 1, c.against, c.abstain))

    @PROPERTY
    @given(rules, counts)
    def test_one_more_vote_against_never_turns_rejected_into_adopted(
        self, rule: MajorityRule, c: Counts
    ) -> None:
        """Monotone in the votes against."""
        if not is_adopted(rule, c):
            assert not is_adopted(rule, Counts(c.for_, c.against + 1, c.abstain))

    @PROPERTY
    @given(counts)
    def test_simple_majority_without_abstentions_is_more_than_half_of_the_votes_cast(
        self, c: Counts
    ) -> None:
        """for > cast / 2, i.e. for > against; abstentions change nothing."""
        cast = c.for_ + c.against
        assert is_adopted(SIMPLE, c) == (c.for_ > Fraction(cast, 2)) == (c.for_ > c.against)
        assert is_adopted(SIMPLE, c) == is_adopted(SIMPLE, Counts(c.for_, c.against, 0))

    @PROPERTY
    @given(rules, counts)
    def test_a_qualified_majority_is_at_least_a_simple_one(
        self, rule: MajorityRule, c: Counts
    ) -> None:
        """Whatever adopts at a qualified majority adopts at a simple one (same base)."""
        simple = MajorityRule(abstentions_count=rule.abstentions_count)
        if is_adopted(rule, c):
            assert is_adopted(simple, c)


class TestQuorum:
    def test_more_than_half_of_the_voting_members(self) -> None:
        """Six voting members: four present make a quorum, three do not."""
        rule = QuorumRule()
        assert check_quorum(rule, {"a": 6}, {"a": 4}).met
        missing = check_quorum(rule, {"a": 6}, {"a": 3})
        assert not missing.met
        assert (missing.present, missing.needed, missing.voting_members) == (3, 4, 6)

    def test_a_college_below_its_minimum_breaks_the_quorum(self) -> None:
        """One present per college: a college with nobody present names itself."""
        rule = QuorumRule(per_college=1)
        check = check_quorum(rule, {"a": 3, "b": 2, "c": 1}, {"a": 3, "b": 2})
        assert check.short_colleges == ("c",)
        assert not check.met

    def test_a_college_smaller_than_the_minimum_needs_all_its_members(self) -> None:
        """A minimum of 2 in a college of 1 is met by its one member present."""
        rule = QuorumRule(per_college=2)
        assert check_quorum(rule, {"a": 3, "b": 1}, {"a": 2, "b": 1}).met

    def test_nobody_sitting_is_no_quorum(self) -> None:
        """A committee with no voting member cannot decide."""
        assert not check_quorum(QuorumRule(), {"a": 0}, {}).met

    def test_refuses_more_present_than_sit(self) -> None:
        """The caller counts present members among those sitting."""
        with pytest.raises(ValueError, match="more than sit"):
            check_quorum(QuorumRule(), {"a": 1}, {"a": 2})

    @pytest.mark.parametrize(
        "rule",
        [
            QuorumRule(share=Fraction(1)),
            QuorumRule(share=Fraction(-1, 2)),
            QuorumRule(per_college=-1),
        ],
    )
    def test_refuses_a_rule_that_cannot_be_applied(self, rule: QuorumRule) -> None:
        """The share is in [0, 1); the minimum per college is not negative."""
        with pytest.raises(InvalidRule):
            rule.validate()

    def test_a_rule_survives_its_event_data(self) -> None:
        """The share is recorded as a fraction string."""
        rule = QuorumRule(share=Fraction(2, 3), per_college=1)
        assert rule.as_event() == {"share": "2/3", "per_college": 1}
        assert QuorumRule.from_event(rule.as_event()) == rule


@st.composite
def attendance(draw: st.DrawFn) -> tuple[QuorumRule, dict[str, int], dict[str, int], str]:
    """A rule, voting members per college, those present, and a college with one more to come."""
    rule = draw(quorum_rules)
    sitting = draw(colleges)
    present = {college: draw(st.integers(0, count)) for college, count in sitting.items()}
    room = [college for college in sorted(sitting) if present[college] < sitting[college]]
    arriving = draw(st.sampled_from(room)) if room else ""
    return rule, sitting, present, arriving


class TestQuorumProperties:
    @PROPERTY
    @given(attendance())
    def test_quorum_is_monotone_in_attendance(
        self, case: tuple[QuorumRule, dict[str, int], dict[str, int], str]
    ) -> None:
        """One more voting member present never loses a quorum that was met."""
        rule, sitting, present, arriving = case
        if arriving and check_quorum(rule, sitting, present).met:
            more = {**present, arriving: present[arriving] + 1}
            assert check_quorum(rule, sitting, more).met

    @PROPERTY
    @given(attendance())
    def test_without_college_minimums_the_quorum_is_more_than_the_share(
        self, case: tuple[QuorumRule, dict[str, int], dict[str, int], str]
    ) -> None:
        """Met exactly when more than `share` of the voting members are present."""
        rule, sitting, present, _ = case
        rule = QuorumRule(share=rule.share)
        check = check_quorum(rule, sitting, present)
        assert check.met == (sum(present.values()) > rule.share * sum(sitting.values()))
