"""Slot arithmetic, pure: candidate start times per local date, and which crew is free for one.

Weekly hours are expanded per LOCAL date in the tenant's timezone and only then turned into UTC
instants (see `agent.hours`), so a 9 AM slot stays 9 AM across daylight-saving changes.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from operator import attrgetter

from voxi.agent.hours import BusinessHours, exists_locally, format_clock, local_instant
from voxi.scheduling.service_types import ServiceType


@dataclass(frozen=True)
class Rules:
    """A tenant's booking rules (from `SchedulingSettings`, or its defaults)."""

    min_notice_hours: int = 2
    horizon_days: int = 30
    capacity: int = 1
    slot_minutes: int = 60
    hold_minutes: int = 5


@dataclass(frozen=True)
class Block:
    """A crew taken from `starts_at` to `blocked_until` by a held or booked appointment."""

    crew: int
    starts_at: datetime
    blocked_until: datetime


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC: the visit's end when the crew arrives at the start
    service: str
    label: str  # "Tuesday March 10 at 9 AM", in the tenant's timezone
    arrival_window_ends_at: datetime | None = None

    def as_data(self) -> dict[str, str | None]:
        """The slot as a tool result's data: ISO instants (UTC) and the spoken label."""
        return {
            "start": self.starts_at.isoformat(),
            "end": self.ends_at.isoformat(),
            "service": self.service,
            "label": self.label,
            "arrival_window_end": (
                self.arrival_window_ends_at.isoformat() if self.arrival_window_ends_at else None
            ),
        }


def spoken_moment(moment: datetime, hours: BusinessHours) -> str:
    local = moment.astimezone(hours.timezone)
    return f"{local:%A} {local:%B} {local.day} at {format_clock(local)}"


def starts_on(day: date, hours: BusinessHours, service: ServiceType, rules: Rules) -> list[datetime]:
    """Every start on one local date where the visit fits inside an opening, on the slot grid."""
    starts = []
    step = max(rules.slot_minutes, 5)
    for open_minute, close_minute in hours.openings_on(day):
        minute = open_minute
        while minute + service.duration_minutes <= close_minute:
            if exists_locally(day, minute, hours.timezone):  # skip wall-clock times DST skips
                starts.append(local_instant(day, minute, hours.timezone))
            minute += step
    return starts


def bookable_window(now: datetime, rules: Rules) -> tuple[datetime, datetime]:
    """Earliest and latest start the rules allow (minimum notice, booking horizon)."""
    return now + timedelta(hours=rules.min_notice_hours), now + timedelta(days=rules.horizon_days)


def candidate_starts(
    hours: BusinessHours, service: ServiceType, rules: Rules, first_day: date, days: int, now: datetime
) -> list[datetime]:
    earliest, latest = bookable_window(now, rules)
    result = []
    for offset in range(max(days, 0)):
        result += [s for s in starts_on(first_day + timedelta(days=offset), hours, service, rules)]
    return [s for s in result if earliest <= s <= latest]


class Occupancy:
    """The crews blocks take, sorted once: each candidate start then looks only at the blocks near it."""

    def __init__(self, blocks: Iterable[Block]) -> None:
        self._blocks = sorted(blocks, key=attrgetter("starts_at"))
        self._starts = [block.starts_at for block in self._blocks]
        self._longest = max((b.blocked_until - b.starts_at for b in self._blocks), default=timedelta(0))

    def free_crew(self, start: datetime, end: datetime, capacity: int) -> int | None:
        """The first crew with nothing overlapping [start, end), or None when every crew is taken."""
        # A block ends at most `_longest` after it starts, so only those starting in that reach can overlap.
        first = bisect_right(self._starts, start - self._longest)
        near = self._blocks[first : bisect_left(self._starts, end, lo=first)]
        busy = {block.crew for block in near if start < block.blocked_until}
        return next((crew for crew in range(1, capacity + 1) if crew not in busy), None)


def make_slot(start: datetime, service: ServiceType, hours: BusinessHours) -> Slot:
    window_end = (
        start + timedelta(minutes=service.arrival_window_minutes) if service.arrival_window_minutes else None
    )
    return Slot(
        starts_at=start,
        ends_at=start + timedelta(minutes=service.duration_minutes),
        service=service.name,
        label=spoken_moment(start, hours),
        arrival_window_ends_at=window_end,
    )


def blocked_until(start: datetime, service: ServiceType) -> datetime:
    return start + timedelta(minutes=service.blocked_minutes)
