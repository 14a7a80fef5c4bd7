"""Booking tools: offer concrete times, hold one, book, reschedule and cancel (by the caller's phone)."""

from __future__ import annotations

import importlib.util
import uuid
from datetime import UTC, date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, Field
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.agent.tools.base import CallContext, ToolResult
from voxi.agent.tools.common import Arguments, Tool, business_of, set_call_outcome
from voxi.customers.service import upsert_customer
from voxi.scheduling import service as scheduling
from voxi.scheduling.models import Appointment
from voxi.scheduling.slots import Slot
from voxi.tenancy.models import Tenant

SEARCH_DAYS = 14
MAX_OPTIONS = 3
AFTERNOON_HOUR = 12


class AvailabilityArgs(Arguments):
    service: str | None = Field(default=None, max_length=120)
    day: date | None = Field(default=None, description="Preferred local date (YYYY-MM-DD)")
    part_of_day: Literal["morning", "afternoon", "evening", "any"] = "any"
    days: int = Field(default=SEARCH_DAYS, ge=1, le=SEARCH_DAYS)
    preferred_start: datetime | None = Field(
        default=None, description="A specific time the caller asked for; held for a few minutes when free"
    )


class BookArgs(Arguments):
    service: str | None = Field(default=None, max_length=120)
    start: datetime | None = Field(default=None, validation_alias=AliasChoices("start", "starts_at"))
    hold_id: uuid.UUID | None = None
    customer_name: str = Field(
        min_length=1, max_length=120, validation_alias=AliasChoices("customer_name", "name")
    )
    phone: str | None = Field(default=None, max_length=32)
    address: str = Field(min_length=3, max_length=300)
    notes: str = Field(default="", max_length=1000)


class RescheduleArgs(Arguments):
    start: datetime = Field(validation_alias=AliasChoices("start", "new_start", "starts_at"))
    appointment_id: uuid.UUID | None = None


class CancelArgs(Arguments):
    appointment_id: uuid.UUID | None = None


def pick_options(slots: list[Slot], tz: ZoneInfo, part_of_day: str) -> list[Slot]:
    """A few concrete choices: a morning and an afternoon time on the first days with room."""

    def part(slot: Slot) -> str:
        hour = slot.starts_at.astimezone(tz).hour
        return "morning" if hour < AFTERNOON_HOUR else "afternoon" if hour < 17 else "evening"

    wanted = [s for s in slots if part_of_day == "any" or part(s) == part_of_day] or slots
    chosen: list[Slot] = []
    seen: set[tuple[date, str]] = set()
    for slot in wanted:
        key = (slot.starts_at.astimezone(tz).date(), part(slot))
        if key not in seen:
            seen.add(key)
            chosen.append(slot)
        if len(chosen) == MAX_OPTIONS:
            break
    return chosen


def spoken_options(options: list[Slot]) -> str:
    """'Tuesday March 10 at 9 AM or 1 PM, or Wednesday March 11 at 9 AM'."""
    days: dict[str, list[str]] = {}
    for slot in options:
        day, _, time = slot.label.rpartition(" at ")
        days.setdefault(day, []).append(time)
    return ", or ".join(f"{day} at {' or '.join(times)}" for day, times in days.items())


async def check_availability(session: AsyncSession, ctx: CallContext, args: AvailabilityArgs) -> ToolResult:
    tenant, _config = await business_of(session, ctx)
    booking = await scheduling.booking_context(session, tenant)
    service = booking.service(args.service)
    now = datetime.now(UTC)
    if args.preferred_start is not None:
        held = await _try_hold(session, tenant, service.name, args.preferred_start, now)
        if held is not None:
            return held
    today = now.astimezone(booking.hours.timezone).date()
    first_day = max(args.day or today, today)
    slots = await scheduling.free_slots(session, booking, service, first_day, args.days, now)
    if not slots:
        return ToolResult(
            ok=True,
            say=f"I'm sorry, I don't have any openings for {service.name} in the next {args.days} days.",
            data={"slots": [], "service": service.name},
        )
    options = pick_options(slots, booking.hours.timezone, args.part_of_day)
    return ToolResult(
        ok=True,
        say=f"For {service.name}, I have {spoken_options(options)}.",
        data={"slots": [s.as_data() for s in options], "service": service.name},
    )


async def _try_hold(
    session: AsyncSession, tenant: Tenant, service_name: str, start: datetime, now: datetime
) -> ToolResult | None:
    try:
        async with session.begin_nested():
            hold = await scheduling.hold_slot(
                session, tenant, service_name=service_name, starts_at=start, now=now
            )
    except (scheduling.SlotUnavailable, scheduling.NotBookable):
        return None
    booking = await scheduling.booking_context(session, tenant)
    label = booking.describe(hold.starts_at)
    minutes = booking.rules.hold_minutes
    return ToolResult(
        ok=True,
        say=f"{label} is open, and I'm holding it for you for {minutes} minutes. Shall I book it?",
        data={
            "hold_id": str(hold.id),
            "slots": [{"start": hold.starts_at.isoformat(), "label": label, "service": hold.service}],
            "hold_expires_at": hold.hold_expires_at.isoformat() if hold.hold_expires_at else None,
        },
    )


def appointment_data(appointment: Appointment, label: str) -> dict[str, str | None]:
    return {
        "id": str(appointment.id),
        "service": appointment.service,
        "start": appointment.starts_at.isoformat(),
        "end": appointment.ends_at.isoformat(),
        "label": label,
        "status": appointment.status.value,
        "address": appointment.address,
    }


async def _queue_confirmation(session: AsyncSession, appointment_id: uuid.UUID) -> bool:
    # 4C's notifications land alongside this module; until they do, booking works without the text.
    if importlib.util.find_spec("voxi.notifications.service") is None:
        return False
    from voxi.notifications.service import queue_booking_confirmation

    await queue_booking_confirmation(session, appointment_id)
    return True


async def book_appointment(session: AsyncSession, ctx: CallContext, args: BookArgs) -> ToolResult:
    tenant, _config = await business_of(session, ctx)
    if args.start is None and args.hold_id is None:
        return ToolResult(ok=False, say="Which time would you like? Let me check what's open.")
    phone = args.phone or ctx.caller_number
    customer = await upsert_customer(
        session, phone or "", name=args.customer_name, address=args.address, called_at=datetime.now(UTC)
    )
    appointment = await scheduling.book(
        session,
        tenant,
        service_name=args.service,
        starts_at=args.start,
        hold_id=args.hold_id,
        customer_id=customer.id if customer else None,
        address=args.address,
        notes=args.notes,
        source="phone",
    )
    booking = await scheduling.booking_context(session, tenant)
    label = booking.describe(appointment.starts_at)
    texted = customer is not None and await _queue_confirmation(session, appointment.id)
    await set_call_outcome(session, ctx, "booked", f"Booked {appointment.service} for {label}.")
    say = f"You're all set: {appointment.service} on {label} at {args.address}."
    if texted:
        say += " You'll get a text confirmation shortly."
    return ToolResult(ok=True, say=say, data={"appointment": appointment_data(appointment, label)})


async def _callers_appointment(
    session: AsyncSession, ctx: CallContext, appointment_id: uuid.UUID | None
) -> Appointment | ToolResult:
    upcoming = await scheduling.appointments_for_caller(session, ctx.caller_number)
    if appointment_id is not None:
        found = next((a for a in upcoming if a.id == appointment_id), None)
        return found or ToolResult(ok=False, say="I couldn't find that appointment for this phone number.")
    if not upcoming:
        return ToolResult(ok=False, say="I couldn't find an upcoming appointment for this phone number.")
    if len(upcoming) > 1:
        tenant, _ = await business_of(session, ctx)
        booking = await scheduling.booking_context(session, tenant)
        labels = [f"{a.service} on {booking.describe(a.starts_at)}" for a in upcoming]
        return ToolResult(
            ok=False,
            say=f"I see {len(upcoming)} upcoming appointments: {'; '.join(labels)}. Which one do you mean?",
            data={
                "appointments": [appointment_data(a, lbl) for a, lbl in zip(upcoming, labels, strict=True)]
            },
        )
    return upcoming[0]


async def reschedule_appointment(session: AsyncSession, ctx: CallContext, args: RescheduleArgs) -> ToolResult:
    found = await _callers_appointment(session, ctx, args.appointment_id)
    if isinstance(found, ToolResult):
        return found
    tenant, _config = await business_of(session, ctx)
    moved = await scheduling.reschedule(session, tenant, found.id, args.start)
    booking = await scheduling.booking_context(session, tenant)
    label = booking.describe(moved.starts_at)
    await set_call_outcome(session, ctx, "booked", f"Rescheduled {moved.service} to {label}.")
    return ToolResult(
        ok=True,
        say=f"Done: your {moved.service} is now on {label}.",
        data={"appointment": appointment_data(moved, label)},
    )


async def cancel_appointment(session: AsyncSession, ctx: CallContext, args: CancelArgs) -> ToolResult:
    found = await _callers_appointment(session, ctx, args.appointment_id)
    if isinstance(found, ToolResult):
        return found
    tenant, _config = await business_of(session, ctx)
    canceled = await scheduling.cancel(session, found.id)
    label = (await scheduling.booking_context(session, tenant)).describe(canceled.starts_at)
    return ToolResult(
        ok=True,
        say=f"Your {canceled.service} on {label} is cancelled.",
        data={"appointment": appointment_data(canceled, label)},
    )


TOOLS = [
    Tool(
        "check_availability",
        "Find open appointment times for a service (next 14 days) and offer a few concrete options; "
        "with preferred_start, hold that exact time for a few minutes if it is free.",
        AvailabilityArgs,
        check_availability,
    ),
    Tool(
        "book_appointment",
        "Book a time from check_availability (start) or the held slot (hold_id), with the caller's name, "
        "phone and service address. Only this tool's confirmation means the job is booked.",
        BookArgs,
        book_appointment,
    ),
    Tool(
        "reschedule_appointment",
        "Move the caller's upcoming appointment (found by their phone number) to a new start time.",
        RescheduleArgs,
        reschedule_appointment,
    ),
    Tool(
        "cancel_appointment",
        "Cancel the caller's upcoming appointment (found by their phone number).",
        CancelArgs,
        cancel_appointment,
    ),
]
