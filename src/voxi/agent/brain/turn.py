"""One brain turn's surroundings: the business, its configuration, the local time and the tool runner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from voxi.agent.brain.base import BrainReply, ConversationState
from voxi.agent.tools.base import CallContext, ToolResult
from voxi.agent.tools.registry import run_tool
from voxi.core.errors import NotFound
from voxi.tenancy.models import Tenant, TenantConfig

HOW_CAN_I_HELP = "How can I help you today?"
ANYTHING_ELSE = "Is there anything else I can help you with?"


@dataclass
class Turn:
    session: AsyncSession
    ctx: CallContext
    state: ConversationState
    tenant: Tenant
    config: TenantConfig
    now: datetime  # in the business's timezone

    @classmethod
    async def load(
        cls, session: AsyncSession, ctx: CallContext, state: ConversationState, *, now: datetime | None = None
    ) -> Turn:
        # Both rows are usually in the session's identity map already (the webhook loaded them).
        tenant = await session.get(Tenant, ctx.tenant_id)
        config = await session.get(TenantConfig, ctx.tenant_id)
        if tenant is None or config is None:
            raise NotFound("This business has no configuration.")
        local = (now or datetime.now(UTC)).astimezone(ZoneInfo(tenant.timezone))
        return cls(session, ctx, state, tenant, config, local)

    async def tool(self, name: str, **arguments: Any) -> ToolResult:
        """Run a tool; its id is numbered per call, so a replayed webhook replays, not repeats, it."""
        return await run_tool(self.session, self.ctx, name, arguments, self.state.next_tool_call_id())

    @property
    def services(self) -> list[dict[str, Any]]:
        return [service for service in self.config.services if isinstance(service, dict)]


def ask(turn: Turn, step: str | None, say: str, *, question: str | None = None) -> BrainReply:
    """Say `say` and wait for the answer to `question` (by default all of `say`) in `step`."""
    turn.state.step = step
    turn.state.slots["last_question"] = question or say
    return BrainReply(say)
