"""Queueing notifications inside the transaction of the change that causes them (a booking, a call end).

The jobs decide at run time whether the business's plan and settings want them, and send each once.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from voxi.core.db import Database
from voxi.core.jobs import defer
from voxi.core.tenant_context import current_tenant_id
from voxi.notifications import jobs


async def queue_booking_confirmation(session: AsyncSession, appointment_id: uuid.UUID) -> None:
    await defer(
        session,
        jobs.booking_confirmation,
        tenant_id=str(current_tenant_id()),
        appointment_id=str(appointment_id),
    )


async def queue_after_call_summary(session: AsyncSession, call_id: uuid.UUID) -> None:
    await defer(session, jobs.call_summary, tenant_id=str(current_tenant_id()), call_id=str(call_id))


async def queue_daily_digest(db: Database, *, digest_hour: int, now: datetime) -> int:
    """What the hourly periodic job runs: one digest job per business at its digest hour; how many."""
    from voxi.notifications.digest import queue_due_digests

    return await queue_due_digests(db, digest_hour, now)
