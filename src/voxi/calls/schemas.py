"""The calls API's shapes (camelCase on the wire)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field

from voxi.core.schemas import ApiModel

OutcomeName = Literal["booked", "message", "emergency", "transferred", "info", "spam", "abandoned"]
UrgencyName = Literal["low", "normal", "high", "urgent", "emergency"]


class CallQuery(ApiModel):
    """Filters of the calls list; `q` searches transcripts and summaries (PostgreSQL full text)."""

    outcome: OutcomeName | None = None
    urgency: UrgencyName | None = None
    since: date | None = None  # first day included (UTC)
    until: date | None = None  # last day included (UTC)
    test: bool | None = None  # only test calls (true), only real ones (false), or both
    q: Annotated[str, Field(max_length=200)] = ""
    page: Annotated[int, Field(ge=1)] = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 25


class CallOut(ApiModel):
    id: uuid.UUID
    call_sid: str
    from_number: str
    to_number: str
    engine: str
    status: str
    started_at: datetime
    ended_at: datetime | None
    duration_seconds: int
    summary: str
    outcome: str | None
    urgency: str
    recording_url: str | None
    cost_cents: int
    is_test: bool


class TranscriptTurn(ApiModel):
    role: str
    text: str
    at: str | None = None


class CallDetail(CallOut):
    transcript: list[TranscriptTurn]
