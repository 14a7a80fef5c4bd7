"""Scripted callers through the text simulator on the built-in receptionist, against real tenants.

Every conversation goes through the same routing (number → business), tools and CallLog as a phone
call. Each asserts the outcome, the rows written (appointment, customer, message, emergency log), the
jobs queued (booking confirmation, escalation), and that the receptionist never says "booked" unless an
appointment row exists.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from tests.factories.tenancy import make_tenant
from voxi.agent.brain.builtin import BuiltInReceptionist
from voxi.calls.models import CallLog, Message
from voxi.core.db import Database
from voxi.customers.models import Customer
from voxi.emergencies.models import EmergencyLog
from voxi.emergencies.rules import SAFETY_SCRIPTS
from voxi.scheduling.models import Appointment, AppointmentStatus
from voxi.tenancy.models import TenantConfig
from voxi.voice.simulator import Simulator

TIMEZONE = "America/Chicago"
FORWARDING = "+15125550000"
_numbers = itertools.count(300)
OPEN_ALL_WEEK = {day: [["07:00", "19:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@dataclass
class Business:
    id: object
    number: str


@dataclass
class Conversation:
    """What the caller heard, turn by turn, and the rows the call left."""

    replies: list[str]
    call: CallLog
    appointments: list[Appointment] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    emergencies: list[EmergencyLog] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    transfer_to: str | None = None

    def said(self, words: str) -> bool:
        return any(words.lower() in reply.lower() for reply in self.replies)


async def business(db: Database, *, forwarding: str | None = FORWARDING, **config_changes) -> Business:
    number = f"+1512555{next(_numbers):04d}"
    tenant = await make_tenant(db, phone_number=number, forwarding_number=forwarding, timezone=TIMEZONE)
    async with db.cross_tenant("test: configure the business") as session:
        config = await session.get(TenantConfig, tenant.id)
        assert config is not None
        config.service_areas = ["Austin", "Round Rock", "78701"]
        config.business_hours = OPEN_ALL_WEEK
        config.emergency_number = "+15125550999"
        for name, value in config_changes.items():
            setattr(config, name, value)
        await session.commit()
    return Business(tenant.id, number)


async def call(db: Database, biz: Business, *lines: str, caller: str = "+15125550199") -> Conversation:
    simulator = Simulator(db, BuiltInReceptionist())
    replies, actions, transfer_to = [(await simulator.dial(biz.number, caller)).say], [], None
    for line in lines:
        assert not simulator.ended, f"the call ended before the caller said {line!r}: {replies}"
        reply = await simulator.say(line)
        replies.append(reply.say)
        actions.append(reply.action)
        transfer_to = reply.transfer_to or transfer_to
    if not simulator.ended:
        await simulator.hang_up()
    assert simulator.call is not None
    conversation = await _rows(db, biz, simulator.call.id, replies)
    conversation.actions, conversation.transfer_to = actions, transfer_to
    _never_claims_an_unbooked_booking(conversation)
    return conversation


async def _rows(db: Database, biz: Business, call_id, replies: list[str]) -> Conversation:
    async with db.cross_tenant("test: what the call left") as session:
        mine = biz.id

        async def rows(model):
            return list(await session.scalars(select(model).where(model.tenant_id == mine)))

        logged = await session.get(CallLog, (mine, call_id))
        jobs = (await session.execute(text("select task_name from procrastinate_jobs order by id"))).scalars()
        return Conversation(
            replies=replies,
            call=logged,
            appointments=await rows(Appointment),
            customers=await rows(Customer),
            messages=await rows(Message),
            emergencies=await rows(EmergencyLog),
            jobs=list(jobs),
        )


def _never_claims_an_unbooked_booking(conversation: Conversation) -> None:
    claims = [reply for reply in conversation.replies if "booked" in reply.lower()]
    booked = [a for a in conversation.appointments if a.status == AppointmentStatus.BOOKED]
    if claims:
        assert booked, f"said {claims!r} without a booked appointment"


def booked(conversation: Conversation) -> list[Appointment]:
    return [a for a in conversation.appointments if a.status == AppointmentStatus.BOOKED]


BOOK_FURNACE = (
    "Hi, I'd like to book a furnace repair",
    "tomorrow morning",
    "the first one",
    "John Smith",
    "12 Oak Street, Austin",
    "yes",
)


# --- booking ------------------------------------------------------------------------------------------


async def test_books_a_new_customer_and_queues_the_confirmation(db):
    biz = await business(db)
    conversation = await call(db, biz, *BOOK_FURNACE)
    [appointment] = booked(conversation)
    assert appointment.service == "Furnace repair"
    assert "12 Oak Street" in (appointment.address or "")
    [customer] = conversation.customers
    assert (customer.name, customer.phone) == ("John Smith", "+15125550199")
    assert conversation.call.outcome == "booked" and conversation.call.is_test
    assert conversation.call.summary.startswith("Booked Furnace repair")
    assert "notifications.booking_confirmation" in conversation.jobs
    assert conversation.replies[0].lower().count("ai") >= 1  # the disclosure greets every caller


async def test_asks_for_the_service_when_the_caller_does_not_name_one(db):
    biz = await business(db)
    conversation = await call(
        db,
        biz,
        "I need someone to come out",
        "AC repair",
        "tomorrow afternoon",
        "second",
        "Ana Diaz",
        "400 Congress Ave, Austin 78701",
        "yes",
    )
    assert conversation.said("Which service do you need?")
    [appointment] = booked(conversation)
    assert appointment.service == "AC repair"
    local = appointment.starts_at.astimezone(ZoneInfo(TIMEZONE))
    assert local.hour >= 12


async def test_books_the_earliest_time_and_another_callback_number(db):
    biz = await business(db)
    conversation = await call(
        db,
        biz,
        "My AC is broken, what's the earliest you have?",
        "the first one",
        "Sam Lee",
        "9 Elm St, Round Rock",
        "no, call me at 512 555 0111",
    )
    [appointment] = booked(conversation)
    assert [c.phone for c in conversation.customers] == ["+15125550111"]
    assert appointment.service == "AC repair"


async def test_caller_changes_the_day_before_picking(db):
    biz = await business(db)
    friday = "friday"
    conversation = await call(
        db,
        biz,
        "book a tune-up",
        "tomorrow morning",
        f"actually, make it {friday} morning",
        "the first one",
        "Kim Park",
        "77 Lamar Blvd, Austin",
        "yes",
    )
    [appointment] = booked(conversation)
    assert appointment.starts_at.astimezone(ZoneInfo(TIMEZONE)).strftime("%A").lower() == friday


async def test_caller_changes_their_mind_from_booking_to_a_message(db):
    biz = await business(db)
    conversation = await call(
        db,
        biz,
        "I want to book a tune-up",
        "never mind, can you just take a message",
        "Please call me about a new system quote",
        "Lee Wong",
    )
    assert booked(conversation) == []
    [message] = conversation.messages
    assert "new system quote" in message.body
    assert conversation.call.outcome == "message"


async def test_a_returning_customer_is_recognised_by_caller_id(db):
    biz = await business(db)
    await call(db, biz, *BOOK_FURNACE)
    conversation = await call(
        db, biz, "I'd like to book a tune-up", "friday afternoon", "first", "yes", "yes"
    )
    assert conversation.said("Welcome back, John")
    assert not conversation.said("May I have your name")
    assert len(booked(conversation)) == 2


# --- reschedule / cancel ------------------------------------------------------------------------------


async def test_reschedules_the_callers_appointment(db):
    biz = await business(db)
    first = await call(db, biz, *BOOK_FURNACE)
    [before] = booked(first)
    conversation = await call(
        db, biz, "I need to reschedule my appointment", "friday afternoon", "the first one"
    )
    [after] = booked(conversation)
    assert after.starts_at != before.starts_at
    assert after.starts_at.astimezone(ZoneInfo(TIMEZONE)).hour >= 12
    assert conversation.call.outcome == "booked" and "Rescheduled" in conversation.call.summary


async def test_cancels_the_callers_appointment(db):
    biz = await business(db)
    await call(db, biz, *BOOK_FURNACE)
    conversation = await call(db, biz, "I need to cancel my appointment", "yes")
    assert booked(conversation) == []
    assert [a.status for a in conversation.appointments] == [AppointmentStatus.CANCELED]


async def test_keeps_the_appointment_when_the_caller_does_not_confirm_the_cancellation(db):
    biz = await business(db)
    await call(db, biz, *BOOK_FURNACE)
    conversation = await call(db, biz, "cancel my appointment please", "no", "no thanks")
    assert len(booked(conversation)) == 1
    assert conversation.actions[-1] == "end_call"


async def test_cancel_without_an_appointment_says_so(db):
    biz = await business(db)
    conversation = await call(db, biz, "I want to cancel my appointment")
    assert conversation.said("couldn't find an upcoming appointment")
    assert conversation.appointments == []


# --- hours, areas, services ---------------------------------------------------------------------------


async def test_after_hours_the_greeting_says_so_and_a_message_is_taken(db):
    today = datetime.now(UTC).astimezone(ZoneInfo(TIMEZONE)).date()
    closed = {today.isoformat(): [], (today + timedelta(days=1)).isoformat(): []}
    biz = await business(db, hours_overrides=closed)
    conversation = await call(db, biz, "please take a message", "My water heater is leaking", "Pat Kim")
    assert "closed right now" in conversation.replies[0]
    assert [m.body for m in conversation.messages] == ["My water heater is leaking"]


async def test_answers_business_hours(db):
    biz = await business(db)
    conversation = await call(db, biz, "What are your hours?", "no thanks")
    assert conversation.call.outcome == "info"
    assert conversation.actions == ["continue", "end_call"]
    assert "7" in conversation.replies[1]


async def test_answers_which_services_are_offered(db):
    biz = await business(db)
    conversation = await call(db, biz, "What services do you offer?")
    assert "Furnace repair" in conversation.replies[1]
    assert conversation.call.outcome == "info"


async def test_a_served_area(db):
    biz = await business(db)
    conversation = await call(db, biz, "Do you service Round Rock?")
    assert conversation.call.outcome == "info" and "inside" in conversation.call.summary


async def test_an_area_outside_the_service_area(db):
    biz = await business(db)
    conversation = await call(db, biz, "Do you service Dallas?")
    assert conversation.call.outcome == "info" and "outside" in conversation.call.summary


async def test_an_address_outside_the_area_is_not_booked(db):
    biz = await business(db)
    conversation = await call(
        db,
        biz,
        "book a furnace repair",
        "tomorrow morning",
        "first",
        "Joe Ray",
        "5 Main St, Dallas 75201",
        "no",
    )
    assert booked(conversation) == []
    assert conversation.said("leave a message")


# --- emergencies --------------------------------------------------------------------------------------


async def emergency(db, line: str, *after: str) -> Conversation:
    return await call(db, await business(db), line, *after)


async def test_gas_leak_safety_script_first_then_escalation_then_transfer(db):
    conversation = await emergency(db, "I smell gas in my kitchen", "yes")
    assert conversation.replies[1].startswith(SAFETY_SCRIPTS["gas_leak"])
    assert conversation.replies[1].count(SAFETY_SCRIPTS["gas_leak"]) == 1
    [log] = conversation.emergencies
    assert log.kind == "gas_leak" and log.call_id == conversation.call.id
    assert "emergencies.escalate" in conversation.jobs
    assert (conversation.call.outcome, conversation.call.urgency) == ("emergency", "emergency")
    assert conversation.actions[-1] == "transfer" and conversation.transfer_to


async def test_carbon_monoxide_alarm(db):
    conversation = await emergency(db, "my carbon monoxide alarm is going off", "no", "no")
    assert conversation.replies[1].startswith(SAFETY_SCRIPTS["carbon_monoxide"])
    assert [log.kind for log in conversation.emergencies] == ["carbon_monoxide"]
    assert conversation.actions[-1] == "end_call"


async def test_no_heat_at_20_degrees_with_an_elderly_person_is_urgent(db):
    conversation = await emergency(
        db, "Our heat is out, it's 20 degrees and my elderly mother lives here", "no"
    )
    assert not any(script in conversation.replies[1] for script in SAFETY_SCRIPTS.values())
    [log] = conversation.emergencies
    assert log.kind == "no_heat"
    assert conversation.call.outcome == "emergency"


async def test_flooding(db):
    conversation = await emergency(db, "a pipe burst and water is pouring through the ceiling")
    assert [log.kind for log in conversation.emergencies] == ["flooding"]


async def test_sparks_from_an_outlet(db):
    conversation = await emergency(db, "there are sparks coming out of my outlet")
    assert conversation.replies[1].startswith(SAFETY_SCRIPTS["electrical_hazard"])


async def test_no_heat_on_a_warm_day_is_a_normal_booking(db):
    conversation = await emergency(
        db, "no heat but it's 80 degrees out, can I book a furnace repair", "tomorrow morning"
    )
    assert conversation.emergencies == []
    assert conversation.said("Which works best")


# --- messages, transfers, trouble ---------------------------------------------------------------------


async def test_takes_a_message(db):
    biz = await business(db)
    conversation = await call(
        db, biz, "Can you take a message for the owner?", "Please call me back about my bill", "Dana"
    )
    [message] = conversation.messages
    assert (message.body, message.caller_name, message.caller_phone) == (
        "Please call me back about my bill",
        "Dana",
        "+15125550199",
    )
    assert conversation.call.outcome == "message"


async def test_transfers_to_a_person_on_request(db):
    biz = await business(db)
    conversation = await call(db, biz, "Can I talk to a real person?")
    assert conversation.actions == ["transfer"] and conversation.transfer_to == FORWARDING
    assert conversation.call.outcome == "transferred"


async def test_without_a_forwarding_number_a_transfer_becomes_a_message(db):
    biz = await business(db, forwarding=None, emergency_number=None)
    conversation = await call(db, biz, "let me speak to someone", "Tell them the AC is dripping", "Ray")
    assert "transfer" not in conversation.actions
    assert [m.body for m in conversation.messages] == ["Tell them the AC is dripping"]


async def test_garbage_is_reprompted_twice_then_a_message_or_transfer_is_offered(db):
    biz = await business(db)
    conversation = await call(db, biz, "blorp", "zzzk hmm", "asdf qwer", "a message please", "call me", "Bo")
    assert conversation.said("didn't")
    assert conversation.said("take a message, or connect you")
    assert len(conversation.messages) == 1


async def test_silence_is_reprompted_then_offered_then_the_call_ends(db):
    biz = await business(db)
    conversation = await call(db, biz, "", "", "", "")
    assert conversation.replies[1].startswith("Sorry, I didn't hear anything")
    assert conversation.said("I still can't hear you")
    assert conversation.actions[-1] == "end_call"
    assert conversation.call.outcome == "abandoned"


async def test_the_call_log_keeps_the_whole_transcript(db):
    biz = await business(db)
    conversation = await call(db, biz, "What are your hours?", "bye")
    roles = [turn["role"] for turn in conversation.call.transcript]
    assert roles == ["agent", "caller", "agent", "caller", "agent"]
    assert conversation.call.ended_at is not None and conversation.call.engine == "simulator"


@pytest.mark.parametrize("line", ["goodbye", "no thanks, bye"])
async def test_an_immediate_goodbye_ends_the_call(db, line):
    conversation = await call(db, await business(db), line)
    assert conversation.actions == ["end_call"]
