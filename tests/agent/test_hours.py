from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from voxi.agent.hours import BusinessHours

NY = ZoneInfo("America/New_York")
WEEKDAYS_9_TO_5 = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


@dataclass
class Config:
    business_hours: dict[str, Any] = field(default_factory=lambda: dict(WEEKDAYS_9_TO_5))
    hours_overrides: dict[str, Any] = field(default_factory=dict)


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


def test_open_inside_the_weekly_hours_in_the_tenants_timezone():
    hours = BusinessHours.from_config(Config(), "America/New_York")
    assert hours.is_open_at(ny(2026, 3, 10, 9, 0))  # Tuesday
    assert hours.is_open_at(ny(2026, 3, 10, 16, 59))
    assert not hours.is_open_at(ny(2026, 3, 10, 17, 0))
    assert not hours.is_open_at(ny(2026, 3, 10, 8, 59))
    # 14:30 UTC is 10:30 in New York (EDT) but 7:30 in Los Angeles: the timezone decides.
    assert hours.is_open_at(datetime(2026, 3, 10, 14, 30, tzinfo=UTC))
    la = BusinessHours.from_config(Config(), "America/Los_Angeles")
    assert not la.is_open_at(datetime(2026, 3, 10, 14, 30, tzinfo=UTC))


def test_closed_days_and_next_opening_across_a_weekend():
    hours = BusinessHours.from_config(Config(), "America/New_York")
    saturday = ny(2026, 3, 14, 11, 0)
    assert not hours.is_open_at(saturday)
    assert hours.next_opening(saturday) == ny(2026, 3, 16, 9, 0)
    assert hours.next_opening(ny(2026, 3, 16, 7, 0)) == ny(2026, 3, 16, 9, 0)


def test_a_holiday_override_closes_the_day_and_special_hours_replace_it():
    config = Config(hours_overrides={"2026-12-25": [], "2026-12-24": [["09:00", "12:00"]]})
    hours = BusinessHours.from_config(config, "America/New_York")
    assert not hours.is_open_at(ny(2026, 12, 25, 10, 0))  # a Friday, closed for the holiday
    assert hours.is_open_at(ny(2026, 12, 24, 11, 0))
    assert not hours.is_open_at(ny(2026, 12, 24, 13, 0))
    assert hours.next_opening(ny(2026, 12, 24, 13, 0)) == ny(2026, 12, 28, 9, 0)
    assert "Friday December 25: closed" in hours.describe_special_days(date(2026, 12, 20))


def test_no_hours_at_all_never_opens_and_says_by_appointment():
    hours = BusinessHours.from_config(Config(business_hours={}), "America/New_York")
    assert not hours.is_open_at(ny(2026, 3, 10, 10, 0))
    assert hours.next_opening(ny(2026, 3, 10, 10, 0)) is None
    assert hours.describe() == "By appointment only"


def test_describe_groups_days_the_way_people_say_them():
    config = Config(business_hours={**WEEKDAYS_9_TO_5, "sat": [["08:00", "12:30"]]})
    described = BusinessHours.from_config(config, "America/Chicago").describe()
    assert described == "Monday to Friday 9 AM to 5 PM; Saturday 8 AM to 12:30 PM; Sunday closed"


def test_opening_hours_keep_their_wall_clock_time_across_both_dst_changes():
    hours = BusinessHours.from_config(
        Config(business_hours={"sun": [["08:00", "17:00"]]}), "America/New_York"
    )
    # Spring forward (Sunday 2026-03-08): 8 AM is 12:00 UTC, a week earlier it was 13:00 UTC.
    assert hours.intervals_on(date(2026, 3, 8))[0][0] == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    assert hours.intervals_on(date(2026, 3, 1))[0][0] == datetime(2026, 3, 1, 13, 0, tzinfo=UTC)
    # Fall back (Sunday 2026-11-01): 5 PM closing is 22:00 UTC that day, 21:00 UTC the week before.
    assert hours.intervals_on(date(2026, 11, 1))[0][1] == datetime(2026, 11, 1, 22, 0, tzinfo=UTC)
    assert hours.intervals_on(date(2026, 10, 25))[0][1] == datetime(2026, 10, 25, 21, 0, tzinfo=UTC)


def test_malformed_stored_hours_are_skipped_not_fatal():
    config = Config(
        business_hours={"mon": [["9am", "5pm"], ["10:00"]], "tue": "closed"}, hours_overrides={"x": []}
    )
    hours = BusinessHours.from_config(config, "Not/AZone")
    assert hours.describe() == "By appointment only"
    assert hours.timezone.key == "UTC"
