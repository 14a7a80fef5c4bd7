"""The configuration a new business starts with, by industry."""

from __future__ import annotations

from typing import Any

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
INDUSTRIES = ("hvac", "plumbing", "electrical", "other")

_SERVICES: dict[str, list[tuple[str, int]]] = {
    "hvac": [
        ("AC repair", 120),
        ("Furnace repair", 120),
        ("System tune-up", 90),
        ("New system estimate", 60),
    ],
    "plumbing": [
        ("Leak repair", 90),
        ("Drain cleaning", 90),
        ("Water heater service", 120),
        ("Estimate", 60),
    ],
    "electrical": [
        ("Troubleshooting", 90),
        ("Panel upgrade estimate", 60),
        ("Outlet/switch install", 60),
        ("EV charger install estimate", 60),
    ],
    "other": [("Service call", 90), ("Estimate", 60)],
}


def default_business_hours() -> dict[str, Any]:
    return {day: ([["08:00", "17:00"]] if day not in ("sat", "sun") else []) for day in WEEKDAYS}


def default_services(industry: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "duration_minutes": minutes}
        for name, minutes in _SERVICES.get(industry, _SERVICES["other"])
    ]


def default_greeting(business_name: str) -> str:
    return f"Thanks for calling {business_name}!"
