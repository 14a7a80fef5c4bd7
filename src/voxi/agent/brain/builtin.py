"""The built-in receptionist: deterministic intents + slot filling, no LLM.

Every caller turn: silence handling, then the emergency rule layer, then the answer to the question the
receptionist is waiting on (unless the caller changes their mind), then intent detection. Everything the
business knows comes from tools, and a booking is only announced with the tool's own confirmation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from voxi.agent.brain import booking
from voxi.agent.brain.base import BrainReply, ConversationState
from voxi.agent.brain.emergency import emergency_reply
from voxi.agent.brain.turn import ANYTHING_ELSE, HOW_CAN_I_HELP, Turn, ask
from voxi.agent.brain.understanding import (
    changes_mind,
    detect_intent,
    find_location,
    looks_like_garbage,
    match_service,
    yes_or_no,
)
from voxi.agent.config import opening_words
from voxi.agent.hours import BusinessHours
from voxi.agent.tools.base import CallContext
from voxi.tenancy.models import Tenant, TenantConfig

WHAT_I_DO = (
    "I can book a service visit, answer questions about our hours, services and service areas, "
    "or take a message."
)
OFFER_MESSAGE_OR_TRANSFER = (
    "I can take a message, or connect you to someone on our team. Which would you prefer?"
)
CLOSED_NOTE = "Our office is closed right now, but I can still book a visit or take a message."
MAX_REPROMPTS = 2

Intent = Callable[[Turn, str], Awaitable[BrainReply]]
Step = Callable[[Turn, str], Awaitable[BrainReply | None]]  # None: not an answer to the question


class BuiltInReceptionist:
    """`ConversationBrain` without an LLM: what a fresh install answers with, and what tests drive."""

    def __init__(self, *, clock: Callable[[], datetime] | None = None) -> None:
        self.clock = clock

    async def respond(
        self, session: AsyncSession, ctx: CallContext, state: ConversationState, caller_text: str
    ) -> BrainReply:
        turn = await Turn.load(session, ctx, state, now=self.clock() if self.clock else None)
        if not state.greeted:
            return greet(turn)
        text = caller_text.strip()
        if not text:
            return await silence(turn)
        state.no_input = 0
        if (reply := await emergency_reply(turn, text)) is not None:
            return reply
        if not state.slots.get("caller_checked"):
            await booking.recognise_caller(turn)
        reply = await understand(turn, text)
        return _welcome_back(turn, reply)


def greet(turn: Turn) -> BrainReply:
    return greeting(turn.tenant, turn.config, turn.now, turn.state)


def greeting(
    tenant: Tenant,
    config: TenantConfig,
    now: datetime,
    state: ConversationState,
    hours: BusinessHours | None = None,
) -> BrainReply:
    """The first message (AI + recording disclosure) from the business's configuration; no I/O."""
    say, is_open = opening_words(tenant, config, now, hours)
    state.greeted = True
    if not is_open:
        say = f"{say} {CLOSED_NOTE}"
    state.slots["last_question"] = HOW_CAN_I_HELP
    return BrainReply(say)


def _welcome_back(turn: Turn, reply: BrainReply) -> BrainReply:
    """Greet a returning customer by name once, on the first answer after recognising them."""
    name = turn.state.slots.pop("welcome_back", None)
    if not name or reply.action != "continue":
        return reply
    return BrainReply(f"Welcome back, {name.split()[0]}! {reply.say}", reply.action, reply.transfer_to)


async def understand(turn: Turn, text: str) -> BrainReply:
    state = turn.state
    intent = detect_intent(text)
    switching = intent is not None and intent != state.flow and (changes_mind(text) or intent == "transfer")
    if state.step and not switching and (handler := STEPS.get(state.step)):
        reply = await handler(turn, text)
        if reply is not None:
            state.not_understood = 0
            return reply
    if intent is None and match_service(text, turn.services):
        intent = "book"
    if intent is None:
        if state.step is None and find_location(text) and "area" in text.lower():
            intent = "areas"
        else:
            return await not_understood(turn, text)
    state.not_understood = 0
    state.flow, state.step = intent, None
    return await INTENTS[intent](turn, text)


async def not_understood(turn: Turn, text: str) -> BrainReply:
    state = turn.state
    state.not_understood += 1
    if state.not_understood > MAX_REPROMPTS:
        state.flow = None
        return ask(
            turn,
            "message_or_transfer",
            f"I'm sorry, I'm having trouble understanding. {OFFER_MESSAGE_OR_TRANSFER}",
        )
    if looks_like_garbage(text):
        return BrainReply(f"Sorry, I didn't catch that. {state.slots.get('last_question', HOW_CAN_I_HELP)}")
    if state.step:
        return BrainReply(f"Sorry, I didn't understand. {state.slots.get('last_question', HOW_CAN_I_HELP)}")
    return ask(turn, None, f"Sorry, I didn't understand. {WHAT_I_DO} What would you like?")


async def silence(turn: Turn) -> BrainReply:
    state = turn.state
    state.no_input += 1
    if state.no_input <= MAX_REPROMPTS:
        return BrainReply(
            f"Sorry, I didn't hear anything. {state.slots.get('last_question', HOW_CAN_I_HELP)}"
        )
    if state.no_input == MAX_REPROMPTS + 1:
        return ask(turn, "message_or_transfer", f"I still can't hear you. {OFFER_MESSAGE_OR_TRANSFER}")
    await turn.tool("end_call", reason="no response from the caller")
    return BrainReply(
        f"I'm sorry, I can't hear you. Please call {turn.tenant.name} back. Goodbye.", "end_call"
    )


# --- intents ----------------------------------------------------------------------------------------


async def business_info(turn: Turn, topic: str, summary: str) -> BrainReply:
    result = await turn.tool("get_business_info", topic=topic)
    turn.state.record("info", summary)
    return ask(turn, "anything_else", f"{result.say} {ANYTHING_ELSE}", question=ANYTHING_ELSE)


async def hours(turn: Turn, _text: str) -> BrainReply:
    return await business_info(turn, "hours", "Asked about business hours.")


async def services(turn: Turn, _text: str) -> BrainReply:
    return await business_info(turn, "services", "Asked which services are offered.")


async def areas(turn: Turn, text: str) -> BrainReply:
    location = find_location(text)
    if location is None:
        return await business_info(turn, "areas", "Asked about service areas.")
    result = await turn.tool("check_service_area", location=location)
    verdict = "inside" if result.ok and result.data.get("served", True) else "outside"
    turn.state.record("info", f"Asked whether {location} is served ({verdict} the service area).")
    return ask(turn, "anything_else", f"{result.say} {ANYTHING_ELSE}", question=ANYTHING_ELSE)


async def transfer(turn: Turn, _text: str) -> BrainReply:
    result = await turn.tool("transfer_call", reason="the caller asked for a person")
    if result.action == "transfer" and result.transfer_to:
        turn.state.record("transferred", f"Caller asked for a person; transferred to {result.transfer_to}.")
        return BrainReply(result.say or "Connecting you now.", "transfer", result.transfer_to)
    turn.state.flow = "message"
    return ask(
        turn,
        "message_body",
        f"{result.say} I can take a message instead. What would you like me to pass on?",
        question="What message would you like me to pass on?",
    )


async def goodbye(turn: Turn, _text: str) -> BrainReply:
    result = await turn.tool("end_call", reason="the caller is done")
    if turn.state.outcome is None:
        turn.state.record("info", "Caller ended the call without a request.")
    say = result.say if result.ok and result.say else f"Thanks for calling {turn.tenant.name}. Goodbye!"
    return BrainReply(say, "end_call")


async def message(turn: Turn, _text: str) -> BrainReply:
    return ask(turn, "message_body", "Sure. What message would you like me to pass on?")


# --- answers to the receptionist's questions ----------------------------------------------------------


async def message_body(turn: Turn, text: str) -> BrainReply | None:
    if looks_like_garbage(text):
        return None
    turn.state.slots["message"] = text
    if booking.known_name(turn) is None:
        return ask(turn, "message_name", "Got it. And may I have your name?")
    return await booking.take_message(turn)


async def message_name(turn: Turn, text: str) -> BrainReply | None:
    name = booking.clean_name(text)
    if name is None:
        return None
    turn.state.slots["name"] = name
    return await booking.take_message(turn)


async def anything_else(turn: Turn, text: str) -> BrainReply | None:
    if detect_intent(text) not in (None, "goodbye"):
        return None  # a new request: let intent detection take it
    answer = yes_or_no(text)
    if answer is False or detect_intent(text) == "goodbye":
        return await goodbye(turn, text)
    if answer is True:
        turn.state.flow = None
        return ask(turn, None, "Sure, what can I help with?")
    return None


async def offer_transfer(turn: Turn, text: str) -> BrainReply | None:
    answer = yes_or_no(text)
    if answer is True:
        return await transfer(turn, text)
    if answer is False:
        return ask(
            turn,
            "anything_else",
            f"Okay. Our team has been alerted and will call you back as soon as possible. {ANYTHING_ELSE}",
            question=ANYTHING_ELSE,
        )
    return None


async def message_or_transfer(turn: Turn, text: str) -> BrainReply | None:
    lowered = text.lower()
    if "message" in lowered:
        turn.state.flow = "message"
        return await message(turn, text)
    if detect_intent(text) == "transfer" or yes_or_no(text) is True or "connect" in lowered:
        return await transfer(turn, text)
    if yes_or_no(text) is False:
        return await goodbye(turn, text)
    return None


async def offer_message(turn: Turn, text: str) -> BrainReply | None:
    answer = yes_or_no(text)
    if answer is True or "message" in text.lower():
        turn.state.flow = "message"
        return ask(turn, "message_body", "Sure. What message would you like me to pass on?")
    if answer is False:
        return ask(turn, "anything_else", f"No problem. {ANYTHING_ELSE}", question=ANYTHING_ELSE)
    return None


INTENTS: dict[str, Intent] = {
    "transfer": transfer,
    "cancel": booking.cancel,
    "reschedule": booking.reschedule,
    "message": message,
    "hours": hours,
    "areas": areas,
    "services": services,
    "book": booking.book,
    "goodbye": goodbye,
}
STEPS: dict[str, Step] = {
    "anything_else": anything_else,
    "offer_transfer": offer_transfer,
    "message_or_transfer": message_or_transfer,
    "offer_message": offer_message,
    "message_body": message_body,
    "message_name": message_name,
    **booking.STEPS,
}
