"""The tool registry: typed arguments, sayable failures, idempotent replays, and each tool's effect."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from tests.factories.scheduling import ALWAYS_OPEN, make_bookable_tenant
from voxi.agent.tools.base import CallContext
from voxi.agent.tools.registry import TOOLS, run_tool, tool_specs
from voxi.calls.models import Message
from voxi.core.db import Database, activate_tenant
from voxi.customers.models import Customer
from voxi.emergencies.models import EmergencyLog
from voxi.scheduling.models import Appointment, AppointmentStatus

CALLER = "+15125550147"
EXPECTED_TOOLS = {
    "get_business_info",
    "check_service_area",
    "check_availability",
    "book_appointment",
    "reschedule_appointment",
    "cancel_appointment",
    "lookup_customer",
    "take_message",
    "report_emergency",
    "transfer_call",
    "end_call",
}


def ctx_for(tenant_id: uuid.UUID, call_sid: str = "CA-test", caller: str | None = CALLER) -> CallContext:
    return CallContext(
        tenant_id=tenant_id, call_id=None, call_sid=call_sid, caller_number=caller, called_number=None
    )


async def tool(db: Database, ctx: CallContext, name: str, tool_call_id: str = "", **arguments):
    async with db.sessions() as session:
        await activate_tenant(session, ctx.tenant_id)
        result = await run_tool(session, ctx, name, arguments, tool_call_id or uuid.uuid4().hex)
        await session.commit()
    return result


async def count(db: Database, tenant_id: uuid.UUID, model, *where) -> int:
    async with db.sessions() as session:
        await activate_tenant(session, tenant_id)
        return await session.scalar(select(func.count()).select_from(model).where(*where))


def tomorrow_at(hour: int) -> str:
    day = datetime.now(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC).isoformat()


def test_the_registry_has_the_eleven_tools_with_json_schemas():
    assert set(TOOLS) == EXPECTED_TOOLS
    specs = {s.name: s for s in tool_specs()}
    assert set(specs) == EXPECTED_TOOLS
    assert specs["book_appointment"].parameters["type"] == "object"
    assert {"customer_name", "address", "start"} <= set(specs["book_appointment"].parameters["properties"])


async def test_unknown_tools_and_bad_arguments_answer_a_sayable_sentence(db):
    acme = await make_bookable_tenant(db, timezone="UTC", hours=ALWAYS_OPEN)
    unknown = await tool(db, ctx_for(acme.id), "order_pizza")
    assert not unknown.ok and unknown.say == "Sorry, I can't do that on this call."
    bad = await tool(db, ctx_for(acme.id), "book_appointment", start="not a time", customer_name="Maria")
    assert not bad.ok and bad.say.startswith("Sorry, I need a valid")
    assert "address" in bad.say


async def test_book_then_replay_returns_the_stored_answer_without_booking_twice(db):
    acme = await make_bookable_tenant(db, timezone="UTC", hours=ALWAYS_OPEN)
    ctx = ctx_for(acme.id)
    arguments = {
        "service": "AC repair",
        "start": tomorrow_at(15),
        "customer_name": "Maria Garcia",
        "address": "12 Oak St",
    }
    first = await tool(db, ctx, "book_appointment", "tc-1", **arguments)
    assert first.ok, first.say
    assert first.say.startswith("You're all set: AC repair on ") and "at 3 PM at 12 Oak St" in first.say
    replay = await tool(db, ctx, "book_appointment", "tc-1", **arguments)
    assert replay == first
    assert await count(db, acme.id, Appointment, Appointment.status == AppointmentStatus.BOOKED) == 1
    # The same tool-call id on another call is a different request.
    again = await tool(db, ctx_for(acme.id, call_sid="CA-other"), "book_appointment", "tc-1", **arguments)
    assert not again.ok and "was just taken" in again.say
    customer = await count(db, acme.id, Customer, Customer.phone == CALLER, Customer.name == "Maria Garcia")
    assert customer == 1


async def test_check_availability_offers_concrete_times_and_holds_a_requested_one(db):
    acme = await make_bookable_tenant(db, timezone="UTC", hours=ALWAYS_OPEN)
    offered = await tool(
        db, ctx_for(acme.id), "check_availability", service="ac repair", part_of_day="morning"
    )
    assert offered.ok and offered.say.startswith("For AC repair, I have ")
    assert 1 <= len(offered.data["slots"]) <= 3
    assert all(" at " in s["label"] and "AM" in s["label"] for s in offered.data["slots"])

    held = await tool(
        db, ctx_for(acme.id), "check_availability", service="AC repair", preferred_start=tomorrow_at(10)
    )
    assert held.ok and "I'm holding it for you for 5 minutes" in held.say
    hold_id = held.data["hold_id"]
    assert await count(db, acme.id, Appointment, Appointment.status == AppointmentStatus.HELD) == 1
    booked = await tool(
        db, ctx_for(acme.id), "book_appointment", hold_id=hold_id, customer_name="Sam", address="9 Elm Rd"
    )
    assert booked.ok and booked.data["appointment"]["id"] == hold_id
    assert booked.data["appointment"]["status"] == "booked"


async def test_unknown_service_lists_what_is_offered(db):
    acme = await make_bookable_tenant(db, timezone="UTC", hours=ALWAYS_OPEN)
    result = await tool(db, ctx_for(acme.id), "check_availability", service="roof replacement")
    assert not result.ok and result.say == "We don't offer that service. We offer: AC repair."


async def test_reschedule_and_cancel_find_the_callers_appointment_by_phone(db):
    acme = await make_bookable_tenant(db, timezone="UTC", hours=ALWAYS_OPEN)
    ctx = ctx_for(acme.id)
    await tool(
        db,
        ctx,
        "book_appointment",
        service="AC repair",
        start=tomorrow_at(9),
        customer_name="Maria",
        address="1 A St",
    )
    stranger = await tool(db, ctx_for(acme.id, caller="+15125559999"), "cancel_appointment")
    assert not stranger.ok and "couldn't find an upcoming appointment" in stranger.say
    moved = await tool(db, ctx, "reschedule_appointment", start=tomorrow_at(13))
    assert moved.ok and "is now on" in moved.say and "at 1 PM" in moved.say
    looked_up = await tool(db, ctx, "lookup_customer")
    assert looked_up.data["customer"]["name"] == "Maria"
    assert looked_up.data["upcoming_appointments"][0]["start"] == tomorrow_at(13)
    canceled = await tool(db, ctx, "cancel_appointment")
    assert canceled.ok and canceled.say.endswith("is cancelled.")
    assert await count(db, acme.id, Appointment, Appointment.status == AppointmentStatus.CANCELED) == 1


async def test_service_area_matches_zip_codes_and_city_names(db):
    acme = await make_bookable_tenant(db, timezone="UTC")
    async with db.cross_tenant("test") as session:
        from sqlalchemy import update

        from voxi.tenancy.models import TenantConfig

        await session.execute(
            update(TenantConfig)
            .where(TenantConfig.tenant_id == acme.id)
            .values(service_areas=["Austin", "78701", "Round Rock"])
        )
        await session.commit()
    ctx = ctx_for(acme.id)
    assert (await tool(db, ctx, "check_service_area", location="12 Oak St, Austin TX")).data["served"] is True
    assert (await tool(db, ctx, "check_service_area", location="500 Main, 78701-1234")).data[
        "area"
    ] == "78701"
    assert (await tool(db, ctx, "check_service_area", location="round rock")).data["served"] is True
    outside = await tool(db, ctx, "check_service_area", location="Dallas 75201")
    assert outside.data["served"] is False and "outside our service area" in outside.say


async def test_business_info_take_message_emergency_transfer_and_end_call(db):
    acme = await make_bookable_tenant(db, timezone="UTC", hours=ALWAYS_OPEN, forwarding_number="+15125550100")
    ctx = ctx_for(acme.id)
    info = await tool(db, ctx, "get_business_info", topic="hours")
    assert (
        info.ok
        and "Our hours are Monday to Sunday 12 AM to midnight." in info.say
        and "open right now" in info.say
    )
    message = await tool(
        db, ctx, "take_message", caller_name="Ann", message="Call me about a quote", urgency="urgent"
    )
    assert (
        message.ok
        and await count(
            db, acme.id, Message, Message.body == "Call me about a quote", Message.caller_phone == CALLER
        )
        == 1
    )
    emergency = await tool(
        db, ctx, "report_emergency", kind="gas_leak", description="smells gas", severity="life_safety"
    )
    assert emergency.ok and emergency.say.startswith("Please leave the building now and call 911")
    assert await count(db, acme.id, EmergencyLog, EmergencyLog.kind == "gas_leak") == 1
    transfer = await tool(db, ctx, "transfer_call", reason="caller asked for a person")
    assert transfer.action == "transfer" and transfer.transfer_to == "+15125550100"
    goodbye = await tool(db, ctx, "end_call")
    assert goodbye.action == "end_call" and goodbye.say.startswith("Thanks for calling")


async def test_report_emergency_promises_a_call_back_only_when_the_chain_starts(db):
    from voxi.tenancy.models import TenantConfig

    acme = await make_bookable_tenant(db, timezone="UTC", hours=ALWAYS_OPEN)
    async with db.sessions() as session:
        await activate_tenant(session, acme.id)
        config = await session.get_one(TenantConfig, acme.id)
        config.emergency_settings = {**(config.emergency_settings or {}), "escalate_kinds": ["gas_leak"]}
        await session.commit()
    ctx = ctx_for(acme.id)
    flooding = await tool(
        db, ctx, "report_emergency", kind="flooding", description="water", severity="urgent"
    )
    assert flooding.ok and "on-call team" not in flooding.say and "flagged this as urgent" in flooding.say
    gas = await tool(db, ctx, "report_emergency", kind="gas_leak", description="gas", severity="life_safety")
    assert "I've alerted our on-call team" in gas.say
