"""The `ConversationBrain` interface: one caller utterance in, one sayable reply (and an action) out.

Engines (Twilio speech `<Gather>` loop, the text simulator) hold no conversation logic: they hand every
caller utterance to a brain together with a `ConversationState`, which is plain JSON so the Twilio speech
engine can store it on the CallLog between webhooks. The built-in receptionist (deterministic intents +
slot filling) answers when no OpenAI key is set; the LLM receptionist otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.agent.tools.base import CallContext
from voxi.calls.service import OUTCOME_STRENGTH

Action = Literal["continue", "transfer", "end_call"]
Outcome = Literal["booked", "message", "emergency", "transferred", "info", "spam", "abandoned"]


@dataclass(frozen=True)
class BrainReply:
    """What the engine says next, and whether the call goes on, is transferred or ends."""

    say: str
    action: Action = "continue"
    transfer_to: str | None = None


@dataclass
class ConversationState:
    """Everything a brain remembers between turns; JSON-serialisable (`to_json` / `from_json`).

    `outcome`, `urgency` and `summary` are what the brain learned about the call so far: the engine
    writes them to the CallLog after each turn (the strongest outcome wins there).
    """

    greeted: bool = False
    flow: str | None = None  # what the caller is doing: booking, reschedule, cancel, message, ...
    step: str | None = None  # the question the brain is waiting for an answer to
    slots: dict[str, Any] = field(default_factory=dict)
    no_input: int = 0  # consecutive silent turns
    not_understood: int = 0  # consecutive turns the brain could not make sense of
    tool_calls: int = 0  # numbers tool-call ids, so a replayed webhook replays the same tool call
    history: list[dict[str, Any]] = field(default_factory=list)  # the LLM brain's chat messages
    outcome: str | None = None
    urgency: str | None = None
    summary: str | None = None

    def to_json(self) -> dict[str, Any]:
        # A deep copy as plain JSON; orjson does it in a fraction of `dataclasses.asdict`'s time.
        data: dict[str, Any] = orjson.loads(orjson.dumps(self))
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> ConversationState:
        known = {name: value for name, value in (data or {}).items() if name in cls.__dataclass_fields__}
        return cls(**known)

    def next_tool_call_id(self) -> str:
        self.tool_calls += 1
        return f"turn-tool-{self.tool_calls}"

    def record(self, outcome: str, summary: str, *, urgency: str | None = None) -> None:
        """Note what came of the call; like the CallLog, a weaker outcome does not replace a stronger one."""
        if OUTCOME_STRENGTH[outcome] >= OUTCOME_STRENGTH.get(self.outcome or "", -1):
            self.outcome, self.summary = outcome, summary
        if urgency:
            self.urgency = urgency


class ConversationBrain(Protocol):
    """Answers one caller utterance.

    The first call of a conversation (`state.greeted` false) returns the greeting whatever
    `caller_text` is; afterwards an empty `caller_text` means the caller said nothing (silence).
    The tenant is already bound on `session`; tools run through `voxi.agent.tools.registry.run_tool`.
    """

    async def respond(
        self, session: AsyncSession, ctx: CallContext, state: ConversationState, caller_text: str
    ) -> BrainReply: ...
