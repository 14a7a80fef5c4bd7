from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories.scheduling import make_bookable_tenant
from voxi.core.db import Database, activate_tenant
from voxi.core.tenant_context import tenant_context
from voxi.customers.service import upsert_customer
from voxi.scheduling import service, staff
from voxi.scheduling.models import Appointment, AppointmentStatus
from voxi.scheduling.schemas import AppointmentPatch

EVERY_DAY_8_TO_5 = {d: [["08:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday morning in the US


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def _booked(db: Database, tenant_id) -> list[Appointment]:
    async with db.sessions() as session:
        await activate_tenant(session, tenant_id)
        rows = await session.scalars(
            select(Appointment)
            .where(Appointment.status == AppointmentStatus.BOOKED)
            .order_by(Appointment.crew)
        )
        return list(rows)


@pytest.mark.parametrize(
    ("zone", "day", "local_hour", "stored"),
    [
        ("America/New_York", date(2026, 3, 8), 9, utc(2026, 3, 8, 13)),
        ("America/New_York", date(2026, 3, 8), 14, utc(2026, 3, 8, 18)),
        ("America/Chicago", date(2026, 3, 8), 14, utc(2026, 3, 8, 19)),
        ("America/New_York", date(2026, 11, 1), 9, utc(2026, 11, 1, 14)),
        ("America/Chicago", date(2026, 11, 1), 9, utc(2026, 11, 1, 15)),
        ("America/Chicago", date(2026, 11, 1), 14, utc(2026, 11, 1, 20)),
    ],
)
async def test_booking_on_a_dst_day_stores_the_utc_instant_of_the_local_time(
    db, zone, day, local_hour, stored
):
    acme = await make_bookable_tenant(db, timezone=zone, hours=EVERY_DAY_8_TO_5)
    now = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(days=2)
    async with db.sessions() as session:
        await activate_tenant(session, acme.id)
        slots = await service.find_slots(session, acme.tenant, "AC repair", day, 1, now=now)
        slot = next(s for s in slots if s.starts_at == stored)
        assert slot.label.endswith(f"at {local_hour % 12 or 12} {'AM' if local_hour < 12 else 'PM'}")
        await service.book(session, acme.tenant, service_name="AC repair", starts_at=slot.starts_at, now=now)
        await session.commit()
    [appointment] = await _booked(db, acme.id)
    assert appointment.starts_at == stored


async def test_a_naive_requested_time_is_read_in_the_tenants_timezone(db):
    acme = await make_bookable_tenant(db, timezone="America/Chicago", hours=EVERY_DAY_8_TO_5)
    async with db.sessions() as session:
        await activate_tenant(session, acme.id)
        booked = await service.book(
            session,
            acme.tenant,
            service_name="ac repair",
            starts_at=datetime(2026, 11, 1, 14, 0),
            now=utc(2026, 10, 30),
        )
    assert booked.starts_at == utc(2026, 11, 1, 20)


async def test_fifty_concurrent_bookings_of_one_slot_make_exactly_capacity_bookings(db):
    acme = await make_bookable_tenant(db, hours=EVERY_DAY_8_TO_5, capacity=3)
    slot = utc(2026, 3, 10, 14)  # 10 AM EDT

    # At most 10 transactions in flight: real contention, without taking the shared server's connections.
    in_flight = asyncio.Semaphore(10)

    async def attempt() -> str:
        with tenant_context(acme.id):
            async with in_flight, db.sessions() as session:
                try:
                    await service.book(
                        session, acme.tenant, service_name="AC repair", starts_at=slot, now=NOW
                    )
                    await session.commit()
                    return "booked"
                except service.SlotUnavailable:
                    return "taken"

    # Every attempt finishes before the asserts (an error must not leave transactions open). Racing
    # inserts can deadlock on the constraint; the loser retries its crew (repository._first_crew_taken).
    outcomes = await asyncio.gather(*(attempt() for _ in range(50)), return_exceptions=True)
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert outcomes.count("booked") == 3
    assert outcomes.count("taken") == 47
    booked = await _booked(db, acme.id)
    assert [a.crew for a in booked] == [1, 2, 3]
    async with db.sessions() as session:
        await activate_tenant(session, acme.id)
        slots = await service.find_slots(session, acme.tenant, "AC repair", date(2026, 3, 10), 1, now=NOW)
    assert slot not in {s.starts_at for s in slots}


async def test_a_booking_the_database_picks_as_a_deadlock_victim_retries_and_takes_the_next_crew(db):
    # Two transactions inserting rows the constraint must compare can each wait for the other: A holds
    # crew 1 until 10:30 (uncommitted); the booking for 10:00 waits for A; A then adds crew 1 from
    # 10:45, which waits for the booking. PostgreSQL fails the one that waited first: the booking.
    acme = await make_bookable_tenant(db, hours=EVERY_DAY_8_TO_5, capacity=2)
    slot = utc(2026, 3, 10, 14)  # 10 AM EDT, an hour

    def crew_1(start: datetime, end: datetime) -> Appointment:
        return Appointment(
            tenant_id=acme.id,
            service="AC repair",
            starts_at=start,
            ends_at=end,
            blocked_until=end,
            crew=1,
            status=AppointmentStatus.BOOKED,
        )

    async def book() -> int:
        with tenant_context(acme.id):
            async with db.sessions() as session:
                booked = await service.book(
                    session, acme.tenant, service_name="AC repair", starts_at=slot, now=NOW
                )
                await session.commit()
                return booked.crew

    async with db.sessions() as other:
        await activate_tenant(other, acme.id)
        other.add(crew_1(slot - timedelta(hours=1), slot + timedelta(minutes=30)))
        await other.flush()
        booking = asyncio.create_task(book())
        await asyncio.sleep(0.3)  # the booking now waits for `other`
        other.add(crew_1(slot + timedelta(minutes=45), slot + timedelta(hours=2)))
        await other.flush()  # waits for the booking until the deadlock detector fails the booking's insert
        await other.commit()
    assert await asyncio.wait_for(booking, 10) == 2


async def test_a_hold_keeps_the_slot_until_it_expires_then_frees_it(db):
    acme = await make_bookable_tenant(db, hours=EVERY_DAY_8_TO_5, hold_minutes=5)
    slot = utc(2026, 3, 10, 14)
    async with db.sessions() as session:
        await activate_tenant(session, acme.id)
        hold = await service.hold_slot(
            session, acme.tenant, service_name="AC repair", starts_at=slot, now=NOW
        )
        await session.commit()
    assert hold.status == AppointmentStatus.HELD and hold.hold_expires_at == NOW + timedelta(minutes=5)

    async with db.sessions() as session:
        await activate_tenant(session, acme.id)
        free = await service.find_slots(session, acme.tenant, "AC repair", date(2026, 3, 10), 1, now=NOW)
        assert slot not in {s.starts_at for s in free}
        with pytest.raises(service.SlotUnavailable):
            await service.book(session, acme.tenant, service_name="AC repair", starts_at=slot, now=NOW)

    later = NOW + timedelta(minutes=6)
    async with db.sessions() as session:
        await activate_tenant(session, acme.id)
        free = await service.find_slots(session, acme.tenant, "AC repair", date(2026, 3, 10), 1, now=later)
        assert slot in {s.starts_at for s in free}
        other = await service.book(session, acme.tenant, service_name="AC repair", starts_at=slot, now=later)
        await session.commit()
    assert other.id != hold.id
    async with db.sessions() as session:
        await activate_tenant(session, acme.id)
        # The first caller's hold lapsed and the slot went to someone else: confirming it now fails.
        with pytest.raises(service.SlotUnavailable):
            await service.book(session, acme.tenant, service_name="AC repair", hold_id=hold.id, now=later)


async def test_confirming_a_live_hold_books_that_same_row(db):
    acme = await make_bookable_tenant(db, hours=EVERY_DAY_8_TO_5)
    async with db.sessions() as session:
        await activate_tenant(session, acme.id)
        hold = await service.hold_slot(
            session, acme.tenant, service_name="AC repair", starts_at=utc(2026, 3, 10, 14), now=NOW
        )
        booked = await service.book(
            session,
            acme.tenant,
            service_name=None,
            hold_id=hold.id,
            address="1 Main St",
            now=NOW + timedelta(minutes=2),
        )
        await session.commit()
    assert booked.id == hold.id
    assert booked.status == AppointmentStatus.BOOKED and booked.hold_expires_at is None
    assert booked.address == "1 Main St"


async def test_rules_refuse_times_outside_hours_notice_and_horizon(db):
    acme = await make_bookable_tenant(db, hours=EVERY_DAY_8_TO_5, min_notice_hours=24, horizon_days=14)
    async with db.sessions() as session:
        await activate_tenant(session, acme.id)
        for start, words in (
            (utc(2026, 3, 2, 16), "notice"),
            (utc(2026, 3, 30, 14), "days ahead"),
            (utc(2026, 3, 10, 2), "not one of our appointment times"),
        ):
            with pytest.raises(service.NotBookable, match=words):
                await service.book(session, acme.tenant, service_name="AC repair", starts_at=start, now=NOW)
        with pytest.raises(service.UnknownService, match="We offer: AC repair"):
            await service.find_slots(session, acme.tenant, "Roofing", date(2026, 3, 10), 1, now=NOW)


async def test_reschedule_and_cancel_by_the_callers_phone(db):
    acme = await make_bookable_tenant(
        db, hours=EVERY_DAY_8_TO_5, services=[{"name": "Tune-up", "duration_minutes": 120}]
    )
    async with db.sessions() as session:
        await activate_tenant(session, acme.id)
        customer = await upsert_customer(session, "(512) 555-0147", name="Maria Garcia")
        assert customer is not None
        first = await service.book(
            session,
            acme.tenant,
            service_name="Tune-up",
            starts_at=utc(2026, 3, 10, 14),
            customer_id=customer.id,
            now=NOW,
        )
        blocker = await service.book(
            session, acme.tenant, service_name="Tune-up", starts_at=utc(2026, 3, 11, 14), now=NOW
        )
        await session.commit()

    async with db.sessions() as session:
        await activate_tenant(session, acme.id)
        [mine] = await service.appointments_for_caller(session, "+15125550147", now=NOW)
        assert mine.id == first.id
        with pytest.raises(service.SlotUnavailable):  # overlaps the other booking's 2 hours
            await service.reschedule(session, acme.tenant, mine.id, utc(2026, 3, 11, 15), now=NOW)
        moved = await service.reschedule(session, acme.tenant, mine.id, utc(2026, 3, 12, 18), now=NOW)
        assert (moved.starts_at, moved.ends_at) == (utc(2026, 3, 12, 18), utc(2026, 3, 12, 20))
        await session.commit()

    async with db.sessions() as session:
        await activate_tenant(session, acme.id)
        free = await service.find_slots(session, acme.tenant, "Tune-up", date(2026, 3, 10), 1, now=NOW)
        assert utc(2026, 3, 10, 14) in {s.starts_at for s in free}  # the old time is free again
        await service.cancel(session, first.id)
        await service.cancel(session, first.id)  # idempotent
        await session.commit()
        assert await service.appointments_for_caller(session, "+15125550147", now=NOW) == []
        count = await session.scalar(
            select(func.count()).select_from(Appointment).where(Appointment.id == blocker.id)
        )
        assert count == 1


async def test_booking_cancelled_appointments_again_at_once_takes_exactly_capacity_crews(db):
    acme = await make_bookable_tenant(db, hours=EVERY_DAY_8_TO_5, capacity=2)
    slot = utc(2026, 3, 10, 14)
    with tenant_context(acme.id):
        async with db.sessions() as session:
            ids = []
            for _ in range(4):  # each cancelled at once, so the next one finds a crew free
                booked = await service.book(
                    session, acme.tenant, service_name="AC repair", starts_at=slot, now=NOW
                )
                ids.append((await service.cancel(session, booked.id)).id)
            await session.commit()

    async def book_again(appointment_id) -> str:
        with tenant_context(acme.id):
            async with db.sessions() as session:
                try:
                    await staff.update_appointment(
                        session, acme.tenant, appointment_id, AppointmentPatch(status="booked")
                    )
                    await session.commit()
                    return "booked"
                except service.SlotUnavailable:
                    return "taken"

    outcomes = await asyncio.gather(*(book_again(i) for i in ids), return_exceptions=True)
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert sorted(outcomes) == ["booked", "booked", "taken", "taken"]
    assert [a.crew for a in await _booked(db, acme.id)] == [1, 2]


async def test_booking_a_cancelled_appointment_again_clears_an_expired_hold_on_its_time(db):
    acme = await make_bookable_tenant(db, hours=EVERY_DAY_8_TO_5, capacity=1)
    slot = utc(2026, 3, 10, 14)
    with tenant_context(acme.id):
        async with db.sessions() as session:
            booked = await service.book(
                session, acme.tenant, service_name="AC repair", starts_at=slot, now=NOW
            )
            await service.cancel(session, booked.id)
            # A caller's hold on the freed time, long expired: it must not keep the only crew.
            await service.hold_slot(session, acme.tenant, service_name="AC repair", starts_at=slot, now=NOW)
            patch = AppointmentPatch(status="booked")
            again = await staff.update_appointment(session, acme.tenant, booked.id, patch)
            await session.commit()
    assert again.status == AppointmentStatus.BOOKED
    assert [a.id for a in await _booked(db, acme.id)] == [booked.id]
