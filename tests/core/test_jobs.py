"""Jobs are queued atomically with the change that causes them, and the worker runs them."""

from __future__ import annotations

import psycopg
from procrastinate import JobContext
from sqlalchemy import func, select

from voxi.core.db import libpq_conninfo
from voxi.core.jobs import DEFAULT_RETRY, JobServices, defer, jobs, run_worker, services
from voxi.notifications.models import OutboxEmail
from voxi.providers import build_providers


@jobs.task(name="tests.send_hello", pass_context=True, retry=DEFAULT_RETRY)
async def send_hello(context: JobContext, to: str) -> None:
    await services(context).providers.mailer.send(to, "Hello", "Queued and delivered.")


def _job_count(database_urls, status: str | None = None) -> int:
    owner = libpq_conninfo(database_urls.owner)
    with psycopg.connect(owner) as conn:
        query = "select count(*) from procrastinate_jobs where task_name = 'tests.send_hello'"
        if status:
            return conn.execute(query + " and status = %s", (status,)).fetchone()[0]
        return conn.execute(query).fetchone()[0]


async def test_a_rolled_back_change_queues_nothing(db, database_urls):
    async with db.sessions() as session:
        await defer(session, send_hello, to="nobody@example.com")
        await session.rollback()
    assert _job_count(database_urls) == 0


async def test_a_committed_job_is_run_by_the_worker(db, database_urls, settings):
    async with db.sessions() as session:
        await defer(session, send_hello, to="owner@example.com")
        await session.commit()
    assert _job_count(database_urls, "todo") == 1
    await run_worker(JobServices(settings, db, build_providers(settings, db)), wait=False)
    assert _job_count(database_urls, "succeeded") == 1
    async with db.sessions() as session:
        sent = await session.scalar(select(func.count()).where(OutboxEmail.to_address == "owner@example.com"))
    assert sent == 1
