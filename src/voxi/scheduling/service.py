"""Scheduling use cases shared by the tools, the tenant API and the pages.

No double booking is enforced by PostgreSQL (see `Appointment`): availability shown to a caller is a
read, but taking a crew is always an insert or update the exclusion constraint accepts or refuses.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from voxi.agent.hours import BusinessHours
from voxi.core.errors import Conflict, NotFound, ValidationFailed
from voxi.customers.service import find_by_phone
from voxi.scheduling import repository
from voxi.scheduling.models import Appointment, AppointmentStatus
from voxi.scheduling.service_types import ServiceType, find_service, general_visit, service_types
from voxi.scheduling.slots import (
    Occupancy,
    Rules,
    Slot,
    blocked_until,
    bookable_window,
    candidate_starts,
    make_slot,
    spoken_moment,
    starts_on,
)
from voxi.tenancy.models import Tenant, TenantConfig

MAX_SEARCH_DAYS = 62


class SlotUnavailable(Conflict):
    code = "slot_unavailable"
    message = "That time is no longer available."


class NotBookable(ValidationFailed):
    message = "That time is outside the hours we book."


class UnknownService(ValidationFailed):
    message = "We don't offer that service."


@dataclass(frozen=True)
class BookingContext:
    """What every scheduling decision of one tenant needs, loaded once."""

    tenant: Tenant
    hours: BusinessHours
    services: list[ServiceType]
    rules: Rules

    def service(self, name: str | None) -> ServiceType:
        if not self.services:
            return general_visit()
        found = find_service(self.services, name)
        if found is None:
            offered = ", ".join(s.name for s in self.services)
            raise UnknownService(f"We don't offer that service. We offer: {offered}.")
        return found

    def describe(self, moment: datetime) -> str:
        return spoken_moment(moment, self.hours)


async def booking_context(session: AsyncSession, tenant: Tenant) -> BookingContext:
    config = await session.get(TenantConfig, tenant.id)
    if config is None:
        raise NotFound("This business has no configuration.")
    return BookingContext(
        tenant,
        BusinessHours.from_config(config, tenant.timezone),
        service_types(config.services),
        await repository.rules_of(session, tenant.id),
    )


def _utc(moment: datetime, ctx: BookingContext) -> datetime:
    """An instant in UTC; a naive time is the tenant's local wall-clock time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ctx.hours.timezone)
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


async def find_slots(
    session: AsyncSession,
    tenant: Tenant,
    service_name: str | None,
    start_day: date,
    days: int,
    *,
    now: datetime | None = None,
) -> list[Slot]:
    """Free slots for a service from `start_day` (the tenant's local date) for `days` days."""
    ctx = await booking_context(session, tenant)
    return await free_slots(session, ctx, ctx.service(service_name), start_day, days, _now(now))


async def free_slots(
    session: AsyncSession,
    ctx: BookingContext,
    service: ServiceType,
    start_day: date,
    days: int,
    now: datetime,
) -> list[Slot]:
    starts = candidate_starts(ctx.hours, service, ctx.rules, start_day, min(days, MAX_SEARCH_DAYS), now)
    if not starts:
        return []
    occupancy = Occupancy(
        await repository.blocks_between(session, starts[0], blocked_until(starts[-1], service), now)
    )
    return [
        make_slot(start, service, ctx.hours)
        for start in starts
        if occupancy.free_crew(start, blocked_until(start, service), ctx.rules.capacity) is not None
    ]


def _check_bookable(ctx: BookingContext, service: ServiceType, start: datetime, now: datetime) -> None:
    earliest, latest = bookable_window(now, ctx.rules)
    if start < earliest:
        raise NotBookable(f"We need at least {ctx.rules.min_notice_hours} hours' notice for a booking.")
    if start > latest:
        raise NotBookable(f"We book at most {ctx.rules.horizon_days} days ahead.")
    local_day = start.astimezone(ctx.hours.timezone).date()
    if start not in starts_on(local_day, ctx.hours, service, ctx.rules):
        raise NotBookable(f"{ctx.describe(start)} is not one of our appointment times.")


async def _take_crew(
    session: AsyncSession,
    ctx: BookingContext,
    service: ServiceType,
    start: datetime,
    now: datetime,
    fields: dict[str, object],
) -> Appointment:
    end = blocked_until(start, service)
    await repository.release_expired_holds(session, start, end, now)
    appointment = await repository.insert_on_free_crew(
        session,
        {
            "service": service.name,
            "starts_at": start,
            "ends_at": start + timedelta(minutes=service.duration_minutes),
            "blocked_until": end,
            **fields,
        },
        ctx.rules.capacity,
    )
    if appointment is None:
        raise SlotUnavailable(f"Sorry, {ctx.describe(start)} was just taken.")
    return appointment


async def hold_slot(
    session: AsyncSession,
    tenant: Tenant,
    *,
    service_name: str | None,
    starts_at: datetime,
    customer_id: uuid.UUID | None = None,
    source: str = "phone",
    now: datetime | None = None,
) -> Appointment:
    """Keep a slot for a few minutes (`SchedulingSettings.hold_minutes`) while the caller confirms."""
    now = _now(now)
    ctx = await booking_context(session, tenant)
    service = ctx.service(service_name)
    start = _utc(starts_at, ctx)
    _check_bookable(ctx, service, start, now)
    fields = {
        "status": AppointmentStatus.HELD,
        "hold_expires_at": now + timedelta(minutes=ctx.rules.hold_minutes),
        "customer_id": customer_id,
        "source": source,
    }
    return await _take_crew(session, ctx, service, start, now, fields)


async def book(
    session: AsyncSession,
    tenant: Tenant,
    *,
    service_name: str | None,
    starts_at: datetime | None = None,
    hold_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    address: str | None = None,
    notes: str = "",
    source: str = "phone",
    enforce_rules: bool = True,
    now: datetime | None = None,
) -> Appointment:
    """Book a slot, or confirm a hold; an expired hold is re-booked when its time is still free."""
    now = _now(now)
    details = {"customer_id": customer_id, "address": address or None, "notes": notes, "source": source}
    if hold_id is not None:
        confirmed = await repository.confirm_live_hold(session, hold_id, details, now)
        if confirmed is not None:
            return confirmed
        lapsed = await repository.get_appointment(session, hold_id)
        if lapsed is not None and lapsed.status == AppointmentStatus.HELD:
            starts_at, service_name = starts_at or lapsed.starts_at, lapsed.service
    if starts_at is None:
        raise SlotUnavailable("That hold has expired. Let me check the times again.")
    ctx = await booking_context(session, tenant)
    service = ctx.service(service_name)
    start = _utc(starts_at, ctx)
    if enforce_rules:
        _check_bookable(ctx, service, start, now)
    return await _take_crew(
        session, ctx, service, start, now, {"status": AppointmentStatus.BOOKED, **details}
    )


async def _active_appointment(session: AsyncSession, appointment_id: uuid.UUID) -> Appointment:
    appointment = await repository.get_appointment(session, appointment_id)
    if appointment is None:
        raise NotFound("No such appointment.")
    return appointment


async def reschedule(
    session: AsyncSession,
    tenant: Tenant,
    appointment_id: uuid.UUID,
    new_starts_at: datetime,
    *,
    enforce_rules: bool = True,
    now: datetime | None = None,
) -> Appointment:
    """Move a booked appointment; the old time is freed by the same UPDATE that takes the new one."""
    now = _now(now)
    appointment = await _active_appointment(session, appointment_id)
    if appointment.status not in (AppointmentStatus.BOOKED, AppointmentStatus.HELD):
        raise Conflict("Only an upcoming booked appointment can be moved.")
    ctx = await booking_context(session, tenant)
    length = appointment.ends_at - appointment.starts_at
    service = find_service(ctx.services, appointment.service) or ServiceType(
        appointment.service, int(length.total_seconds() // 60)
    )
    start = _utc(new_starts_at, ctx)
    if enforce_rules:
        _check_bookable(ctx, service, start, now)
    end = blocked_until(start, service)
    changes: dict[str, object] = {"starts_at": start, "ends_at": start + length, "blocked_until": end}
    await _move_crew(session, ctx, appointment, start, end, changes, now)
    return appointment


async def rebook(session: AsyncSession, tenant: Tenant, appointment_id: uuid.UUID) -> Appointment:
    """Book a cancelled or completed appointment again, at its time, on any crew free then."""
    appointment = await _active_appointment(session, appointment_id)
    ctx = await booking_context(session, tenant)
    changes: dict[str, object] = {"status": AppointmentStatus.BOOKED}
    await _move_crew(
        session, ctx, appointment, appointment.starts_at, appointment.blocked_until, changes, _now(None)
    )
    return appointment


async def _move_crew(
    session: AsyncSession,
    ctx: BookingContext,
    appointment: Appointment,
    start: datetime,
    end: datetime,
    changes: dict[str, object],
    now: datetime,
) -> None:
    """Apply `changes` to `appointment` on a crew free over [start, end): expired holds there give way."""
    await repository.release_expired_holds(session, start, end, now)
    if not await repository.move_to_free_crew(session, appointment, changes, ctx.rules.capacity):
        raise SlotUnavailable(f"Sorry, {ctx.describe(start)} is not available.")


async def cancel(session: AsyncSession, appointment_id: uuid.UUID) -> Appointment:
    """Cancel (idempotent); the crew is free again at once."""
    appointment = await _active_appointment(session, appointment_id)
    if appointment.status in (AppointmentStatus.BOOKED, AppointmentStatus.HELD):
        appointment.status = AppointmentStatus.CANCELED
        appointment.hold_expires_at = None
        await session.flush()
    return appointment


async def appointments_for_caller(
    session: AsyncSession, phone: str | None, *, now: datetime | None = None
) -> list[Appointment]:
    """The caller's upcoming booked appointments, found by their phone number."""
    customer = await find_by_phone(session, phone)
    if customer is None:
        return []
    return await repository.upcoming_for_customer(session, customer.id, _now(now))
