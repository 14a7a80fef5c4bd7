"""All SQL of scheduling: settings, the crews' occupied time, attempts to take a crew, listings."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

import psycopg.errors
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.customers.models import Customer
from voxi.scheduling.models import Appointment, AppointmentStatus, SchedulingSettings
from voxi.scheduling.slots import Block, Rules

LONGEST_BLOCK = timedelta(hours=24)  # bounds the index range scan of "what overlaps [start, end)"
DEADLOCK_RETRIES = 3  # per crew; each retry waits for the other booking's outcome


async def rules_of(session: AsyncSession, tenant_id: uuid.UUID) -> Rules:
    """The tenant's booking rules; remembered for the session (a missing row is not in the identity map)."""
    key = ("scheduling_rules", tenant_id)
    if key not in session.info:
        row = await session.get(SchedulingSettings, tenant_id)
        session.info[key] = (
            Rules(row.min_notice_hours, row.horizon_days, row.capacity, row.slot_minutes, row.hold_minutes)
            if row
            else Rules()
        )
    return session.info[key]


def _occupying(now: datetime) -> Any:
    return or_(
        Appointment.status == AppointmentStatus.BOOKED,
        and_(Appointment.status == AppointmentStatus.HELD, Appointment.hold_expires_at > now),
    )


def _overlapping(start: datetime, end: datetime) -> Any:
    return and_(
        Appointment.starts_at < end,
        Appointment.starts_at > start - LONGEST_BLOCK,
        Appointment.blocked_until > start,
    )


async def blocks_between(session: AsyncSession, start: datetime, end: datetime, now: datetime) -> list[Block]:
    """Crews taken by booked appointments and live holds overlapping [start, end)."""
    rows = await session.execute(
        select(Appointment.crew, Appointment.starts_at, Appointment.blocked_until).where(
            _overlapping(start, end), _occupying(now)
        )
    )
    return [Block(crew, starts_at, until) for crew, starts_at, until in rows]


async def release_expired_holds(session: AsyncSession, start: datetime, end: datetime, now: datetime) -> None:
    """Expired holds no longer take a crew; delete them so the constraint stops counting them."""
    await session.execute(
        delete(Appointment)
        .where(
            _overlapping(start, end),
            Appointment.status == AppointmentStatus.HELD,
            Appointment.hold_expires_at <= now,
        )
        .execution_options(synchronize_session=False)
    )


async def insert_on_free_crew(
    session: AsyncSession, fields: dict[str, Any], capacity: int
) -> Appointment | None:
    """Insert on crew 1, 2, …: PostgreSQL's exclusion constraint decides (see `_first_crew_taken`).

    A concurrent booking of the same time makes our insert wait for its transaction, then fail on that
    crew; we move to the next. Returns None when every crew is taken.
    """

    async def insert(crew: int) -> Appointment:
        appointment = Appointment(id=uuid.uuid4(), crew=crew, **fields)
        session.add(appointment)
        await session.flush()
        return appointment

    return await _first_crew_taken(session, range(1, capacity + 1), insert)


async def move_to_free_crew(
    session: AsyncSession, appointment: Appointment, changes: dict[str, Any], capacity: int
) -> bool:
    """Move `appointment` (reschedule), keeping its crew when it can; the constraint decides."""

    async def move(crew: int) -> Appointment:
        await session.execute(
            update(Appointment)
            .where(Appointment.id == appointment.id)
            .values(crew=crew, **changes)
            .execution_options(synchronize_session=False)
        )
        await session.refresh(appointment)
        return appointment

    crews = [appointment.crew] + [c for c in range(1, capacity + 1) if c != appointment.crew]
    return await _first_crew_taken(session, crews, move) is not None


async def _first_crew_taken(
    session: AsyncSession, crews: Iterable[int], take: Callable[[int], Awaitable[Appointment]]
) -> Appointment | None:
    """`take(crew)` for each crew in turn, each try in its own savepoint, until the constraint accepts one.

    Two bookings that write the same crew and time at once can each wait for the other's uncommitted
    row: PostgreSQL ends that deadlock by failing one of them (the exclusion constraint's documented
    behaviour). The one that failed tries the same crew again, now waiting for the other's outcome.
    """
    for crew in crews:
        retries = 0
        while True:
            try:
                async with session.begin_nested():
                    return await take(crew)
            except DBAPIError as exc:
                if isinstance(exc.orig, psycopg.errors.ExclusionViolation):
                    break  # the crew is taken: try the next
                if isinstance(exc.orig, psycopg.errors.DeadlockDetected) and retries < DEADLOCK_RETRIES:
                    retries += 1
                    continue
                raise
    return None


async def confirm_live_hold(
    session: AsyncSession, hold_id: uuid.UUID, changes: dict[str, Any], now: datetime
) -> Appointment | None:
    """Turn a hold that has not expired into a booking (one UPDATE: a hold is confirmed once)."""
    confirmed = await session.scalar(
        update(Appointment)
        .where(
            Appointment.id == hold_id,
            Appointment.status == AppointmentStatus.HELD,
            Appointment.hold_expires_at > now,
        )
        .values(status=AppointmentStatus.BOOKED, hold_expires_at=None, **changes)
        .returning(Appointment)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    return confirmed


async def get_appointment(session: AsyncSession, appointment_id: uuid.UUID) -> Appointment | None:
    return await session.scalar(select(Appointment).where(Appointment.id == appointment_id))


async def upcoming_for_customer(
    session: AsyncSession, customer_id: uuid.UUID, now: datetime
) -> list[Appointment]:
    rows = await session.scalars(
        select(Appointment)
        .where(
            Appointment.customer_id == customer_id,
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.starts_at >= now,
        )
        .order_by(Appointment.starts_at)
    )
    return list(rows)


async def list_between(
    session: AsyncSession,
    start: datetime | None,
    end: datetime | None,
    *,
    statuses: tuple[AppointmentStatus, ...] | None = None,
    customer_id: uuid.UUID | None = None,
    limit: int = 500,
) -> list[tuple[Appointment, Customer | None]]:
    """Appointments (with their customer) starting in [start, end), in time order."""
    query = select(Appointment, Customer).outerjoin(
        Customer, and_(Customer.tenant_id == Appointment.tenant_id, Customer.id == Appointment.customer_id)
    )
    if start is not None:
        query = query.where(Appointment.starts_at >= start)
    if end is not None:
        query = query.where(Appointment.starts_at < end)
    if statuses:
        query = query.where(Appointment.status.in_(statuses))
    if customer_id is not None:
        query = query.where(Appointment.customer_id == customer_id)
    rows = await session.execute(query.order_by(Appointment.starts_at).limit(limit))
    return [(appointment, customer) for appointment, customer in rows]
