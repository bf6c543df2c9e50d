"""Organisations of the directory and partnerships by their events: entries added, changed and
removed, each by its actor; the registrant keeps them; partnerships of two or more."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.errors import ReasonRequired
from domain.events import Cause
from domain.organisation import (
    InvalidEntry,
    InvalidOrganisation,
    Organisation,
    OrganisationKind,
    Section,
    UnknownEntry,
)
from domain.organisation_partnership import InvalidPartnership, Partnership, PartnershipEnded

from .given import assert_caused_by, drained, only_event, refused

CLERK = Cause(actor="account:clerk", correlation_id="corr-clerk")
ADMIN = Cause(actor="account:admin", correlation_id="corr-admin", reason="out of date")


def registered() -> Organisation:
    """A research lab of Nancy, registered by the clerk."""
    return drained(
        Organisation.register(
            name="LORIA",
            kind=OrganisationKind.RESEARCH_EDUCATION,
            territory_id=uuid4(),
            core_business="Recherche en informatique",
            cause=CLERK,
        )
    )


class TestEntries:
    def test_the_registrant_keeps_it(self) -> None:
        """The actor who registers it is its keeper."""
        assert registered().keeper == "account:clerk"

    def test_an_entry_is_added_changed_and_removed_by_its_actors(self) -> None:
        """Each step is an event with its actor; the entry shows who added and who changed it."""
        lab = registered()
        number = lab.add_entry(
            section=Section.KNOW_HOW, text="Audit de cybersécurité", tags=["cyber"], cause=CLERK
        )
        added = only_event(lab, Organisation.EntryAdded)
        assert (added.number, added.section, added.tags) == (1, "know_how", ["cyber"])
        assert_caused_by(added, CLERK)
        lab.change_entry(number=number, text="Audits", tags=["cyber", "donnees"], cause=ADMIN)
        only_event(lab, Organisation.EntryChanged)
        entry = lab.entry(number)
        assert (entry.added_by, entry.changed_by, entry.tags) == (
            "account:clerk",
            "account:admin",
            ("cyber", "donnees"),
        )
        lab.remove_entry(number=number, cause=ADMIN)
        only_event(lab, Organisation.EntryRemoved)
        with pytest.raises(UnknownEntry):
            lab.entry(number)
        assert lab.add_entry(section=Section.TOPIC, text="IA", tags=["ia"], cause=CLERK) == 2

    def test_refuses_bad_tags_no_change_and_a_removal_without_reason(self) -> None:
        """Tags are lower-case slugs; a change changes something; a removal says why."""
        lab = registered()
        with refused(InvalidEntry, lab):
            lab.add_entry(section=Section.PROBLEM, text="x", tags=["Énergie"], cause=CLERK)
        with refused(InvalidEntry, lab):
            lab.add_entry(section=Section.PROBLEM, text="x", tags=[], cause=CLERK)
        number = lab.add_entry(section=Section.PROBLEM, text="x", tags=["energie"], cause=CLERK)
        drained(lab)
        with refused(InvalidEntry, lab):
            lab.change_entry(number=number, text="x", tags=["energie"], cause=CLERK)
        with refused(ReasonRequired, lab):
            lab.remove_entry(number=number, cause=CLERK)
        with refused(UnknownEntry, lab):
            lab.remove_entry(number=9, cause=ADMIN)

    def test_refuses_an_unknown_kind(self) -> None:
        """The kind is one of five."""
        with pytest.raises(InvalidOrganisation):
            Organisation.register(
                name="X",
                kind="club",  # type: ignore[arg-type]
                territory_id=uuid4(),
                core_business="x",
                cause=CLERK,
            )


class TestPartnerships:
    def test_two_or_more_record_one_and_end_it_with_a_reason(self) -> None:
        """Recorded with its partners, objectives, dates and links; ended once, with a reason."""
        a, b, charter = uuid4(), uuid4(), uuid4()
        partnership = Partnership.record(
            name="Hydrogène Moselle",
            organisation_ids=[a, b],
            objectives=["Une station H2"],
            starts_on=date(2026, 1, 1),
            ends_on=date(2028, 12, 31),
            charter_id=charter,
            committee_id=None,
            cause=CLERK,
        )
        recorded = only_event(partnership, Partnership.Recorded)
        assert (recorded.organisation_ids, recorded.starts_on, recorded.charter_id) == (
            [a, b],
            "2026-01-01",
            charter,
        )
        with refused(ReasonRequired, partnership):
            partnership.end(on=date(2027, 1, 1), cause=CLERK)
        partnership.end(on=date(2027, 1, 1), cause=ADMIN)
        assert partnership.ends_on == date(2027, 1, 1)
        with refused(PartnershipEnded, partnership):
            partnership.end(on=date(2027, 1, 1), cause=ADMIN)

    def test_refuses_one_partner_or_dates_backwards(self) -> None:
        """At least two distinct organisations; it ends after it starts."""
        a = uuid4()
        for partners, ends in (([a], None), ([a, a], None), ([a, uuid4()], date(2025, 1, 1))):
            with pytest.raises(InvalidPartnership):
                Partnership.record(
                    name="P",
                    organisation_ids=partners,
                    objectives=["o"],
                    starts_on=date(2026, 1, 1),
                    ends_on=ends,
                    charter_id=None,
                    committee_id=None,
                    cause=CLERK,
                )
