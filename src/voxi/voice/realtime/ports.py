"""The bridge's ports onto Voxi for one call: agent config, tools, transcript, live-call control.

Each operation is its own short transaction bound to the call's tenant (the call lasts minutes; a
connection is held only for one tool run or one transcript line).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import structlog
from twilio.twiml.voice_response import VoiceResponse

from voxi.agent.config import build_agent_config
from voxi.agent.tools.base import CallContext, ToolResult
from voxi.agent.tools.registry import run_tool, tool_specs
from voxi.calls.models import CallLog
from voxi.calls.service import append_turn
from voxi.core.db import Database, activate_tenant
from voxi.core.settings import Settings
from voxi.telephony.providers.base import Telephony
from voxi.voice import twiml
from voxi.voice.elevenlabs.service import business_of
from voxi.voice.realtime.codec import SessionConfig
from voxi.voice.realtime.session import CarryOut
from voxi.voice.realtime.stream_auth import StreamGrant
from voxi.voice.service import TwilioCall, recording_callback

log = structlog.get_logger(__name__)
ENGINE = "openai"
TOOL_FAILED = "Sorry, I couldn't do that just now. I can take a message for the team instead."


class CallNotAnswerable(Exception):
    """The stream names a call or business that cannot be answered (gone, deactivated)."""


@dataclass
class DatabaseCallPorts:
    settings: Settings
    db: Database
    telephony: Telephony
    grant: StreamGrant
    ctx: CallContext | None = None
    forwarding_twiml: str = ""

    async def load(self) -> SessionConfig:
        """The tenant's instructions, voice, tools and greeting; also fixes the call's context."""

        async with self.db.sessions() as session:
            await activate_tenant(session, self.grant.tenant_id)
            call = await session.get(CallLog, (self.grant.tenant_id, self.grant.call_id))
            business = await business_of(session, self.grant.tenant_id)
            if call is None or business is None:
                raise CallNotAnswerable(str(self.grant.call_id))
            tenant, config, numbers = business
            agent = build_agent_config(
                tenant, config, phone_numbers=numbers, now=datetime.now(UTC), engine=ENGINE
            )
            caller = TwilioCall(self.grant.call_sid, call.from_number, call.to_number)
            self.forwarding_twiml = twiml.forward_or_voicemail(
                config.forwarding_number,
                business_name=tenant.name,
                recording_url=recording_callback(self.settings, caller),
            )
        self.ctx = CallContext(
            tenant_id=self.grant.tenant_id,
            call_id=self.grant.call_id,
            call_sid=self.grant.call_sid,
            caller_number=call.from_number,
            called_number=call.to_number,
            is_test=call.is_test,
        )
        return SessionConfig(
            instructions=agent.system_prompt,
            voice=agent.voice.voice,
            tools=[
                {"type": "function", "name": s.name, "description": s.description, "parameters": s.parameters}
                for s in tool_specs()
            ],
            first_message=agent.first_message,
            model=self.settings.openai_realtime_model,
        )

    async def run_tool(self, name: str, arguments: dict[str, Any], tool_call_id: str) -> ToolResult:
        assert self.ctx is not None  # noqa: S101 - load() ran before the bridge started
        try:
            async with self.db.sessions() as session:
                await activate_tenant(session, self.grant.tenant_id)
                result = await run_tool(session, self.ctx, name, arguments, tool_call_id)
                await session.commit()
                return result
        except Exception:  # the registry answers domain errors itself; this is the database failing
            log.exception("realtime_tool_failed", tool=name)
            return ToolResult(ok=False, say=TOOL_FAILED)

    async def record_turn(self, role: Literal["caller", "agent", "tool"], text: str) -> None:
        async with self.db.sessions() as session:
            await activate_tenant(session, self.grant.tenant_id)
            await append_turn(session, self.grant.call_id, role, text)
            await session.commit()

    async def carry_out(self, action: CarryOut) -> None:
        response = VoiceResponse()
        if action.action == "transfer" and action.transfer_to:
            response.dial(action.transfer_to, timeout=twiml.DIAL_TIMEOUT_SECONDS)
        else:
            response.hangup()
        await self.telephony.redirect_call(self.grant.call_sid, str(response))

    async def forward_caller(self) -> None:
        await self.telephony.redirect_call(self.grant.call_sid, self.forwarding_twiml)
