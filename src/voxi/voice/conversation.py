"""One conversation turn on a CallLog, shared by the Twilio speech engine and the text simulator.

The brain's state lives on the CallLog (`conversation`), the turns in its transcript, and what the brain
learned (outcome, urgency, one-line summary) in its outcome columns — the strongest outcome wins.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from voxi.agent.brain.base import BrainReply, ConversationBrain, ConversationState
from voxi.agent.tools.base import CallContext
from voxi.calls.models import CallLog
from voxi.calls.service import append_turn, set_outcome
from voxi.telephony.numbers import to_e164


def call_context(call: CallLog) -> CallContext:
    return CallContext(
        tenant_id=call.tenant_id,
        call_id=call.id,
        call_sid=call.call_sid,
        caller_number=to_e164(call.from_number) if call.from_number else None,
        called_number=call.to_number or None,
        is_test=call.is_test,
    )


async def take_turn(
    session: AsyncSession, call: CallLog, brain: ConversationBrain, caller_text: str
) -> BrainReply:
    """Hand the caller's words (empty: silence; first turn: the greeting) to the brain; log both sides."""
    state = ConversationState.from_json(call.conversation)
    greeting = not state.greeted
    text = caller_text.strip()
    reply = await brain.respond(session, call_context(call), state, text)
    if text and not greeting:
        await append_turn(session, call.id, "caller", text)
    await append_turn(session, call.id, "agent", reply.say)
    call.conversation = state.to_json()
    if state.outcome:
        await set_outcome(session, call.id, state.outcome, urgency=state.urgency, summary=state.summary)
    if reply.action == "transfer" and reply.transfer_to:
        await set_outcome(
            session, call.id, "transferred", summary=state.summary or f"Transferred to {reply.transfer_to}."
        )
    return reply
