"""The daily digest email: yesterday's calls, emergencies and messages, and today's appointments.

An hourly periodic job (`notifications.queue_digests`) finds the businesses where it is now
DAILY_DIGEST_HOUR locally and queues one digest job each; the digest's key is the business's local date,
so a repeated hour, a retry or a second worker sends nothing twice.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.calls.models import CallLog, Message
from voxi.core.db import Database
from voxi.core.jobs import JobServices, defer
from voxi.core.tenant_context import tenant_context
from voxi.emergencies.models import EmergencyLog
from voxi.emergencies.service import label
from voxi.notifications.delivery import mail_thunk, may_email, notification_settings, once, owner_emails
from voxi.scheduling.models import Appointment, AppointmentStatus
from voxi.tenancy.models import Tenant, TenantConfig, TenantStatus

LIVE_STATUSES = (TenantStatus.TRIAL, TenantStatus.ACTIVE, TenantStatus.PAST_DUE)


async def queue_due_digests(db: Database, digest_hour: int, now: datetime) -> int:
    """Queue a digest for every live business where it is `digest_hour` o'clock now; how many."""
    from voxi.notifications.jobs import daily_digest

    queued = 0
    async with db.cross_tenant("daily digest: find businesses at their digest hour") as session:
        tenants = await session.execute(
            select(Tenant.id, Tenant.timezone, Tenant.plan).where(
                Tenant.deactivated_at.is_(None), Tenant.status.in_(LIVE_STATUSES)
            )
        )
        for tenant_id, timezone, plan in tenants:
            local = now.astimezone(ZoneInfo(timezone))
            if local.hour != digest_hour or not may_email(plan):
                continue
            day = (local.date() - timedelta(days=1)).isoformat()
            await defer(session, daily_digest, tenant_id=str(tenant_id), day=day)
            queued += 1
        await session.commit()
    return queued


@dataclass(frozen=True)
class DigestFacts:
    calls: int
    outcomes: Counter[str]
    emergencies: list[str]
    new_messages: int
    appointments_today: list[str]


async def digest_facts(session: AsyncSession, tenant: Tenant, day: date) -> DigestFacts:
    zone = ZoneInfo(tenant.timezone)
    start = datetime.combine(day, time(), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)
    outcomes = Counter(
        outcome or "in progress"
        for outcome in await session.scalars(
            select(CallLog.outcome).where(
                CallLog.started_at >= start, CallLog.started_at < end, CallLog.is_test.is_(False)
            )
        )
    )
    emergencies = await session.scalars(
        select(EmergencyLog).where(EmergencyLog.created_at >= start, EmergencyLog.created_at < end)
    )
    new_messages = await session.scalars(select(Message.id).where(Message.status == "new"))
    today_end = end + (end - start)
    appointments = await session.scalars(
        select(Appointment)
        .where(
            Appointment.starts_at >= end,
            Appointment.starts_at < today_end,
            Appointment.status == AppointmentStatus.BOOKED,
        )
        .order_by(Appointment.starts_at)
    )
    return DigestFacts(
        calls=sum(outcomes.values()),
        outcomes=outcomes,
        emergencies=[f"{label(e.kind)} — {e.escalation_status.replace('_', ' ')}" for e in emergencies],
        new_messages=len(list(new_messages)),
        appointments_today=[
            f"{a.starts_at.astimezone(zone).strftime('%-I:%M %p')} {a.service}" for a in appointments
        ],
    )


def digest_email(tenant: Tenant, day: date, facts: DigestFacts, base_url: str) -> tuple[str, str]:
    subject = f"{tenant.name}: your day on {day.strftime('%a %b %-d')} — {facts.calls} call(s)"
    lines = [f"{tenant.name} — daily digest for {day.strftime('%A, %B %-d')}", ""]
    lines.append(f"Calls: {facts.calls}")
    lines += [f"  {outcome}: {count}" for outcome, count in sorted(facts.outcomes.items())]
    lines.append(f"Emergencies: {len(facts.emergencies)}")
    lines += [f"  {line}" for line in facts.emergencies]
    lines.append(f"Messages waiting: {facts.new_messages} — {base_url}/messages")
    lines.append(f"Appointments today: {len(facts.appointments_today)}")
    lines += [f"  {line}" for line in facts.appointments_today]
    return subject, "\n".join(lines) + "\n"


async def deliver_daily_digest(svc: JobServices, tenant_id: uuid.UUID, day: date) -> int:
    sent = 0
    with tenant_context(tenant_id):
        async with svc.db.sessions() as session:
            tenant = await session.get_one(Tenant, tenant_id)
            config = await session.get(TenantConfig, tenant_id)
            if not may_email(tenant.plan) or not notification_settings(config).daily_digest:
                return 0
            subject, body = digest_email(
                tenant, day, await digest_facts(session, tenant, day), svc.settings.voxi_base_url
            )
            for address in await owner_emails(session):
                sent += await once(
                    session, f"digest:{day.isoformat()}:{address}", "email", address,
                    mail_thunk(svc, address, subject, body),
                )  # fmt: skip
    return sent
