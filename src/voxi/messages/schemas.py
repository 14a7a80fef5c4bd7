from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, field_validator

from voxi.core.schemas import ApiModel
from voxi.tenancy.schemas import check_phone

MessageStatus = Literal["new", "read", "done"]
MESSAGE_STATUSES: tuple[MessageStatus, ...] = ("new", "read", "done")
Urgency = Literal["low", "normal", "high", "urgent"]


class MessageOut(ApiModel):
    id: uuid.UUID
    call_id: uuid.UUID | None
    caller_name: str
    caller_phone: str
    body: str
    urgency: str
    status: str
    created_at: datetime


class MessageIn(ApiModel):
    """A message taken by hand (e.g. by staff on the phone); the receptionist's own come from calls."""

    caller_name: Annotated[str, Field(max_length=120)] = ""
    caller_phone: str | None = None
    body: Annotated[str, Field(min_length=1, max_length=4000)]
    urgency: Urgency = "normal"

    _phone = field_validator("caller_phone")(check_phone)


class MessagePatch(ApiModel):
    status: MessageStatus | None = None  # omitted: unchanged
