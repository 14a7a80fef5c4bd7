"""The settings page's forms ↔ `BusinessPatch` / the escalation contacts: parsing and field errors.

Pure functions: a submitted form in, the patch (or contacts) and per-field error messages out, so a
section re-renders with what the owner typed next to what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from voxi.emergencies.schemas import ContactIn
from voxi.tenancy.defaults import WEEKDAYS
from voxi.tenancy.schemas import BusinessPatch

SECTIONS = ("hours", "booking", "services", "areas", "emergency", "phone", "ai", "notifications")
BOOKING_FIELDS = ("min_notice_hours", "horizon_days", "capacity", "slot_minutes", "hold_minutes")
DAY_NAMES = dict(
    zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"), strict=True)
)
CLOSED = ("", "closed", "off", "-")
_RANGE = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*[-–to]+\s*(\d{1,2})(?::(\d{2}))?\s*$")


class FormData(Mapping[str, Any]):
    """A submitted form: single values by key, repeated fields with `all`."""

    def __init__(self, items: Sequence[tuple[str, str]]) -> None:
        self._items = list(items)
        self._first: dict[str, str] = {}
        for key, value in self._items:
            self._first.setdefault(key, value)

    def __getitem__(self, key: str) -> str:
        return self._first[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._first)

    def __len__(self) -> int:
        return len(self._first)

    def text(self, key: str) -> str:
        return self._first.get(key, "").strip()

    def all(self, key: str) -> list[str]:
        return [value.strip() for k, value in self._items if k == key]

    def checked(self, key: str) -> bool:
        return key in self._first


@dataclass
class Parsed:
    """A section's result: what to save, or the errors to show (keyed by form field name)."""

    patch: dict[str, Any] = field(default_factory=dict)
    contacts: list[ContactIn] | None = None
    errors: dict[str, str] = field(default_factory=dict)


def format_intervals(intervals: list[list[str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in intervals) if intervals else "closed"


def _hhmm(hour: str, minute: str | None) -> str:
    return f"{int(hour):02d}:{minute or '00'}"


def parse_intervals(text: str) -> list[list[str]]:
    """ "8:00-12:00, 13:00-17:00" → [["08:00","12:00"], ["13:00","17:00"]]; "closed" → []."""
    if text.strip().lower() in CLOSED:
        return []
    intervals = []
    for part in text.split(","):
        found = _RANGE.match(part)
        if not found:
            raise ValueError("Use opening hours like 08:00-17:00 (or “closed”).")
        intervals.append([_hhmm(found.group(1), found.group(2)), _hhmm(found.group(3), found.group(4))])
    return intervals


def _hours(form: FormData) -> Parsed:
    result = Parsed()
    weekly: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        try:
            weekly[day] = parse_intervals(form.text(f"hours_{day}"))
        except ValueError as exc:
            result.errors[f"hours_{day}"] = str(exc)
    overrides: dict[str, list[list[str]]] = {}
    for line in form.text("overrides").splitlines():
        if not line.strip():
            continue
        day, _, rest = line.strip().partition(" ")
        try:
            overrides[day] = parse_intervals(rest)
        except ValueError as exc:
            result.errors["overrides"] = f"{line.strip()}: {exc}"
    result.patch = {"businessHours": weekly, "hoursOverrides": overrides}
    return result


def _booking(form: FormData) -> Parsed:
    # Pydantic reports a missing or non-numeric field against its own name.
    return Parsed(patch={"bookingRules": {name: form.text(name) for name in BOOKING_FIELDS}})


def _services(form: FormData) -> Parsed:
    services = []
    for name, minutes in zip(form.all("service_name"), form.all("service_minutes"), strict=False):
        if name:
            services.append({"name": name, "durationMinutes": minutes or "60"})
    return Parsed(patch={"services": services})


def _areas(form: FormData) -> Parsed:
    areas = [a.strip() for a in re.split(r"[,\n]", form.text("service_areas")) if a.strip()]
    return Parsed(patch={"serviceAreas": areas})


def _emergency(form: FormData) -> Parsed:
    result = Parsed(contacts=[])
    rows = zip(form.all("contact_name"), form.all("contact_phone"), form.all("contact_role"), strict=False)
    for index, (name, phone, role) in enumerate(rows):
        if not name and not phone:
            continue
        try:
            result.contacts.append(ContactIn(name=name, phone=phone, role=role))  # type: ignore[union-attr, arg-type]
        except ValidationError as exc:
            for error in exc.errors():
                where = "phone" if error["loc"][0] == "phone" else "name"
                result.errors[f"contact_{where}_{index}"] = _message(error)
    result.patch = {
        "emergencySettings": {
            "enabled": form.checked("enabled"),
            "noHeatAtOrBelowF": form.text("no_heat_at_or_below_f") or 32,
            "noAcAtOrAboveF": form.text("no_ac_at_or_above_f") or 95,
            "ackTimeoutMinutes": form.text("ack_timeout_minutes") or 5,
            "escalateKinds": form.all("escalate_kinds"),
        }
    }
    return result


def _phone(form: FormData) -> Parsed:
    return Parsed(
        patch={
            "forwardingNumber": form.text("forwarding_number"),
            "emergencyNumber": form.text("emergency_number"),
        }
    )


def _ai(form: FormData) -> Parsed:
    patch = {
        "greeting": form.text("greeting"),
        "personality": form.text("personality"),
        "voice": form.text("voice"),
        "recordingEnabled": form.checked("recording_enabled"),
    }
    if "voice_engine" in form:  # only Enterprise forms offer the choice
        patch["voiceEngine"] = form.text("voice_engine")
    return Parsed(patch=patch)


def _notifications(form: FormData) -> Parsed:
    return Parsed(
        patch={
            "notificationSettings": {
                "summaryBySms": form.checked("summary_by_sms"),
                "summaryByEmail": form.checked("summary_by_email"),
                "summaryPhone": form.text("summary_phone") or None,
                "dailyDigest": form.checked("daily_digest"),
                "bookingConfirmations": form.checked("booking_confirmations"),
            }
        }
    )


_PARSERS = {
    "hours": _hours,
    "booking": _booking,
    "services": _services,
    "areas": _areas,
    "emergency": _emergency,
    "phone": _phone,
    "ai": _ai,
    "notifications": _notifications,
}

# BusinessPatch's error locations → the form field that shows them.
_FIELD_OF = {
    "businessHours": "hours",
    "hoursOverrides": "overrides",
    "services": "services",
    "serviceAreas": "service_areas",
    "forwardingNumber": "forwarding_number",
    "emergencyNumber": "emergency_number",
    "greeting": "greeting",
    "personality": "personality",
    "voice": "voice",
    "voiceEngine": "voice_engine",
    "emergencySettings": "{1}",
    "notificationSettings": "{1}",
    "bookingRules": "{1}",
}


def _message(error: Any) -> str:
    return str(error.get("msg", "Invalid value")).removeprefix("Value error, ")


def _form_field(loc: tuple[Any, ...]) -> str:
    template = _FIELD_OF.get(str(loc[0]), str(loc[0]))
    second = str(loc[1]) if len(loc) > 1 else ""
    # camelCase settings keys → the form's snake_case names
    second = re.sub(r"(?<!^)(?=[A-Z])", "_", second).lower()
    return template.replace("{1}", second) if "{1}" in template else template


def parse_section(section: str, form: FormData) -> tuple[BusinessPatch | None, Parsed]:
    """The section's patch when everything is valid; otherwise None and the errors."""
    parsed = _PARSERS[section](form)
    try:
        patch = BusinessPatch.model_validate(parsed.patch)
    except ValidationError as exc:
        for error in exc.errors():
            parsed.errors.setdefault(_form_field(tuple(error["loc"])), _message(error))
        return None, parsed
    return (None if parsed.errors else patch), parsed
