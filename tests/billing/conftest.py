from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import psycopg
import pytest

from voxi.core.db import libpq_conninfo
from voxi.core.jobs import JobServices, run_worker
from voxi.providers import Providers


def owner_dsn(db) -> str:
    return libpq_conninfo(db.urls.owner)


@pytest.fixture
def work(settings, db) -> Callable[[Providers], Awaitable[None]]:
    """Run jobs until none is due, including the ones jobs queue (emails after a status change)."""

    # Only this test's jobs count: other tests may leave jobs behind (the queue is not truncated).
    with psycopg.connect(owner_dsn(db)) as conn:
        [(first_id,)] = conn.execute("select coalesce(max(id), 0) from procrastinate_jobs").fetchall()

    async def run(providers: Providers) -> None:
        # Up to a minute ahead: a job retried after a transient error (backoff 2, 4, … s) still counts,
        # while the number release scheduled a grace period away does not.
        for _ in range(20):
            await run_worker(JobServices(settings, db, providers), wait=False)
            with psycopg.connect(owner_dsn(db)) as conn:
                [(pending, due)] = conn.execute(
                    "select count(*), count(*) filter (where scheduled_at is null or scheduled_at <= now())"
                    " from procrastinate_jobs where status = 'todo' and id > %s"
                    " and (scheduled_at is null or scheduled_at <= now() + interval '1 minute')",
                    (first_id,),
                ).fetchall()
            if not pending:
                return
            if not due:
                await asyncio.sleep(1)
        raise AssertionError("jobs keep queueing jobs")

    return run
