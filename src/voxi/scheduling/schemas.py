from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from voxi.core.schemas import ApiModel
from voxi.scheduling.models import AppointmentStatus


class CustomerRef(ApiModel):
    id: uuid.UUID
    name: str
    phone: str


class AppointmentOut(ApiModel):
    id: uuid.UUID
    service: str
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus
    crew: int
    address: str | None
    notes: str
    source: str
    customer: CustomerRef | None
    created_at: datetime


class AppointmentIn(ApiModel):
    """A booking made by the business itself (dashboard/API): hours and notice are not enforced, crews are."""

    service: Annotated[str, Field(min_length=1, max_length=120)]
    starts_at: datetime
    customer_name: Annotated[str, Field(max_length=120)] = ""
    customer_phone: Annotated[str, Field(max_length=32)] | None = None
    address: Annotated[str, Field(max_length=300)] | None = None
    notes: Annotated[str, Field(max_length=2000)] = ""


class AppointmentPatch(ApiModel):
    starts_at: datetime | None = None
    status: Literal["booked", "completed", "canceled"] | None = None
    address: Annotated[str, Field(max_length=300)] | None = None
    notes: Annotated[str, Field(max_length=2000)] | None = None
