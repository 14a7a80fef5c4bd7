"""Booking, rescheduling, cancelling and message-taking for the built-in receptionist.

Booking: service → day/time preference → `check_availability` → the caller picks → name, address and
phone confirmed → `book_appointment`. Only the tool's own answer ever says a job is booked.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from voxi.agent.brain.base import BrainReply
from voxi.agent.brain.turn import ANYTHING_ELSE, Turn, ask
from voxi.agent.brain.understanding import (
    looks_like_garbage,
    match_service,
    parse_day,
    parse_part_of_day,
    pick_option,
    wants_soonest,
    yes_or_no,
)
from voxi.agent.tools.base import ToolResult
from voxi.telephony.numbers import to_e164

WHEN = "What day works best for you, and do you prefer morning or afternoon?"
_NAME_PREFIX = re.compile(r"^(?:my name is|my name's|this is|it's|it is|i'm|i am|name is|call me)\s+", re.I)


async def recognise_caller(turn: Turn) -> None:
    """Look the caller up by caller ID once per call; a returning customer is greeted by name."""
    turn.state.slots["caller_checked"] = True
    if not turn.ctx.caller_number:
        return
    result = await turn.tool("lookup_customer", phone=turn.ctx.caller_number)
    customer = result.data.get("customer") if result.ok else None
    if isinstance(customer, dict) and customer.get("name"):
        turn.state.slots["customer"] = {"name": customer["name"], "address": customer.get("address") or ""}
        turn.state.slots["welcome_back"] = customer["name"]


def known_name(turn: Turn) -> str | None:
    return turn.state.slots.get("name") or (turn.state.slots.get("customer") or {}).get("name")


def clean_name(text: str) -> str | None:
    name = _NAME_PREFIX.sub("", text.strip()).strip(" .!?,")
    if looks_like_garbage(name) or len(name) > 80:
        return None
    return " ".join(part.capitalize() if part.islower() else part for part in name.split())


# --- booking ------------------------------------------------------------------------------------------


async def book(turn: Turn, text: str) -> BrainReply:
    slots = turn.state.slots
    slots.pop("options", None)
    if service := match_service(text, turn.services):
        slots["service"] = service
    _note_preference(turn, text)
    if not slots.get("service"):
        names = ", ".join(s["name"] for s in turn.services) or "a service visit"
        return ask(turn, "service", f"I can help with that. Which service do you need? We offer {names}.")
    if not _has_preference(turn):
        return ask(turn, "when", f"Sure, I can book {slots['service']}. {WHEN}", question=WHEN)
    return await offer_times(turn)


async def service_step(turn: Turn, text: str) -> BrainReply | None:
    service = match_service(text, turn.services)
    if service is None:
        return None
    turn.state.slots["service"] = service
    _note_preference(turn, text)
    if not _has_preference(turn):
        return ask(turn, "when", f"{service}, got it. {WHEN}", question=WHEN)
    return await offer_times(turn)


async def when_step(turn: Turn, text: str) -> BrainReply | None:
    if not _note_preference(turn, text):
        return None
    return await offer_times(turn)


def _note_preference(turn: Turn, text: str) -> bool:
    slots = turn.state.slots
    day, part, soonest = parse_day(text, turn.now.date()), parse_part_of_day(text), wants_soonest(text)
    if day is not None:
        slots["day"] = day.isoformat()
    if part is not None:
        slots["part_of_day"] = part
    if soonest:
        slots["day"], slots["soonest"] = None, True
    return day is not None or part is not None or soonest


def _has_preference(turn: Turn) -> bool:
    slots = turn.state.slots
    return bool(slots.get("day") or slots.get("part_of_day") or slots.get("soonest"))


async def offer_times(turn: Turn) -> BrainReply:
    slots = turn.state.slots
    arguments: dict[str, Any] = {"service": slots["service"]}
    if slots.get("day"):
        arguments["day"] = slots["day"]
    if slots.get("part_of_day"):
        arguments["part_of_day"] = slots["part_of_day"]
    result = await turn.tool("check_availability", **arguments)
    options = _options(result, turn)
    if not result.ok or not options:
        slots["day"] = slots["part_of_day"] = None
        return ask(turn, "when", f"{result.say} Would another day work?", question=WHEN)
    slots["options"] = options
    return ask(
        turn, "pick", f"{result.say} Which works best for you?", question="Which time works best for you?"
    )


def _options(result: ToolResult, turn: Turn) -> list[dict[str, Any]]:
    options = []
    for slot in result.data.get("slots") or []:
        starts_at = str(slot.get("startsAt") or slot.get("start"))
        start = datetime.fromisoformat(starts_at).astimezone(turn.now.tzinfo)
        options.append(
            {
                "start": starts_at,
                "label": slot.get("label") or f"{start:%A} at {start:%-I:%M %p}".replace(":00 ", " "),
                "weekday": f"{start:%A}".lower(),
                "hour": start.hour,
                "minute": start.minute,
            }
        )
    return options


async def pick_step(turn: Turn, text: str) -> BrainReply | None:
    slots = turn.state.slots
    index = pick_option(text, slots.get("options") or [])
    if index is None:
        if _note_preference(turn, text):  # "actually, Thursday afternoon"
            return await offer_times(turn)
        labels = " or ".join(option["label"] for option in slots.get("options") or [])
        return ask(turn, "pick", f"Sorry, which time would you like: {labels}?", question=f"{labels}?")
    slots["chosen"] = slots["options"][index]
    if turn.state.flow == "reschedule":
        return await _reschedule_to(turn)
    return _ask_details(turn)


def _ask_details(turn: Turn) -> BrainReply:
    slots, label = turn.state.slots, turn.state.slots["chosen"]["label"]
    customer = slots.get("customer")
    if customer and customer.get("address"):
        question = f"Shall I put it under {customer['name']} at {customer['address']}?"
        return ask(turn, "confirm_details", f"{label}, great. {question}", question=question)
    if known_name(turn):
        return ask(turn, "address", f"{label}, great. What's the service address?")
    return ask(turn, "name", f"{label}, great. May I have your name?")


async def confirm_details_step(turn: Turn, text: str) -> BrainReply | None:
    answer = yes_or_no(text)
    if answer is True:
        customer = turn.state.slots["customer"]
        turn.state.slots.update(name=customer["name"], address=customer["address"])
        return _ask_phone(turn)
    if answer is False:
        turn.state.slots.pop("customer", None)
        return ask(turn, "name", "No problem. What name should I put it under?")
    return None


async def name_step(turn: Turn, text: str) -> BrainReply | None:
    name = clean_name(text)
    if name is None:
        return None
    turn.state.slots["name"] = name
    return ask(turn, "address", f"Thanks, {name.split()[0]}. What's the service address?")


async def address_step(turn: Turn, text: str) -> BrainReply | None:
    if looks_like_garbage(text) or not re.search(r"\d", text):
        return None
    address = text.strip().rstrip(".")
    area = await turn.tool("check_service_area", location=address)
    if area.ok and area.data.get("served") is False or not area.ok:
        turn.state.record("info", f"Out of the service area ({address}); no booking.")
        return ask(
            turn, "offer_message", f"{area.say} Would you like to leave a message for the team instead?"
        )
    turn.state.slots["address"] = address
    return _ask_phone(turn)


def _ask_phone(turn: Turn) -> BrainReply:
    caller = turn.ctx.caller_number
    if caller:
        question = f"Is {_spoken_number(caller)} the best number to reach you?"
        return ask(turn, "phone_confirm", question)
    return ask(turn, "phone", "What's the best phone number to reach you?")


async def phone_confirm_step(turn: Turn, text: str) -> BrainReply | None:
    answer = yes_or_no(text)
    if answer is True:
        turn.state.slots["phone"] = turn.ctx.caller_number
        return await _book(turn)
    if answer is False:
        return await phone_step(turn, text) or ask(turn, "phone", "What number should we use?")
    return await phone_step(turn, text)


async def phone_step(turn: Turn, text: str) -> BrainReply | None:
    digits = "".join(ch for ch in text if ch.isdigit() or ch == "+")
    phone = to_e164(digits) if len(digits) >= 10 else None
    if phone is None:
        return None
    turn.state.slots["phone"] = phone
    return await _book(turn)


async def _book(turn: Turn) -> BrainReply:
    slots = turn.state.slots
    chosen = slots["chosen"]
    result = await turn.tool(
        "book_appointment",
        service=slots["service"],
        start=chosen["start"],
        customer_name=slots["name"],
        address=slots["address"],
        phone=slots["phone"],
    )
    if not result.ok:
        slots.pop("options", None)
        return ask(turn, "when", f"{result.say} Would another day or time work?", question=WHEN)
    turn.state.record(
        "booked", f"Booked {slots['service']} for {chosen['label']} — {slots['name']}, {slots['address']}."
    )
    turn.state.flow = None
    return ask(turn, "anything_else", f"{result.say} {ANYTHING_ELSE}", question=ANYTHING_ELSE)


def _spoken_number(e164: str) -> str:
    digits = e164.removeprefix("+1")
    if len(digits) != 10:
        return e164
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


# --- reschedule / cancel (by caller ID) ---------------------------------------------------------------


async def reschedule(turn: Turn, text: str) -> BrainReply:
    slots = turn.state.slots
    appointment = await _callers_next_appointment(turn)
    if appointment is None:
        return _no_appointment(turn)
    slots["service"] = appointment.get("service") or (turn.services[0]["name"] if turn.services else "")
    slots["appointment_id"] = appointment.get("id")
    slots["day"] = slots["part_of_day"] = None
    current = _describe(appointment)
    if _note_preference(turn, text):
        return await offer_times(turn)
    return ask(turn, "when", f"I see {current}. {WHEN}", question=WHEN)


async def _reschedule_to(turn: Turn) -> BrainReply:
    slots = turn.state.slots
    chosen = slots["chosen"]
    arguments: dict[str, Any] = {"start": chosen["start"]}
    if slots.get("appointment_id"):
        arguments["appointment_id"] = slots["appointment_id"]
    result = await turn.tool("reschedule_appointment", **arguments)
    if not result.ok:
        return ask(turn, "when", f"{result.say} Would another day or time work?", question=WHEN)
    turn.state.record("booked", f"Rescheduled {slots['service']} to {chosen['label']}.")
    turn.state.flow = None
    return ask(turn, "anything_else", f"{result.say} {ANYTHING_ELSE}", question=ANYTHING_ELSE)


async def cancel(turn: Turn, _text: str) -> BrainReply:
    appointment = await _callers_next_appointment(turn)
    if appointment is None:
        return _no_appointment(turn)
    turn.state.slots["appointment_id"] = appointment.get("id")
    turn.state.slots["appointment_label"] = _describe(appointment)
    question = f"I see {turn.state.slots['appointment_label']}. Would you like me to cancel it?"
    return ask(turn, "confirm_cancel", question)


async def confirm_cancel_step(turn: Turn, text: str) -> BrainReply | None:
    answer = yes_or_no(text)
    if answer is None:
        return None
    turn.state.flow = None
    if answer is False:
        return ask(
            turn, "anything_else", f"Okay, I'll leave it as it is. {ANYTHING_ELSE}", question=ANYTHING_ELSE
        )
    arguments = (
        {"appointment_id": turn.state.slots["appointment_id"]}
        if turn.state.slots.get("appointment_id")
        else {}
    )
    result = await turn.tool("cancel_appointment", **arguments)
    if result.ok:
        turn.state.record("info", f"Cancelled {turn.state.slots['appointment_label']}.")
    return ask(turn, "anything_else", f"{result.say} {ANYTHING_ELSE}", question=ANYTHING_ELSE)


def _describe(appointment: dict[str, Any]) -> str:
    service, label = appointment.get("service"), appointment.get("label")
    return f"your {service} on {label}" if service and label else "your upcoming appointment"


async def _callers_next_appointment(turn: Turn) -> dict[str, Any] | None:
    """The caller's next appointment, found by caller ID (reschedule and cancel start here)."""
    result = await turn.tool("lookup_customer", phone=turn.ctx.caller_number or "")
    if not result.ok:
        return None
    upcoming = result.data.get("upcoming_appointments") or result.data.get("appointments") or []
    return upcoming[0] if upcoming and isinstance(upcoming[0], dict) else None


def _no_appointment(turn: Turn) -> BrainReply:
    turn.state.flow = None
    return ask(
        turn, "anything_else", f"I couldn't find an upcoming appointment for this number. {ANYTHING_ELSE}"
    )


# --- messages -----------------------------------------------------------------------------------------


async def take_message(turn: Turn) -> BrainReply:
    slots = turn.state.slots
    name = known_name(turn) or ""
    urgency = "urgent" if turn.state.urgency in ("urgent", "emergency") else "normal"
    result = await turn.tool(
        "take_message",
        caller_name=name,
        caller_phone=turn.ctx.caller_number or "",
        message=slots["message"],
        urgency=urgency,
    )
    turn.state.flow = None
    if result.ok:
        turn.state.record("message", f"Message from {name or 'caller'}: {slots['message'][:160]}")
    return ask(turn, "anything_else", f"{result.say} {ANYTHING_ELSE}", question=ANYTHING_ELSE)


STEPS = {
    "service": service_step,
    "when": when_step,
    "pick": pick_step,
    "confirm_details": confirm_details_step,
    "name": name_step,
    "address": address_step,
    "phone_confirm": phone_confirm_step,
    "phone": phone_step,
    "confirm_cancel": confirm_cancel_step,
}
