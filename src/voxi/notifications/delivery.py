"""Delivering notifications, once each: booking confirmations and after-call summaries.

Every send claims its key in `notifications_sent` and commits right after it, so a job retried after a
partial success (the SMS went, the email failed) repeats only what did not go out.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.auth.models import Role, TenantUser, User
from voxi.billing.plans import Feature, has_feature
from voxi.calls.models import CallLog
from voxi.core.jobs import JobServices
from voxi.core.tenant_context import tenant_context
from voxi.customers.models import Customer
from voxi.notifications.schemas import NotificationSettings
from voxi.notifications.sms import OPT_OUT_FOOTER, claim, send_sms
from voxi.scheduling.models import Appointment, AppointmentStatus
from voxi.tenancy.models import Plan, Tenant, TenantConfig

log = structlog.get_logger(__name__)


def notification_settings(config: TenantConfig | None) -> NotificationSettings:
    return NotificationSettings.model_validate((config.notification_settings if config else None) or {})


def may_text(plan: Plan) -> bool:
    """Plan check (Professional and up), in `voxi.billing.plans` like every entitlement."""
    return has_feature(plan, Feature.SMS_NOTIFICATIONS)


def may_email(plan: Plan) -> bool:
    return has_feature(plan, Feature.EMAIL_NOTIFICATIONS)


def mail_thunk(svc: JobServices, to: str, subject: str, body: str) -> Callable[[], Awaitable[None]]:
    return lambda: svc.providers.mailer.send(to, subject, body)


async def once(
    session: AsyncSession, key: str, channel: str, recipient: str, send: Callable[[], Awaitable[Any]]
) -> bool:
    """Send unless `key` was already delivered; commit the claim with the send. True when sent now."""
    if not await claim(session, key, channel=channel, recipient=recipient):
        return False
    await send()
    await session.commit()
    return True


async def owner_emails(session: AsyncSession) -> list[str]:
    rows = await session.scalars(
        select(User.email)
        .join(TenantUser, TenantUser.user_id == User.id)
        .where(TenantUser.role == Role.OWNER, User.is_active.is_(True))
        .order_by(User.email)
    )
    return list(rows)


async def deliver_booking_confirmation(
    svc: JobServices, tenant_id: uuid.UUID, appointment_id: uuid.UUID
) -> bool:
    with tenant_context(tenant_id):
        async with svc.db.sessions() as session:
            tenant = await session.get_one(Tenant, tenant_id)
            appointment = await session.get(Appointment, (tenant_id, appointment_id))
            config = await session.get(TenantConfig, tenant_id)
            if (
                appointment is None
                or appointment.status != AppointmentStatus.BOOKED
                or appointment.customer_id is None
                or not may_text(tenant.plan)
                or not notification_settings(config).booking_confirmations
            ):
                return False
            customer = await session.get(Customer, (tenant_id, appointment.customer_id))
            if customer is None or not customer.phone:
                return False
            body = booking_text(tenant, appointment)
            # Keyed by start time too: a rescheduled appointment is confirmed again, once.
            key = f"booking:{appointment.id}:{appointment.starts_at.isoformat()}"
            phone = customer.phone
            return await once(
                session, key, "sms", phone, lambda: send_sms(session, svc.providers.sms, phone, body)
            )


def booking_text(tenant: Tenant, appointment: Appointment) -> str:
    local = appointment.starts_at.astimezone(ZoneInfo(tenant.timezone))
    when = local.strftime("%A, %B %-d at %-I:%M %p")
    return f"{tenant.name}: you're booked for {appointment.service} on {when}. {OPT_OUT_FOOTER}"


async def deliver_call_summary(svc: JobServices, tenant_id: uuid.UUID, call_id: uuid.UUID) -> int:
    """Text and/or email the owner what happened on a call; the number of messages sent now."""
    sent = 0
    with tenant_context(tenant_id):
        async with svc.db.sessions() as session:
            tenant = await session.get_one(Tenant, tenant_id)
            call = await session.get(CallLog, (tenant_id, call_id))
            config = await session.get(TenantConfig, tenant_id)
            if call is None:
                return 0
            wants = notification_settings(config)
            link = f"{svc.settings.voxi_base_url}/calls/{call.id}"
            phone = wants.summary_phone or (config.forwarding_number if config else None)
            if may_text(tenant.plan) and wants.summary_by_sms and phone:
                text = summary_text(tenant, call, link)
                to = phone
                sent += await once(
                    session, f"summary:{call.id}:sms", "sms", to,
                    lambda: send_sms(session, svc.providers.sms, to, text),
                )  # fmt: skip
            if may_email(tenant.plan) and wants.summary_by_email:
                subject, body = summary_email(tenant, call, link)
                for address in await owner_emails(session):
                    sent += await once(
                        session, f"summary:{call.id}:email:{address}", "email", address,
                        mail_thunk(svc, address, subject, body),
                    )  # fmt: skip
    return sent


def _outcome(call: CallLog) -> str:
    outcome = (call.outcome or "unknown").replace("_", " ")
    return f"{outcome} ({call.urgency})" if call.urgency not in ("normal", "low") else outcome


def summary_text(tenant: Tenant, call: CallLog, link: str) -> str:
    test = "[Test] " if call.is_test else ""
    summary = call.summary or "No summary."
    return f"{test}{tenant.name} call from {call.from_number}: {_outcome(call)}. {summary[:200]} {link}"


def summary_email(tenant: Tenant, call: CallLog, link: str) -> tuple[str, str]:
    test = "[Test] " if call.is_test else ""
    started = call.started_at.astimezone(ZoneInfo(tenant.timezone)).strftime("%a %b %-d, %-I:%M %p")
    subject = f"{test}Call from {call.from_number}: {_outcome(call)}"
    body = (
        f"{tenant.name} — a call your Voxi receptionist answered.\n\n"
        f"Caller: {call.from_number}\nWhen: {started}\nDuration: {call.duration_seconds} s\n"
        f"Outcome: {_outcome(call)}\n\nSummary: {call.summary or 'No summary.'}\n\n"
        f"Details and transcript: {link}\n"
    )
    return subject, body
