"""Tools about the caller: recognise a returning customer, take a message."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import AliasChoices, Field
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.agent.tools.appointments import appointment_data
from voxi.agent.tools.base import CallContext, ToolResult
from voxi.agent.tools.common import Arguments, Tool, business_of, set_call_outcome
from voxi.calls.models import Message
from voxi.customers.service import lookup_customer as find_profile
from voxi.customers.service import upsert_customer
from voxi.scheduling import service as scheduling
from voxi.telephony.numbers import to_e164


class LookupArgs(Arguments):
    phone: str | None = Field(default=None, max_length=32, description="Defaults to the caller ID")


class MessageArgs(Arguments):
    caller_name: str = Field(default="", max_length=120, validation_alias=AliasChoices("caller_name", "name"))
    caller_phone: str | None = Field(
        default=None, max_length=32, validation_alias=AliasChoices("caller_phone", "phone")
    )
    message: str = Field(min_length=1, max_length=2000)
    urgency: Literal["normal", "urgent"] = "normal"


async def lookup_customer(session: AsyncSession, ctx: CallContext, args: LookupArgs) -> ToolResult:
    profile = await find_profile(session, args.phone or ctx.caller_number)
    if profile is None:
        return ToolResult(
            ok=True, say="This looks like a new caller.", data={"found": False, "customer": None}
        )
    tenant, _config = await business_of(session, ctx)
    booking = await scheduling.booking_context(session, tenant)
    customer = profile.customer
    upcoming = await scheduling.appointments_for_caller(session, customer.phone)
    data = {
        "found": True,
        "customer": {
            "id": str(customer.id),
            "name": customer.name,
            "phone": customer.phone,
            "address": customer.address,
        },
        "last_appointment": (
            appointment_data(profile.last_appointment, booking.describe(profile.last_appointment.starts_at))
            if profile.last_appointment
            else None
        ),
        "upcoming_appointments": [appointment_data(a, booking.describe(a.starts_at)) for a in upcoming],
    }
    say = (
        f"This is {customer.name}, a returning customer."
        if customer.name
        else "This is a returning customer."
    )
    if upcoming:
        say += f" They have {upcoming[0].service} on {booking.describe(upcoming[0].starts_at)}."
    return ToolResult(ok=True, say=say, data=data)


async def take_message(session: AsyncSession, ctx: CallContext, args: MessageArgs) -> ToolResult:
    phone = to_e164(args.caller_phone) if args.caller_phone else None
    phone = phone or ctx.caller_number or ""
    message = Message(
        call_id=ctx.call_id,
        caller_name=args.caller_name,
        caller_phone=phone,
        body=args.message,
        urgency=args.urgency,
    )
    session.add(message)
    await session.flush()
    if phone:
        await upsert_customer(session, phone, name=args.caller_name or None, called_at=datetime.now(UTC))
    await set_call_outcome(session, ctx, "message", f"Message: {args.message[:200]}")
    _tenant, config = await business_of(session, ctx)
    who = config.owner_name or "the team"
    return ToolResult(
        ok=True,
        say=f"Got it. I'll pass your message to {who}, and someone will get back to you.",
        data={"message_id": str(message.id)},
    )


TOOLS = [
    Tool(
        "lookup_customer",
        "Look up the caller by phone number (caller ID by default): name, address, last and upcoming "
        "appointments.",
        LookupArgs,
        lookup_customer,
    ),
    Tool(
        "take_message",
        "Take a message for the business with the caller's name, phone and what they need.",
        MessageArgs,
        take_message,
    ),
]
