"""`CIVIC_TIME_ZONE`: the pages' time zone; Paris by default; checked at start."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from application.settings import TIME_ZONE_ENV, Settings, SettingsError


def test_paris_by_default_and_any_iana_name_otherwise() -> None:
    """Unset: Europe/Paris (summer time included); set: the zone named."""
    summer = datetime(2030, 6, 30, 16, 0, tzinfo=UTC)
    assert summer.astimezone(Settings.from_env({}).zone).hour == 18
    cayenne = Settings.from_env({TIME_ZONE_ENV: "America/Cayenne"}).zone
    assert summer.astimezone(cayenne).hour == 13
    assert Settings.from_env({TIME_ZONE_ENV: ""}).time_zone == "Europe/Paris"


@pytest.mark.parametrize("name", ["Paris", "Europe/Atlantis", "../etc/passwd"])
def test_a_name_that_is_no_time_zone_is_refused_at_start(name: str) -> None:
    """A SettingsError naming the variable."""
    with pytest.raises(SettingsError, match=TIME_ZONE_ENV):
        Settings.from_env({TIME_ZONE_ENV: name})
