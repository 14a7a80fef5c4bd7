"""Durable background jobs in PostgreSQL, on procrastinate.

Domains declare tasks in their `jobs.py` with `@jobs.task(...)` and queue them with `defer(session, …)`
inside the transaction of the change that causes them: a rolled-back request queues nothing.
The worker (`voxi worker`, or in-process under `make run`) connects as the platform role, and hands
every task the start-up services through `JobContext.additional_context["services"]`. Tasks are the
job boundary: they bind their tenant, do their work and commit; they must be idempotent (retries).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import procrastinate
import structlog
from procrastinate import JobContext, PsycopgConnector, RetryStrategy
from procrastinate.periodic import PeriodicRegistry
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.core.db import Database, libpq_conninfo
from voxi.core.settings import Settings

if TYPE_CHECKING:
    from voxi.providers import Providers

log = structlog.get_logger(__name__)

# Modules whose tasks the worker must know; each imports `jobs` and decorates its tasks.
JOB_MODULES: list[str] = [
    "voxi.billing.jobs",
    "voxi.voice.elevenlabs.jobs",
    "voxi.emergencies.jobs",
    "voxi.notifications.jobs",
]

# The task registry. Its connector is only used by a worker, which replaces it at start-up with one
# built from settings; queueing always goes through the caller's own transaction (`defer`).
jobs = procrastinate.App(connector=PsycopgConnector(), import_paths=JOB_MODULES)

# Retried with exponential backoff (2, 4, 8, … s); a job failing every attempt is left `failed`.
DEFAULT_RETRY = RetryStrategy(max_attempts=8, exponential_wait=2)


@dataclass(frozen=True)
class JobServices:
    """What a task may use; built once at start-up like the web app's providers."""

    settings: Settings
    db: Database
    providers: Providers


def services(context: JobContext) -> JobServices:
    return context.additional_context["services"]


async def defer(
    session: AsyncSession, task: procrastinate.tasks.Task, *, delay: timedelta | None = None, **kwargs: Any
) -> None:
    """Queue `task` in the session's transaction, so the job exists exactly when the change commits;
    with `delay`, it starts no earlier than that from now."""
    connection = await session.connection()
    raw = (await connection.get_raw_connection()).driver_connection
    if delay is not None and delay > timedelta(0):
        await task.configure(connection=raw, schedule_in={"seconds": int(delay.total_seconds())}).defer_async(
            **kwargs
        )
    else:
        await task.configure(connection=raw).defer_async(**kwargs)


async def bring_jobs_forward(db: Database, by: timedelta) -> int:
    """The sandbox clock moved `by`: jobs waiting for a later time are due that much sooner; how many.

    Without this, `voxi sandbox advance --days 40` would cancel a subscription but never release its
    number, whose job waits for a grace period measured on the real clock.
    """
    async with db.cross_tenant("sandbox clock: bring queued jobs forward") as session:
        moved = await session.execute(
            text(
                "update procrastinate_jobs set scheduled_at = scheduled_at - make_interval(secs => :seconds)"
                " where status = 'todo' and scheduled_at > now()"
            ),
            {"seconds": by.total_seconds()},
        )
        await session.commit()
    return int(moved.rowcount or 0)  # type: ignore[attr-defined]


@asynccontextmanager
async def worker_app(db: Database) -> AsyncIterator[procrastinate.App]:
    """The task registry connected as the platform role (the worker updates every tenant's jobs)."""
    with jobs.replace_connector(PsycopgConnector(conninfo=libpq_conninfo(db.urls.platform))) as app:
        async with app.open_async():
            yield app


async def run_worker(job_services: JobServices, *, wait: bool = True, concurrency: int = 4) -> None:
    """Run jobs until cancelled (`wait=True`), or until the queue is empty (`wait=False`).

    Draining (tests, the sandbox clock) does only the work already queued: no periodic deferral, whose
    due jobs depend on the wall clock (a drain in the first minutes of an hour would send digests).
    """
    async with worker_app(job_services.db) as app:
        schedule = app.periodic_registry
        if not wait:
            app.periodic_registry = PeriodicRegistry()
        try:
            await app.run_worker_async(
                wait=wait,
                concurrency=concurrency,
                install_signal_handlers=False,
                additional_context={"services": job_services},
                listen_notify=wait,
            )
        finally:
            app.periodic_registry = schedule


def start_background_worker(job_services: JobServices) -> asyncio.Task[None]:
    """`make run`: the worker inside the web process, stopped with it."""
    return asyncio.create_task(run_worker(job_services), name="voxi-worker")
