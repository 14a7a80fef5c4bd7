from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from pydantic import Field, field_validator

from voxi.core.schemas import ApiModel
from voxi.core.settings import VoiceEngineName
from voxi.emergencies.schemas import EmergencySettings
from voxi.notifications.schemas import NotificationSettings
from voxi.scheduling.slots import Rules
from voxi.telephony.numbers import to_e164
from voxi.tenancy.defaults import INDUSTRIES, WEEKDAYS
from voxi.tenancy.models import Plan, TenantStatus

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
_TIMEZONES = available_timezones()

Name = Annotated[str, Field(min_length=1, max_length=200)]


def check_timezone(value: str) -> str:
    if value not in _TIMEZONES:
        raise ValueError("Unknown timezone; use an IANA name such as America/Chicago.")
    return value


def check_industry(value: str) -> str:
    if value not in INDUSTRIES:
        raise ValueError(f"Industry must be one of: {', '.join(INDUSTRIES)}.")
    return value


def check_phone(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    e164 = to_e164(value)
    if e164 is None:
        raise ValueError("Enter a valid phone number, e.g. +1 512 555 0123.")
    return e164


def check_intervals(intervals: list[list[str]]) -> list[list[str]]:
    for interval in intervals:
        if len(interval) != 2 or not all(_HHMM.match(t) for t in interval) or interval[0] >= interval[1]:
            raise ValueError("Each opening must be [open, close] in HH:MM with open before close.")
    return intervals


class ServiceItem(ApiModel):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    duration_minutes: Annotated[int, Field(ge=15, le=720)] = 60
    # Scheduling (voxi.scheduling.service_types): the crew may arrive any time in the window; the
    # buffer (travel, clean-up) keeps the crew busy after the visit.
    arrival_window_minutes: Annotated[int, Field(ge=0, le=480)] = 0
    buffer_minutes: Annotated[int, Field(ge=0, le=240)] = 0


_RULES = Rules()


class BookingRules(ApiModel):
    """How the business takes bookings (`SchedulingSettings`); a PATCH changes only the keys it sends."""

    min_notice_hours: Annotated[int, Field(ge=0, le=168)] = _RULES.min_notice_hours
    horizon_days: Annotated[int, Field(ge=1, le=365)] = _RULES.horizon_days
    capacity: Annotated[int, Field(ge=1, le=50, description="Crews that can work at the same time.")] = (
        _RULES.capacity
    )
    slot_minutes: Annotated[int, Field(ge=15, le=240, multiple_of=15)] = _RULES.slot_minutes
    hold_minutes: Annotated[int, Field(ge=1, le=30)] = _RULES.hold_minutes


class BusinessConfig(ApiModel):
    greeting: str
    owner_name: str
    services: list[ServiceItem]
    service_areas: list[str]
    business_hours: dict[str, list[list[str]]]
    hours_overrides: dict[str, list[list[str]]]
    voice: str
    voice_engine: str | None = Field(
        description="This business's own voice engine (Enterprise); null: the default."
    )
    personality: str
    forwarding_number: str | None
    emergency_number: str | None
    recording_enabled: bool
    emergency_settings: EmergencySettings
    notification_settings: NotificationSettings
    booking_rules: BookingRules = BookingRules()


class TenantFacts(ApiModel):
    """What every view of a business shows (tenant API and admin API)."""

    id: uuid.UUID
    name: str
    industry: str
    status: TenantStatus
    plan: Plan
    timezone: str
    trial_ends_at: datetime | None
    created_at: datetime
    phone_numbers: list[str]


class BusinessOut(TenantFacts):
    website: str | None
    config: BusinessConfig


class BusinessPatch(ApiModel):
    """Fields a tenant admin may change; omitted fields stay as they are."""

    name: Name | None = None
    timezone: str | None = None
    website: Annotated[str, Field(max_length=300)] | None = None
    greeting: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    owner_name: Annotated[str, Field(max_length=120)] | None = None
    services: Annotated[list[ServiceItem], Field(max_length=50)] | None = None
    service_areas: (
        Annotated[list[Annotated[str, Field(min_length=1, max_length=80)]], Field(max_length=200)] | None
    ) = None
    business_hours: dict[str, list[list[str]]] | None = None
    hours_overrides: dict[date, list[list[str]]] | None = None
    voice: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    voice_engine: VoiceEngineName | Literal[""] | None = Field(
        default=None, description='Enterprise: the voice engine for this business; "" or null: the default.'
    )
    personality: Annotated[str, Field(max_length=2000)] | None = None
    forwarding_number: str | None = None
    emergency_number: str | None = None
    recording_enabled: bool | None = None
    emergency_settings: EmergencySettings | None = None
    notification_settings: NotificationSettings | None = None
    booking_rules: BookingRules | None = None

    _tz = field_validator("timezone")(lambda v: v if v is None else check_timezone(v))
    _phones = field_validator("forwarding_number", "emergency_number")(check_phone)
    _engine = field_validator("voice_engine")(lambda v: v or None)

    @field_validator("business_hours")
    @classmethod
    def _weekly(cls, value: dict[str, list[list[str]]] | None) -> dict[str, list[list[str]]] | None:
        if value is None:
            return None
        unknown = set(value) - set(WEEKDAYS)
        if unknown:
            raise ValueError(f"Unknown weekday(s): {', '.join(sorted(unknown))}; use {', '.join(WEEKDAYS)}.")
        return {day: check_intervals(value.get(day, [])) for day in WEEKDAYS}

    @field_validator("hours_overrides")
    @classmethod
    def _overrides(cls, value: dict[date, list[list[str]]] | None) -> dict[date, list[list[str]]] | None:
        if value is None:
            return None
        return {day: check_intervals(intervals) for day, intervals in value.items()}

    def tenant_changes(self) -> dict[str, Any]:
        return self._changes(self.model_dump(exclude_unset=True, include=TENANT_FIELDS))

    def config_changes(self) -> dict[str, Any]:
        changes = self._changes(self.model_dump(exclude_unset=True, exclude=TENANT_FIELDS))
        if "hours_overrides" in changes:
            changes["hours_overrides"] = {d.isoformat(): v for d, v in changes["hours_overrides"].items()}
        return changes

    @staticmethod
    def _changes(fields: dict[str, Any]) -> dict[str, Any]:
        # An explicit null clears only what may be empty; elsewhere it means "leave as is".
        return {k: v for k, v in fields.items() if v is not None or k in CLEARABLE}


TENANT_FIELDS = {"name", "timezone", "website"}
CLEARABLE = {"website", "forwarding_number", "emergency_number", "voice_engine"}


class NewTenant(ApiModel):
    """A business and its owner, as created by the admin API, signup and the legacy import."""

    name: Name
    industry: str = "hvac"
    plan: Plan = Plan.STARTER
    status: TenantStatus = TenantStatus.TRIAL
    timezone: str = "America/New_York"
    website: Annotated[str, Field(max_length=300)] | None = None
    phone_number: str | None = Field(default=None, description="A number to route to this business (E.164).")
    forwarding_number: str | None = None
    owner_name: Annotated[str, Field(min_length=1, max_length=120)]
    owner_email: Annotated[str, Field(min_length=3, max_length=254)]
    owner_password: Annotated[str, Field(min_length=8, max_length=200)]

    _tz = field_validator("timezone")(check_timezone)
    _industry = field_validator("industry")(check_industry)
    _phones = field_validator("phone_number", "forwarding_number")(check_phone)

    @field_validator("owner_email")
    @classmethod
    def _email(cls, value: str) -> str:
        from email_validator import EmailNotValidError, validate_email

        try:
            return validate_email(value, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            raise ValueError("Enter a valid email address.") from exc
