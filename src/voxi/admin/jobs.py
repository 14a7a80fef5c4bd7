"""Job health for operators: procrastinate's queue, read through the audited platform session."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.admin.schemas import JobOut

JobStatus = Literal["todo", "doing", "succeeded", "failed", "cancelled", "aborting", "aborted"]

_JOBS_SQL = text(
    """
    select j.id, j.task_name, j.queue_name, j.status::text as status, j.attempts, j.args, j.scheduled_at,
           (select max(e.at) from procrastinate_events e where e.job_id = j.id) as last_event_at
    from procrastinate_jobs j
    where (cast(:status as text) is null or j.status::text = :status)
    order by j.id desc
    limit :limit
    """
)


async def list_jobs(session: AsyncSession, status: JobStatus | None, limit: int = 100) -> list[JobOut]:
    rows = await session.execute(_JOBS_SQL, {"status": status, "limit": limit})
    return [JobOut.model_validate(dict(row._mapping)) for row in rows]
