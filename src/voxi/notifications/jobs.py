"""Notification background work: booking confirmations, after-call summaries, the daily digest."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from procrastinate import JobContext

from voxi.core.jobs import DEFAULT_RETRY, jobs, services


@jobs.task(name="notifications.booking_confirmation", pass_context=True, retry=DEFAULT_RETRY)
async def booking_confirmation(context: JobContext, tenant_id: str, appointment_id: str) -> None:
    """Text the caller their booking (once per appointment and start time)."""
    from voxi.notifications.delivery import deliver_booking_confirmation

    await deliver_booking_confirmation(services(context), uuid.UUID(tenant_id), uuid.UUID(appointment_id))


@jobs.task(name="notifications.call_summary", pass_context=True, retry=DEFAULT_RETRY)
async def call_summary(context: JobContext, tenant_id: str, call_id: str) -> None:
    """Text and/or email the owner what happened on a call (once per call and channel)."""
    from voxi.notifications.delivery import deliver_call_summary

    await deliver_call_summary(services(context), uuid.UUID(tenant_id), uuid.UUID(call_id))


@jobs.task(name="notifications.daily_digest", pass_context=True, retry=DEFAULT_RETRY)
async def daily_digest(context: JobContext, tenant_id: str, day: str) -> None:
    """Email one business's digest for `day` (its local date)."""
    from voxi.notifications.digest import deliver_daily_digest

    await deliver_daily_digest(services(context), uuid.UUID(tenant_id), date.fromisoformat(day))


@jobs.periodic(cron="0 * * * *")
@jobs.task(name="notifications.queue_digests", pass_context=True, retry=DEFAULT_RETRY)
async def queue_digests(context: JobContext, timestamp: int) -> None:
    """Hourly: queue the digest of every business where it is now DAILY_DIGEST_HOUR locally."""
    from voxi.notifications.digest import queue_due_digests

    svc = services(context)
    await queue_due_digests(svc.db, svc.settings.daily_digest_hour, datetime.fromtimestamp(timestamp, UTC))
