"""What the business's own staff do with appointments (tenant API and pages): list, book, edit, cancel."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from voxi.core.errors import NotFound, ValidationFailed
from voxi.customers.models import Customer
from voxi.customers.service import upsert_customer
from voxi.scheduling import repository, service
from voxi.scheduling.models import OCCUPYING, Appointment, AppointmentStatus
from voxi.scheduling.schemas import AppointmentIn, AppointmentOut, AppointmentPatch, CustomerRef
from voxi.tenancy.models import Tenant


def appointment_out(appointment: Appointment, customer: Customer | None) -> AppointmentOut:
    ref = CustomerRef.model_validate(customer) if customer else None
    return AppointmentOut.model_validate(
        {**{c.key: getattr(appointment, c.key) for c in Appointment.__table__.columns}, "customer": ref}
    )


async def list_appointments(
    session: AsyncSession,
    start: datetime | None,
    end: datetime | None,
    status: AppointmentStatus | None = None,
) -> list[AppointmentOut]:
    rows = await repository.list_between(session, start, end, statuses=(status,) if status else None)
    return [appointment_out(a, c) for a, c in rows]


async def appointment_view(session: AsyncSession, appointment_id: uuid.UUID) -> AppointmentOut:
    appointment = await repository.get_appointment(session, appointment_id)
    if appointment is None:
        raise NotFound("No such appointment.")
    customer = (
        await session.get(Customer, (appointment.tenant_id, appointment.customer_id))
        if appointment.customer_id
        else None
    )
    return appointment_out(appointment, customer)


async def create_appointment(session: AsyncSession, tenant: Tenant, data: AppointmentIn) -> AppointmentOut:
    customer = None
    if data.customer_phone:
        customer = await upsert_customer(
            session, data.customer_phone, name=data.customer_name, address=data.address
        )
        if customer is None:
            raise ValidationFailed(
                fields={"customerPhone": "Enter a valid phone number, e.g. +1 512 555 0123."}
            )
    try:
        appointment = await service.book(
            session,
            tenant,
            service_name=data.service,
            starts_at=data.starts_at,
            customer_id=customer.id if customer else None,
            address=data.address,
            notes=data.notes,
            source="dashboard",
            enforce_rules=False,
        )
    except service.UnknownService as exc:
        raise ValidationFailed(exc.message, fields={"service": exc.message}) from exc
    return appointment_out(appointment, customer)


async def update_appointment(
    session: AsyncSession, tenant: Tenant, appointment_id: uuid.UUID, patch: AppointmentPatch
) -> AppointmentOut:
    appointment = await repository.get_appointment(session, appointment_id)
    if appointment is None:
        raise NotFound("No such appointment.")
    if patch.starts_at is not None:
        await service.reschedule(session, tenant, appointment.id, patch.starts_at, enforce_rules=False)
    if patch.status == "canceled":
        await service.cancel(session, appointment.id)
    elif patch.status == "booked" and appointment.status not in OCCUPYING:
        await service.rebook(session, tenant, appointment.id)
    elif patch.status is not None:
        appointment.status = AppointmentStatus(patch.status)
    if patch.address is not None:
        appointment.address = patch.address
    if patch.notes is not None:
        appointment.notes = patch.notes
    await session.flush()
    return await appointment_view(session, appointment.id)
