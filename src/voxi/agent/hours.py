"""Business hours in the tenant's own timezone: weekly openings, date overrides, "open now", next opening.

Openings are expanded per LOCAL date and only then turned into instants (zoneinfo), so a daylight-saving
change never shifts "8 AM" to 7 or 9. A local time that does not exist that day (spring forward) moves
forward by the gap (02:30 → 03:30); an ambiguous one (fall back) is its first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MINUTES_PER_DAY = 24 * 60
SEARCH_DAYS = 400  # next_opening looks a little over a year ahead (long holiday closures)

Interval = tuple[int, int]  # minutes after local midnight, [open, close); close may be 1440


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    value = int(hours) * 60 + int(minutes)
    if not 0 <= value <= MINUTES_PER_DAY:
        raise ValueError(hhmm)
    return value


def _intervals(raw: Any) -> tuple[Interval, ...]:
    """Valid [open, close] pairs of a stored config; a malformed pair is skipped, not fatal to a call."""
    result = []
    for pair in raw if isinstance(raw, list) else []:
        try:
            start, end = _minutes(pair[0]), _minutes(pair[1])
        except (ValueError, IndexError, TypeError, AttributeError):
            continue
        if start < end:
            result.append((start, end))
    return tuple(sorted(result))


def local_instant(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of `minutes` after local midnight on `day` (see the module note on DST gaps)."""
    naive = datetime.combine(day, time()) + timedelta(minutes=minutes)
    return naive.replace(tzinfo=tz).astimezone(UTC)


def exists_locally(day: date, minutes: int, tz: ZoneInfo) -> bool:
    """False for a wall-clock time a spring-forward change skips (02:30 on 2026-03-08 in New York)."""
    naive = datetime.combine(day, time()) + timedelta(minutes=minutes)
    return local_instant(day, minutes, tz).astimezone(tz).replace(tzinfo=None) == naive


def format_clock(moment: datetime) -> str:
    """'9 AM', '1:30 PM' — how a receptionist says a time."""
    hour = moment.hour % 12 or 12
    suffix = "AM" if moment.hour < 12 else "PM"
    return f"{hour} {suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d} {suffix}"


def _say_minutes(minutes: int) -> str:
    if minutes == MINUTES_PER_DAY:
        return "midnight"
    return format_clock(datetime.combine(date(2000, 1, 1), time()) + timedelta(minutes=minutes))


@dataclass(frozen=True)
class BusinessHours:
    timezone: ZoneInfo
    weekly: Mapping[str, tuple[Interval, ...]]
    overrides: Mapping[date, tuple[Interval, ...]] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: Any, timezone: str) -> BusinessHours:
        """From a `TenantConfig` (business_hours, hours_overrides); an unknown timezone falls back to UTC."""
        try:
            tz = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            tz = ZoneInfo("UTC")
        weekly_raw = config.business_hours if isinstance(config.business_hours, dict) else {}
        overrides_raw = config.hours_overrides if isinstance(config.hours_overrides, dict) else {}
        overrides = {}
        for key, raw in overrides_raw.items():
            try:
                overrides[date.fromisoformat(str(key))] = _intervals(raw)
            except ValueError:
                continue
        return cls(tz, {day: _intervals(weekly_raw.get(day)) for day in WEEKDAYS}, overrides)

    def openings_on(self, day: date) -> tuple[Interval, ...]:
        """The local openings of one date: its override when there is one, else its weekday's hours."""
        if day in self.overrides:
            return self.overrides[day]
        return self.weekly.get(WEEKDAYS[day.weekday()], ())

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The openings of one local date as UTC instants."""
        return [
            (local_instant(day, start, self.timezone), local_instant(day, end, self.timezone))
            for start, end in self.openings_on(day)
        ]

    def is_open_at(self, moment: datetime) -> bool:
        day = moment.astimezone(self.timezone).date()
        return any(start <= moment < end for start, end in self.intervals_on(day))

    def next_opening(self, after: datetime) -> datetime | None:
        """The first opening time at or after `after`; None when the business never opens again."""
        if not self.has_any_hours(after):
            return None
        for day in self._days_from(after.astimezone(self.timezone).date()):
            for start, _end in self.intervals_on(day):
                if start >= after:
                    return start
        return None

    def has_any_hours(self, after: datetime) -> bool:
        today = after.astimezone(self.timezone).date()
        return any(self.weekly.values()) or any(
            intervals and day >= today for day, intervals in self.overrides.items()
        )

    def _days_from(self, first: date) -> Iterator[date]:
        for offset in range(SEARCH_DAYS):
            yield first + timedelta(days=offset)

    def describe(self) -> str:
        """The weekly hours as a receptionist would say them, e.g. 'Monday to Friday 8 AM to 5 PM; …'."""
        if not any(self.weekly.values()):
            return "By appointment only"
        groups: list[tuple[int, int, tuple[Interval, ...]]] = []
        for index, day in enumerate(WEEKDAYS):
            hours = self.weekly.get(day, ())
            if groups and groups[-1][2] == hours and groups[-1][1] == index - 1:
                groups[-1] = (groups[-1][0], index, hours)
            else:
                groups.append((index, index, hours))
        return "; ".join(self._describe_group(*group) for group in groups)

    @staticmethod
    def _describe_group(first: int, last: int, hours: tuple[Interval, ...]) -> str:
        days = DAY_NAMES[first] if first == last else f"{DAY_NAMES[first]} to {DAY_NAMES[last]}"
        if not hours:
            return f"{days} closed"
        spans = " and ".join(f"{_say_minutes(s)} to {_say_minutes(e)}" for s, e in hours)
        return f"{days} {spans}"

    def describe_special_days(self, today: date, days: int = 30) -> str:
        """Upcoming date overrides (holidays, special hours) within `days` of `today`."""
        notes = []
        for day in sorted(d for d in self.overrides if today <= d < today + timedelta(days=days)):
            hours = self.overrides[day]
            label = f"{DAY_NAMES[day.weekday()]} {day:%B} {day.day}"
            spans = " and ".join(f"{_say_minutes(s)} to {_say_minutes(e)}" for s, e in hours)
            notes.append(f"{label}: {spans}" if hours else f"{label}: closed")
        return "; ".join(notes)
