"""Customers (the business's CRM): upsert by phone on every booking or message, lookup by caller ID."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.core.errors import NotFound
from voxi.core.tenant_context import current_tenant_id
from voxi.customers.models import Customer
from voxi.scheduling.models import Appointment, AppointmentStatus
from voxi.telephony.numbers import to_e164


@dataclass(frozen=True)
class CustomerProfile:
    """What the receptionist knows about a returning caller."""

    customer: Customer
    last_appointment: Appointment | None
    next_appointment: Appointment | None


async def upsert_customer(
    session: AsyncSession,
    phone: str,
    *,
    name: str | None = None,
    address: str | None = None,
    email: str | None = None,
    called_at: datetime | None = None,
) -> Customer | None:
    """The customer with this phone, created or updated with what the caller just told us.

    One statement (`INSERT … ON CONFLICT`), so two calls from one number never create two customers.
    Returns None when `phone` is not a phone number (e.g. a withheld caller ID).
    """
    e164 = to_e164(phone) if phone else None
    if e164 is None:
        return None
    name, address, email = (v.strip() if v else None for v in (name, address, email))
    table = Customer.__table__
    statement = (
        insert(Customer)
        .values(
            tenant_id=current_tenant_id(),
            id=uuid.uuid4(),
            phone=e164,
            name=name or "",
            address=address or None,
            email=email or None,
            notes="",
            sms_opt_out=False,
            last_call_at=called_at,
        )
        .on_conflict_do_update(
            index_elements=["tenant_id", "phone"],
            set_={
                "name": func.coalesce(func.nullif(insert(Customer).excluded.name, ""), table.c.name),
                "address": func.coalesce(insert(Customer).excluded.address, table.c.address),
                "email": func.coalesce(insert(Customer).excluded.email, table.c.email),
                "last_call_at": func.coalesce(insert(Customer).excluded.last_call_at, table.c.last_call_at),
            },
        )
        .returning(Customer)
    )
    result = await session.scalars(statement, execution_options={"populate_existing": True})
    return result.one()


async def find_by_phone(session: AsyncSession, phone: str | None) -> Customer | None:
    e164 = to_e164(phone) if phone else None
    if e164 is None:
        return None
    return await session.scalar(select(Customer).where(Customer.phone == e164))


async def lookup_customer(
    session: AsyncSession, phone: str | None, *, now: datetime | None = None
) -> CustomerProfile | None:
    """A returning caller by caller ID, with their last and next appointment."""
    customer = await find_by_phone(session, phone)
    if customer is None:
        return None
    now = now or datetime.now(UTC)
    mine = select(Appointment).where(
        Appointment.customer_id == customer.id, Appointment.status != AppointmentStatus.CANCELED
    )
    last = await session.scalar(
        mine.where(Appointment.starts_at < now).order_by(Appointment.starts_at.desc()).limit(1)
    )
    upcoming = await session.scalar(
        mine.where(Appointment.starts_at >= now, Appointment.status == AppointmentStatus.BOOKED)
        .order_by(Appointment.starts_at)
        .limit(1)
    )
    return CustomerProfile(customer, last, upcoming)


async def get_customer(session: AsyncSession, customer_id: uuid.UUID) -> Customer:
    customer = await session.scalar(select(Customer).where(Customer.id == customer_id))
    if customer is None:
        raise NotFound("No such customer.")
    return customer
