"""Slots are expanded per local date and stored as UTC instants: both US DST changes, two zones."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from voxi.agent.hours import BusinessHours
from voxi.scheduling.service_types import ServiceType, service_types
from voxi.scheduling.slots import Block, Occupancy, Rules, candidate_starts, starts_on

EVERY_DAY_8_TO_5 = {d: [["08:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
ONE_HOUR = ServiceType("Visit", 60)
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass
class Config:
    business_hours: dict[str, Any] = field(default_factory=lambda: dict(EVERY_DAY_8_TO_5))
    hours_overrides: dict[str, Any] = field(default_factory=dict)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# (zone, local date, local hour) → expected UTC instant. Standard time: NY −5, Chicago −6; daylight: −4, −5.
CASES = [
    ("America/New_York", date(2026, 3, 7), 9, utc(2026, 3, 7, 14)),
    ("America/New_York", date(2026, 3, 8), 9, utc(2026, 3, 8, 13)),
    ("America/New_York", date(2026, 3, 8), 14, utc(2026, 3, 8, 18)),
    ("America/New_York", date(2026, 3, 9), 14, utc(2026, 3, 9, 18)),
    ("America/Chicago", date(2026, 3, 7), 14, utc(2026, 3, 7, 20)),
    ("America/Chicago", date(2026, 3, 8), 9, utc(2026, 3, 8, 14)),
    ("America/Chicago", date(2026, 3, 8), 14, utc(2026, 3, 8, 19)),
    ("America/New_York", date(2026, 10, 31), 14, utc(2026, 10, 31, 18)),
    ("America/New_York", date(2026, 11, 1), 9, utc(2026, 11, 1, 14)),
    ("America/New_York", date(2026, 11, 1), 14, utc(2026, 11, 1, 19)),
    ("America/Chicago", date(2026, 10, 31), 9, utc(2026, 10, 31, 14)),
    ("America/Chicago", date(2026, 11, 1), 9, utc(2026, 11, 1, 15)),
    ("America/Chicago", date(2026, 11, 1), 14, utc(2026, 11, 1, 20)),
]


@pytest.mark.parametrize(("zone", "day", "hour", "expected"), CASES)
def test_a_local_slot_time_becomes_the_right_utc_instant(zone, day, hour, expected):
    hours = BusinessHours.from_config(Config(), zone)
    starts = starts_on(day, hours, ONE_HOUR, Rules())
    assert len(starts) == 9  # 8 AM … 4 PM: DST neither adds nor drops a slot on a daytime schedule
    assert expected in starts
    assert expected.astimezone(hours.timezone).hour == hour


def test_slots_across_the_spring_gap_skip_the_missing_hour_without_duplicates():
    night = {d: [["00:00", "06:00"]] for d in EVERY_DAY_8_TO_5}
    hours = BusinessHours.from_config(Config(business_hours=night), "America/New_York")
    starts = starts_on(date(2026, 3, 8), hours, ONE_HOUR, Rules())
    local_hours = [s.astimezone(hours.timezone).hour for s in starts]
    assert local_hours == [0, 1, 3, 4, 5]  # 2 AM does not exist that night
    assert len(set(starts)) == len(starts)


def test_slots_on_the_fall_back_night_take_the_first_1_am():
    night = {d: [["00:00", "03:00"]] for d in EVERY_DAY_8_TO_5}
    hours = BusinessHours.from_config(Config(business_hours=night), "America/Chicago")
    starts = starts_on(date(2026, 11, 1), hours, ONE_HOUR, Rules())
    assert starts == [utc(2026, 11, 1, 5), utc(2026, 11, 1, 6), utc(2026, 11, 1, 8)]


def test_notice_and_horizon_trim_the_candidates():
    hours = BusinessHours.from_config(Config(), "America/New_York")
    now = utc(2026, 3, 10, 13, 30)  # 9:30 AM EDT
    rules = Rules(min_notice_hours=2, horizon_days=1)
    starts = candidate_starts(hours, ONE_HOUR, rules, date(2026, 3, 10), 5, now)
    assert starts[0] == utc(2026, 3, 10, 16)  # noon local: the first start 2 hours out
    assert starts[-1] <= utc(2026, 3, 11, 13, 30)


def test_a_visit_must_end_by_closing_time():
    hours = BusinessHours.from_config(Config(), "America/New_York")
    long_visit = ServiceType("Install", 180)
    starts = starts_on(date(2026, 3, 10), hours, long_visit, Rules())
    assert starts[-1].astimezone(hours.timezone).hour == 14  # 2 PM + 3 h = 5 PM


def test_the_first_free_crew_honours_blocks_and_capacity():
    start, end = utc(2026, 3, 10, 14), utc(2026, 3, 10, 15)
    blocks = [
        Block(1, utc(2026, 3, 10, 13), utc(2026, 3, 10, 15)),
        Block(2, utc(2026, 3, 10, 15), utc(2026, 3, 10, 16)),
    ]
    occupancy = Occupancy(blocks)
    assert occupancy.free_crew(start, end, capacity=1) is None
    assert occupancy.free_crew(start, end, capacity=2) == 2  # crew 2's job starts as this one ends
    assert occupancy.free_crew(end, utc(2026, 3, 10, 16), capacity=2) == 1
    assert Occupancy([]).free_crew(start, end, capacity=1) == 1


def test_the_free_crew_is_the_first_with_no_overlapping_block_whatever_the_block_lengths():
    # Occupancy looks only near each start; this checks it against every block, on random calendars
    # mixing short visits with one block far longer than the rest.
    rng = random.Random(7)
    day = utc(2026, 3, 10)
    for _ in range(200):
        blocks = []
        for _ in range(rng.randint(0, 12)):
            start = day + timedelta(minutes=15 * rng.randint(0, 96))
            blocks.append(Block(rng.randint(1, 3), start, start + timedelta(minutes=15 * rng.randint(1, 16))))
        if rng.random() < 0.5:
            blocks.append(Block(rng.randint(1, 3), day - timedelta(hours=10), day + timedelta(hours=12)))
        occupancy = Occupancy(blocks)
        for minute in range(0, 24 * 60, 15):
            start = day + timedelta(minutes=minute)
            end = start + timedelta(minutes=60)
            busy = {b.crew for b in blocks if b.starts_at < end and start < b.blocked_until}
            expected = next((crew for crew in (1, 2, 3) if crew not in busy), None)
            assert occupancy.free_crew(start, end, capacity=3) == expected


def test_service_types_read_the_optional_window_and_buffer():
    parsed = service_types(
        [
            {
                "name": "AC repair",
                "duration_minutes": 120,
                "arrival_window_minutes": 120,
                "buffer_minutes": 30,
            },
            {"name": "  "},
            "junk",
            {"name": "Estimate"},
        ]
    )
    assert [(s.name, s.duration_minutes, s.blocked_minutes) for s in parsed] == [
        ("AC repair", 120, 270),
        ("Estimate", 60, 60),
    ]
