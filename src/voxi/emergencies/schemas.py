"""Emergency settings (per tenant, JSON on `tenant_configs.emergency_settings`) and escalation contacts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, field_validator

from voxi.core.schemas import ApiModel
from voxi.telephony.numbers import to_e164

EmergencyKind = Literal["gas_leak", "carbon_monoxide", "electrical_hazard", "flooding", "no_heat", "no_ac"]
EMERGENCY_KINDS: tuple[EmergencyKind, ...] = (
    "gas_leak",
    "carbon_monoxide",
    "electrical_hazard",
    "flooding",
    "no_heat",
    "no_ac",
)
KIND_LABELS: dict[str, str] = {
    "gas_leak": "Gas smell or leak",
    "carbon_monoxide": "Carbon monoxide",
    "electrical_hazard": "Sparks, smoke or burning smell",
    "flooding": "Flooding or burst pipe",
    "no_heat": "No heat in freezing weather",
    "no_ac": "No AC in extreme heat",
}
ContactRole = Literal["on_call", "backup", "owner"]
CONTACT_ROLES: tuple[ContactRole, ...] = ("on_call", "backup", "owner")


class EmergencySettings(ApiModel):
    """How one business treats emergencies; an empty JSON object means all defaults."""

    # Off: flooding / no heat / no AC are ordinary calls. Gas, CO and fire are always recognised.
    enabled: bool = True
    no_heat_at_or_below_f: Annotated[int, Field(ge=-40, le=70)] = 32
    no_ac_at_or_above_f: Annotated[int, Field(ge=70, le=130)] = 95
    escalate_kinds: list[EmergencyKind] = Field(default_factory=lambda: list(EMERGENCY_KINDS))
    ack_timeout_minutes: Annotated[int, Field(ge=1, le=60)] = 5


class ContactIn(ApiModel):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    phone: str
    role: ContactRole = "on_call"

    @field_validator("phone")
    @classmethod
    def _e164(cls, value: str) -> str:
        e164 = to_e164(value)
        if e164 is None:
            raise ValueError("Enter a valid phone number, e.g. +1 512 555 0123.")
        return e164


class ContactOut(ContactIn):
    id: uuid.UUID
    position: int


class ContactsIn(ApiModel):
    """The whole escalation chain, in order; it replaces the current one."""

    contacts: Annotated[list[ContactIn], Field(max_length=20)]


class AttemptOut(ApiModel):
    step: int
    contact_name: str
    phone: str
    channel: str
    status: str
    detail: str
    created_at: datetime
