from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field

from voxi.core.schemas import ApiModel
from voxi.scheduling.schemas import AppointmentOut


class CustomerOut(ApiModel):
    id: uuid.UUID
    name: str
    phone: str
    email: str | None
    address: str | None
    notes: str
    sms_opt_out: bool
    last_call_at: datetime | None
    created_at: datetime


class CustomerDetail(CustomerOut):
    appointments: list[AppointmentOut]


class CustomerPatch(ApiModel):
    name: Annotated[str, Field(max_length=120)] | None = None
    email: Annotated[str, Field(max_length=254)] | None = None
    address: Annotated[str, Field(max_length=500)] | None = None
    notes: Annotated[str, Field(max_length=4000)] | None = None
