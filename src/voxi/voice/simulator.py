"""The text simulator: a call typed instead of spoken, through the same routing, tools and CallLog.

`voxi call simulate` and the dashboard's "Test your AI" page both dial a Voxi number here: the number is
resolved like a real call's `To`, the CallLog is opened (marked `is_test`) and every turn goes through
the same brain and tools as the Twilio speech engine. Each step is its own transaction, like a webhook.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from voxi.agent.brain.base import BrainReply, ConversationBrain
from voxi.calls.models import CallLog
from voxi.calls.service import call_by_sid, close_call, open_call
from voxi.core.db import Database, activate_tenant
from voxi.core.errors import NotFound
from voxi.telephony.service import resolve_tenant_by_number
from voxi.voice.conversation import take_turn
from voxi.voice.repository import business_with_config
from voxi.voice.service import answers_calls

ENGINE = "simulator"
DEFAULT_CALLER = "+15555550100"


@dataclass(frozen=True)
class TestCallTurn:
    call: CallLog
    reply: BrainReply


async def start_test_call(
    session: AsyncSession, brain: ConversationBrain, *, to_number: str, from_number: str = DEFAULT_CALLER
) -> TestCallTurn:
    """Dial `to_number` as `from_number`; the reply is the greeting (or what a closed line answers)."""
    resolution = await resolve_tenant_by_number(session, to_number)
    if resolution.tenant_id is None:
        raise NotFound(f"{to_number} is {resolution.reason}.")
    await activate_tenant(session, resolution.tenant_id)
    business = await business_with_config(session, resolution.tenant_id)
    if business is None:
        raise NotFound("This business has no configuration.")
    tenant, config = business
    call = await open_call(
        session,
        call_sid=f"SIM{uuid.uuid4().hex}",
        from_number=from_number,
        to_number=resolution.e164 or to_number,
        engine=ENGINE,
        is_test=True,
    )
    if not answers_calls(tenant):
        where = (
            f"forwarded to {config.forwarding_number}" if config.forwarding_number else "sent to voicemail"
        )
        say = f"(This business is {tenant.status.lower()}: a real caller would be {where}.)"
        return TestCallTurn(call, BrainReply(say, "end_call"))
    return TestCallTurn(call, await take_turn(session, call, brain, ""))


async def test_call_turn(
    session: AsyncSession, brain: ConversationBrain, call_sid: str, text: str
) -> TestCallTurn:
    """The caller's next line (tenant already bound); a transfer or hang-up ends the test call."""
    call = await call_by_sid(session, call_sid)
    if call is None or not call.is_test:
        raise NotFound("This test call does not exist.")
    if call.ended_at is not None:
        return TestCallTurn(call, BrainReply("(This test call has ended.)", "end_call"))
    reply = await take_turn(session, call, brain, text)
    if reply.action != "continue":
        await end_test_call(session, call_sid)
    return TestCallTurn(call, reply)


async def end_test_call(session: AsyncSession, call_sid: str) -> CallLog | None:
    call = await call_by_sid(session, call_sid)
    if call is None or call.ended_at is not None:
        return call
    seconds = int(time.time() - call.started_at.timestamp())
    return await close_call(session, call_sid, status="completed", duration_seconds=seconds)


class Simulator:
    """One simulated call on its own sessions, as the CLI and the scripted-caller tests drive it."""

    def __init__(self, db: Database, brain: ConversationBrain) -> None:
        self.db, self.brain = db, brain
        self.call: CallLog | None = None
        self.tenant_id: uuid.UUID | None = None
        self.ended = False

    async def dial(self, to_number: str, from_number: str = DEFAULT_CALLER) -> BrainReply:
        async with self.db.sessions() as session:
            started = await start_test_call(session, self.brain, to_number=to_number, from_number=from_number)
            await session.commit()
        self.call, self.tenant_id = started.call, started.call.tenant_id
        self.ended = started.reply.action != "continue"
        return started.reply

    async def say(self, text: str) -> BrainReply:
        assert self.call is not None and self.tenant_id is not None, "dial first"  # noqa: S101 - API misuse
        async with self.db.sessions() as session:
            await activate_tenant(session, self.tenant_id)
            turn = await test_call_turn(session, self.brain, self.call.call_sid, text)
            await session.commit()
        self.ended = turn.reply.action != "continue"
        return turn.reply

    async def hang_up(self) -> None:
        if self.call is None or self.tenant_id is None:
            return
        async with self.db.sessions() as session:
            await activate_tenant(session, self.tenant_id)
            await end_test_call(session, self.call.call_sid)
            await session.commit()
        self.ended = True
