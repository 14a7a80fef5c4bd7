"""The CallLog lifecycle: open (idempotent per CallSid), turns, outcome, close (cost → TenantUsage).

Every engine and the simulator go through these four functions, so a call leaves the same record
whichever way it was answered. The request/job boundary commits; nothing here does.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.calls.models import CallLog
from voxi.calls.new_calls import COLUMNS, new_call_logs
from voxi.core.db import Database, activate_tenant
from voxi.core.errors import NotFound
from voxi.core.settings import Settings
from voxi.core.tenant_context import current_tenant_id
from voxi.notifications.service import queue_after_call_summary
from voxi.tenancy.models import TenantUsage

Role = Literal["caller", "agent", "tool"]

# "Stronger" outcomes win: a call that booked a job and later took a message stays "booked".
OUTCOME_STRENGTH = {
    "emergency": 5,
    "booked": 4,
    "transferred": 3,
    "message": 2,
    "info": 1,
    "spam": 0,
    "abandoned": 0,
}
URGENCY_RANK = {"low": 0, "normal": 1, "high": 2, "urgent": 2, "emergency": 3, "life_safety": 3}
TERMINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
# Calls that never reached the AI (forwarded or sent to voicemail) cost no AI minutes.
NO_AI_ENGINES = frozenset({"forward", "voicemail"})


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CostRates:
    """Cents per started minute; from TELEPHONY_COST_PER_MIN_CENTS and AI_COST_PER_MIN_CENTS."""

    telephony_per_min_cents: float
    ai_per_min_cents: float

    @classmethod
    def from_settings(cls, settings: Settings) -> CostRates:
        return cls(settings.telephony_cost_per_min_cents, settings.ai_cost_per_min_cents)


DEFAULT_RATES = CostRates(
    Settings.model_fields["telephony_cost_per_min_cents"].default,
    Settings.model_fields["ai_cost_per_min_cents"].default,
)


@dataclass(slots=True)
class NewCall:
    """A new call's log before it is inserted: routing names the call, the engine fills in how it starts."""

    tenant_id: uuid.UUID
    call_sid: str
    from_number: str
    to_number: str
    engine: str
    transcript: list[dict[str, Any]] = field(default_factory=list)
    conversation: dict[str, Any] = field(default_factory=dict)
    id: uuid.UUID = field(default_factory=uuid.uuid4)  # a retried webhook gets its first row's id instead


async def open_call(
    session: AsyncSession,
    *,
    call_sid: str,
    from_number: str,
    to_number: str,
    engine: str,
    is_test: bool = False,
) -> CallLog:
    """The call's log, created on first sight of `call_sid` (a retried webhook finds the same row)."""
    call = NewCall(current_tenant_id(), call_sid, from_number, to_number, engine)
    inserted = await session.scalar(_OPEN_CALL, _call_row(call, is_test=is_test))
    return inserted if inserted is not None else await _first_logged(session, call_sid)


async def log_new_call(db: Database, call: NewCall) -> uuid.UUID:
    """Insert a new call's log outside any transaction (in a group commit); the logged row's id.

    The answering webhook's fast path. A retried webhook (same CallSid) inserts nothing and gets the
    first row's id.
    """
    if await new_call_logs(db).insert(_call_row(call)):
        return call.id
    async with db.sessions() as session:
        await activate_tenant(session, call.tenant_id)
        return (await _first_logged(session, call.call_sid)).id


def _call_row(call: NewCall, *, is_test: bool = False) -> dict[str, Any]:
    """The values of a new call's row (`new_calls.COLUMNS`)."""
    return {
        "tenant_id": call.tenant_id,
        "id": call.id,
        "call_sid": call.call_sid,
        "from_number": call.from_number[:32],
        "to_number": call.to_number[:32],
        "engine": call.engine,
        "started_at": now(),
        "is_test": is_test,
        "transcript": call.transcript,
        "conversation": call.conversation,
    }


# A new call's row (values bound at execution: `_call_row`); nothing on a CallSid already logged. Built
# once: SQLAlchemy remembers a reused statement's cache key, while a statement built per call with
# literal values costs more Python than the insert's round trip.
_OPEN_CALL = (
    insert(CallLog)
    .values({name: bindparam(name) for name in COLUMNS})
    .on_conflict_do_nothing(index_elements=["tenant_id", "call_sid"])
    .returning(CallLog)
)


async def _first_logged(session: AsyncSession, call_sid: str) -> CallLog:
    existing = await call_by_sid(session, call_sid)
    if existing is None:  # pragma: no cover - the conflicting row is in this tenant by construction
        raise NotFound("This call is not logged.")
    return existing


async def call_by_sid(session: AsyncSession, call_sid: str) -> CallLog | None:
    return await session.scalar(select(CallLog).where(CallLog.call_sid == call_sid))


async def _call(session: AsyncSession, call_id: uuid.UUID) -> CallLog:
    call = await session.get(CallLog, (current_tenant_id(), call_id))
    if call is None:
        raise NotFound("This call is not logged.")
    return call


def turn(role: Role, text: str) -> dict[str, Any]:
    return {"role": role, "text": text, "at": now().isoformat()}


async def append_turn(session: AsyncSession, call_id: uuid.UUID, role: Role, text: str) -> None:
    """Add one line to the transcript (one call's webhooks arrive one after another)."""
    call = await _call(session, call_id)
    call.transcript = [*call.transcript, turn(role, text)]


async def set_outcome(
    session: AsyncSession,
    call_id: uuid.UUID,
    outcome: str,
    *,
    urgency: str | None = None,
    summary: str | None = None,
) -> None:
    """Record what came of the call; a weaker outcome never replaces a stronger one (nor its summary)."""
    if outcome not in OUTCOME_STRENGTH:
        raise ValueError(f"unknown call outcome {outcome!r}")
    call = await _call(session, call_id)
    current = OUTCOME_STRENGTH.get(call.outcome or "", -1)
    if OUTCOME_STRENGTH[outcome] >= current:
        call.outcome = outcome
        if summary:
            call.summary = summary[:500]
    if urgency and URGENCY_RANK.get(urgency, 1) > URGENCY_RANK.get(call.urgency, 1):
        call.urgency = urgency


async def close_call(
    session: AsyncSession,
    call_sid: str,
    *,
    status: str,
    duration_seconds: int,
    rates: CostRates | None = None,
) -> CallLog | None:
    """End the call once: status, duration, cost at the configured rates → this month's TenantUsage.

    A repeated status callback changes nothing. Test calls cost nothing and are not usage.
    """
    call = await call_by_sid(session, call_sid)
    if call is None or call.ended_at is not None:
        return call
    rates = rates or DEFAULT_RATES
    call.status, call.duration_seconds, call.ended_at = status, max(0, duration_seconds), now()
    if call.outcome is None:
        call.outcome = "abandoned"
    if call.is_test:
        return call
    minutes = math.ceil(call.duration_seconds / 60)
    telephony = round(minutes * rates.telephony_per_min_cents)
    ai = 0 if call.engine in NO_AI_ENGINES else round(minutes * rates.ai_per_min_cents)
    call.cost_cents = telephony + ai
    await _add_usage(session, call.started_at.date().replace(day=1), call.duration_seconds, telephony, ai)
    await queue_after_call_summary(session, call.id)  # the owner's summary (the job checks the plan)
    return call


async def _add_usage(
    session: AsyncSession, period_start: date, seconds: int, telephony_cents: int, ai_cents: int
) -> None:
    statement = insert(TenantUsage).values(
        tenant_id=current_tenant_id(),
        period_start=period_start,
        calls=1,
        call_seconds=seconds,
        sms_sent=0,
        telephony_cost_cents=telephony_cents,
        ai_cost_cents=ai_cents,
    )
    excluded = statement.excluded
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["tenant_id", "period_start"],
            set_={
                "calls": TenantUsage.calls + 1,
                "call_seconds": TenantUsage.call_seconds + excluded.call_seconds,
                "telephony_cost_cents": TenantUsage.telephony_cost_cents + excluded.telephony_cost_cents,
                "ai_cost_cents": TenantUsage.ai_cost_cents + excluded.ai_cost_cents,
                "updated_at": now(),
            },
        )
    )
