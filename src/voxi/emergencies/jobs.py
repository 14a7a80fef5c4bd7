"""Emergency background work: the escalation chain, one durable job per step."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import procrastinate
from procrastinate import JobContext
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.core.jobs import DEFAULT_RETRY, defer, jobs, services


async def schedule(
    session: AsyncSession, task: procrastinate.tasks.Task, delay: timedelta, **kwargs: Any
) -> None:
    """Queue `task` in the session's transaction, to start no earlier than `delay` from now."""
    if delay <= timedelta(0):
        await defer(session, task, **kwargs)
        return
    connection = await session.connection()
    raw = (await connection.get_raw_connection()).driver_connection
    await task.configure(connection=raw, schedule_in={"seconds": int(delay.total_seconds())}).defer_async(
        **kwargs
    )


@jobs.task(name="emergencies.escalate", pass_context=True, retry=DEFAULT_RETRY)
async def escalate(context: JobContext, tenant_id: str, emergency_id: str, step: int) -> None:
    """Text the chain's next contact, then wait for "1" until the timeout schedules the one after."""
    from voxi.emergencies.escalation import run_escalation_step

    await run_escalation_step(services(context), uuid.UUID(tenant_id), uuid.UUID(emergency_id), step)
