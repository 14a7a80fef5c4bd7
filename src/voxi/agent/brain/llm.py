"""The LLM receptionist: OpenAI chat completions with function calling over the tool registry.

The emergency rule layer still runs first on every utterance (deterministic, never the model's call).
Tool calls run through `run_tool` with the model's own tool-call ids (idempotent on replays); after
`MAX_TOOL_ROUNDS` rounds, or on any API error, the caller hears a fallback and is transferred.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import openai
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.agent.brain.base import BrainReply, ConversationBrain, ConversationState
from voxi.agent.brain.builtin import BuiltInReceptionist, greet
from voxi.agent.brain.emergency import emergency_reply
from voxi.agent.brain.turn import Turn
from voxi.agent.config import build_agent_config
from voxi.agent.tools.base import CallContext, ToolResult
from voxi.agent.tools.registry import run_tool, tool_specs
from voxi.core.settings import Settings

log = structlog.get_logger(__name__)

MAX_TOOL_ROUNDS = 4
SILENCE = "(The caller said nothing.)"
FALLBACK = "I'm sorry, I'm having trouble on my end. Let me connect you with someone who can help."
# What a successful tool call means for the call's outcome (and its one-line summary).
OUTCOMES = {
    "book_appointment": "booked",
    "reschedule_appointment": "booked",
    "take_message": "message",
    "report_emergency": "emergency",
    "transfer_call": "transferred",
    "get_business_info": "info",
    "check_service_area": "info",
}


def openai_client(api_key: str, base_url: str, *, timeout: float = 10.0) -> openai.AsyncOpenAI:
    """The SDK on an httpx client of our own (timeouts, and tests can route it to a local fake)."""
    return openai.AsyncOpenAI(
        api_key=api_key,
        base_url=base_url,
        max_retries=0,
        # An httpx (not httpx2) client: the SDK accepts it, and respx fakes can see its requests.
        http_client=httpx.AsyncClient(timeout=timeout),  # type: ignore[arg-type]
    )


class LlmReceptionist:
    """`ConversationBrain` on an OpenAI chat model; used when OPENAI_API_KEY is set."""

    def __init__(
        self,
        client: openai.AsyncOpenAI,
        model: str,
        *,
        engine: str = "twilio_speech",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.client, self.model, self.engine, self.clock = client, model, engine, clock

    async def respond(
        self, session: AsyncSession, ctx: CallContext, state: ConversationState, caller_text: str
    ) -> BrainReply:
        turn = await Turn.load(session, ctx, state, now=self.clock() if self.clock else None)
        if not state.greeted:
            reply = greet(turn)
            state.history = [{"role": "assistant", "content": reply.say}]
            return reply
        text = caller_text.strip()
        if text and (emergency := await emergency_reply(turn, text)) is not None:
            state.history += [
                {"role": "user", "content": text},
                {"role": "assistant", "content": emergency.say},
            ]
            return emergency
        state.history.append({"role": "user", "content": text or SILENCE})
        try:
            return await self._converse(turn)
        except (openai.OpenAIError, httpx.HTTPError, KeyError, IndexError, TypeError) as exc:
            log.warning("llm_brain_failed", error=repr(exc), call_sid=ctx.call_sid)
            return await _fallback(turn)

    async def _converse(self, turn: Turn) -> BrainReply:
        config = build_agent_config(
            turn.tenant,
            turn.config,
            phone_numbers=[turn.ctx.called_number] if turn.ctx.called_number else [],
            now=turn.now,
            engine=self.engine,
        )
        tools = [
            {
                "type": "function",
                "function": {"name": s.name, "description": s.description, "parameters": s.parameters},
            }
            for s in tool_specs()
        ]
        for _ in range(MAX_TOOL_ROUNDS):
            completion = await self.client.chat.completions.create(
                model=self.model,
                messages=[{"role": "system", "content": config.system_prompt}, *turn.state.history],  # type: ignore[list-item]
                tools=tools,  # type: ignore[arg-type]
            )
            message = completion.choices[0].message
            if not message.tool_calls:
                say = (message.content or "").strip() or "Sorry, could you say that again?"
                turn.state.history.append({"role": "assistant", "content": say})
                return BrainReply(say)
            turn.state.history.append(message.model_dump(include={"role", "content", "tool_calls"}))
            action = await self._run_tool_calls(turn, message.tool_calls)
            if action is not None:
                return BrainReply(action.say, action.action or "continue", action.transfer_to)
        log.warning("llm_brain_tool_rounds_exhausted", call_sid=turn.ctx.call_sid)
        return await _fallback(turn)

    async def _run_tool_calls(self, turn: Turn, tool_calls: list[Any]) -> ToolResult | None:
        action = None
        for call in tool_calls:
            name = call.function.name
            try:
                arguments = json.loads(call.function.arguments or "{}")
            except json.JSONDecodeError:
                arguments = {}
            result = await run_tool(
                turn.session, turn.ctx, name, arguments if isinstance(arguments, dict) else {}, call.id
            )
            turn.state.history.append(
                {
                    "role": "tool",
                    "tool_call_id": call.id,
                    "content": json.dumps(
                        {"ok": result.ok, "say": result.say, "data": result.data}, default=str
                    ),
                }
            )
            if result.ok and name in OUTCOMES:
                turn.state.record(OUTCOMES[name], _summary(name, arguments, result))
            if result.action is not None:
                action = result
        return action


def _summary(tool: str, arguments: Any, result: ToolResult) -> str:
    detail = json.dumps(arguments, default=str)[:160] if arguments else ""
    return f"{tool.replace('_', ' ').capitalize()}: {result.say or detail}"[:300]


async def _fallback(turn: Turn) -> BrainReply:
    result = await turn.tool("transfer_call", reason="the assistant failed")
    if result.action == "transfer" and result.transfer_to:
        turn.state.record("transferred", "The assistant failed; the caller was transferred.")
        return BrainReply(FALLBACK, "transfer", result.transfer_to)
    return BrainReply(
        f"I'm sorry, I'm having trouble on my end. Please call {turn.tenant.name} back in a few minutes.",
        "end_call",
    )


def build_brain(settings: Settings) -> ConversationBrain:
    """The LLM receptionist when an OpenAI key is configured, else the built-in one (DESIGN.md §2)."""
    if settings.openai_api_key:
        client = openai_client(settings.openai_api_key, settings.openai_base_url)
        return LlmReceptionist(client, settings.openai_chat_model)
    return BuiltInReceptionist()
