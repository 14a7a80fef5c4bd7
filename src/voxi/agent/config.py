"""The per-call agent configuration: dynamic variables, system prompt, first message and voice (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from voxi.agent.hours import BusinessHours, format_clock
from voxi.agent.prompt import BusinessFacts, first_message, system_prompt
from voxi.agent.voices import VoiceConfig, voice_config
from voxi.scheduling.service_types import service_types
from voxi.tenancy.defaults import default_greeting
from voxi.tenancy.models import Tenant, TenantConfig

# The variables the shared ElevenLabs agent is built on: every one, every call (a missing one fails it).
VARIABLE_NAMES = (
    "business_name",
    "greeting",
    "services",
    "hours",
    "emergency_phone",
    "owner_name",
    "business_id",
)
NO_SERVICES = "general home service calls"
NO_AREAS = "all areas (no restriction configured)"
NO_EMERGENCY_PHONE = "none on file"


@dataclass(frozen=True)
class AgentConfig:
    variables: dict[str, str]
    system_prompt: str
    first_message: str
    voice: VoiceConfig
    is_open: bool
    next_opening: datetime | None


def describe_services(config: TenantConfig) -> str:
    services = service_types(config.services)
    if not services:
        return NO_SERVICES
    return ", ".join(f"{s.name} ({s.spoken_duration()})" for s in services)


def describe_areas(config: TenantConfig) -> str:
    areas = [str(a).strip() for a in (config.service_areas or []) if str(a).strip()]
    return ", ".join(areas) if areas else NO_AREAS


def describe_opening(moment: datetime | None, hours: BusinessHours, now: datetime) -> str:
    if moment is None:
        return "none scheduled"
    local, today = moment.astimezone(hours.timezone), now.astimezone(hours.timezone).date()
    day = "today" if local.date() == today else f"{local:%A} {local:%B} {local.day}"
    return f"{day} at {format_clock(local)}"


def opening_words(
    tenant: Tenant, config: TenantConfig, now: datetime, hours: BusinessHours | None = None
) -> tuple[str, bool]:
    """The first message (disclosure first) and whether the business is open at `now`.

    What a call's first seconds need, without building the rest of the configuration. `hours`: the
    business's hours when the caller already has them (else they are read from `config`).
    """
    name = _spoken_name(tenant)
    message = first_message(name, _spoken_greeting(config, name), recording=bool(config.recording_enabled))
    return message, (hours or business_hours(tenant, config)).is_open_at(now)


def _spoken_name(tenant: Tenant) -> str:
    return (tenant.name or "").strip() or "our office"


def _spoken_greeting(config: TenantConfig, name: str) -> str:
    return (config.greeting or "").strip() or default_greeting(name)


def business_hours(tenant: Tenant, config: TenantConfig) -> BusinessHours:
    return BusinessHours.from_config(config, tenant.timezone or "UTC")


def build_agent_config(
    tenant: Tenant, config: TenantConfig, *, phone_numbers: list[str], now: datetime, engine: str
) -> AgentConfig:
    """Everything an engine needs to answer for this business; no I/O."""
    name = _spoken_name(tenant)
    hours = business_hours(tenant, config)
    is_open = hours.is_open_at(now)
    next_opening = None if is_open else hours.next_opening(now)
    greeting = _spoken_greeting(config, name)
    emergency_phone = (
        config.emergency_number or config.forwarding_number or (phone_numbers[0] if phone_numbers else "")
    ) or NO_EMERGENCY_PHONE
    owner_name = (config.owner_name or "").strip() or "the owner"
    variables = {
        "business_name": name,
        "greeting": greeting,
        "services": describe_services(config),
        "hours": hours.describe(),
        "emergency_phone": emergency_phone,
        "owner_name": owner_name,
        "business_id": str(tenant.id),
    }
    facts = BusinessFacts(
        name=name,
        owner_name=owner_name,
        services=variables["services"],
        service_areas=describe_areas(config),
        hours=variables["hours"],
        special_days=hours.describe_special_days(now.astimezone(hours.timezone).date()),
        timezone=hours.timezone.key,
        open_now=is_open,
        next_opening=describe_opening(next_opening, hours, now),
        emergency_phone=emergency_phone,
        personality=(config.personality or "").strip(),
    )
    return AgentConfig(
        variables=variables,
        system_prompt=system_prompt(facts),
        first_message=first_message(name, greeting, recording=bool(config.recording_enabled)),
        voice=voice_config(engine, config.voice),
        is_open=is_open,
        next_opening=next_opening,
    )
