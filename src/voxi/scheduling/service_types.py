"""Service types from `TenantConfig.services`: name, duration, arrival window and buffer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_DURATION = 60


@dataclass(frozen=True)
class ServiceType:
    name: str
    duration_minutes: int = DEFAULT_DURATION
    arrival_window_minutes: int = 0  # the crew may arrive any time in this window after the start
    buffer_minutes: int = 0  # travel/clean-up after the visit

    @property
    def blocked_minutes(self) -> int:
        """How long one booking takes a crew: the latest arrival, the visit, then the buffer."""
        return self.arrival_window_minutes + self.duration_minutes + self.buffer_minutes

    def spoken_duration(self) -> str:
        hours, minutes = divmod(self.duration_minutes, 60)
        parts = ([f"{hours} hour" + ("s" if hours > 1 else "")] if hours else []) + (
            [f"{minutes} minutes"] if minutes else []
        )
        return " ".join(parts)


def _minutes(value: Any, default: int, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(number, low), high)


def service_types(raw: Any) -> list[ServiceType]:
    """The configured services; malformed entries are skipped rather than failing a call."""
    result = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict) or not str(item.get("name") or "").strip():
            continue
        result.append(
            ServiceType(
                name=str(item["name"]).strip(),
                duration_minutes=_minutes(item.get("duration_minutes"), DEFAULT_DURATION, 15, 720),
                arrival_window_minutes=_minutes(item.get("arrival_window_minutes"), 0, 0, 480),
                buffer_minutes=_minutes(item.get("buffer_minutes"), 0, 0, 240),
            )
        )
    return result


def find_service(services: list[ServiceType], name: str | None) -> ServiceType | None:
    """The service a caller named: exact name, else one containing the words; the only one if one."""
    if not services:
        return None
    wanted = (name or "").strip().lower()
    if not wanted:
        return services[0] if len(services) == 1 else None
    for service in services:
        if service.name.lower() == wanted:
            return service
    for service in services:
        if wanted in service.name.lower() or service.name.lower() in wanted:
            return service
    return None


def general_visit() -> ServiceType:
    """What a business with no configured services books: a one-hour service call."""
    return ServiceType("Service call")
