"""The tokenised iCalendar feed: a business subscribes from Google, Outlook or Apple Calendar.

The token (`tenants.calendar_token`) is random and rotatable; it is the only credential, so the
feed resolves its tenant through the audited cross-tenant path and then reads under that tenant.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, Timezone
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.core.db import Database, activate_tenant
from voxi.core.errors import NotFound
from voxi.customers.models import Customer
from voxi.scheduling import repository
from voxi.scheduling.models import Appointment, AppointmentStatus
from voxi.tenancy.models import Tenant

PAST = timedelta(days=90)
FUTURE = timedelta(days=365)
SHOWN = (AppointmentStatus.BOOKED, AppointmentStatus.COMPLETED)


def new_token() -> str:
    return secrets.token_urlsafe(32)


async def ensure_calendar_token(session: AsyncSession, tenant: Tenant) -> str:
    """The tenant's feed token, created on first use."""
    if not tenant.calendar_token:
        tenant.calendar_token = new_token()
        await session.flush()
    return tenant.calendar_token


async def rotate_calendar_token(session: AsyncSession, tenant: Tenant) -> str:
    """A new token; subscriptions using the old URL stop working."""
    tenant.calendar_token = new_token()
    await session.flush()
    return tenant.calendar_token


async def tenant_for_token(db: Database, token: str) -> Tenant:
    if not token or len(token) > 64:
        raise NotFound("No such calendar.")
    async with db.cross_tenant("calendar feed") as session:
        tenant = await session.scalar(select(Tenant).where(Tenant.calendar_token == token))
    if tenant is None or tenant.deactivated_at is not None:
        raise NotFound("No such calendar.")
    return tenant


def _event(appointment: Appointment, customer: Customer | None, tenant: Tenant) -> Event:
    event = Event()
    event.add("uid", f"{appointment.id}@voxi")
    who = customer.name if customer and customer.name else "Customer"
    event.add("summary", f"{appointment.service} — {who}")
    event.add("dtstart", appointment.starts_at.astimezone(UTC))
    event.add("dtend", appointment.ends_at.astimezone(UTC))
    event.add("dtstamp", (appointment.updated_at or appointment.created_at).astimezone(UTC))
    if appointment.address:
        event.add("location", appointment.address)
    details = [f"Phone: {customer.phone}"] if customer else []
    if appointment.notes:
        details.append(appointment.notes)
    if details:
        event.add("description", "\n".join(details))
    event.add("status", "CONFIRMED")
    return event


async def calendar_feed(session: AsyncSession, tenant: Tenant, *, now: datetime | None = None) -> bytes:
    """The feed: booked and completed appointments from 90 days ago to a year ahead, times in UTC."""
    await activate_tenant(session, tenant.id)
    now = now or datetime.now(UTC)
    rows = await repository.list_between(session, now - PAST, now + FUTURE, statuses=SHOWN, limit=5000)
    calendar = Calendar()
    calendar.add("prodid", "-//Voxi//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{tenant.name} appointments")
    calendar.add("x-wr-timezone", tenant.timezone)
    calendar.add_component(Timezone.from_tzid(tenant.timezone))
    for appointment, customer in rows:
        calendar.add_component(_event(appointment, customer, tenant))
    return calendar.to_ical()
