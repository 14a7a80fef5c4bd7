"""Showing stored UTC instants in the business's own timezone: the `local_time` Jinja filter.

Instants are stored and returned by the API in UTC; only the dashboard's HTML converts them. `render`
puts the logged-in business's IANA timezone in every page's context as `tenant_tz`, so a template
writes `{{ call.started_at | local_time(tenant_tz) }}` → "Nov 21, 5:27 AM CST".
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment

DEFAULT_FORMAT = "%b %-d, %-I:%M %p %Z"  # Nov 21, 5:27 AM CST
WITH_YEAR = "%b %-d, %Y, %-I:%M %p %Z"  # Nov 21, 2026, 5:27 AM CST
DATE_ONLY = "%B %-d, %Y"  # November 21, 2026


def zone(tz: tzinfo | str | None) -> tzinfo:
    """The timezone to show times in: a tzinfo as is, an IANA name, UTC when unknown or missing."""
    if isinstance(tz, tzinfo):
        return tz
    if tz:
        try:
            return ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return UTC


def local_time(value: datetime | None, tz: tzinfo | str | None = None, format: str = DEFAULT_FORMAT) -> str:
    """`value` (an aware instant; naive is taken as UTC) in `tz`, formatted; "" for None."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone(tz)).strftime(format)


def install(env: Environment) -> None:
    """Register the filter and its formats on the templates' environment (once, in `create_app`)."""
    env.filters["local_time"] = local_time
    env.globals.update(TIME_WITH_YEAR=WITH_YEAR, DATE_ONLY=DATE_ONLY)
