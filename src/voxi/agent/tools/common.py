"""What every tool module shares: the tool record, the tenant it runs for, and sayable errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.agent.tools.base import CallContext, ToolResult
from voxi.core.errors import NotFound
from voxi.tenancy.models import Tenant, TenantConfig


class Arguments(BaseModel):
    """A tool's arguments; unknown extra fields from an LLM are ignored rather than failing the call."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    arguments: type[Arguments]
    run: Callable[[AsyncSession, CallContext, Any], Awaitable[ToolResult]]


async def business_of(session: AsyncSession, ctx: CallContext) -> tuple[Tenant, TenantConfig]:
    tenant = await session.get(Tenant, ctx.tenant_id)
    config = await session.get(TenantConfig, ctx.tenant_id)
    if tenant is None or config is None:
        raise NotFound("Sorry, I can't find this business's details right now.")
    return tenant, config


def sayable_error(exc: ValidationError) -> str:
    """'I still need the date and the service address.' from a Pydantic error."""
    missing = [str(error["loc"][-1]).replace("_", " ") for error in exc.errors() if error.get("loc")]
    if not missing:
        return "Sorry, I didn't catch that. Could you say it again?"
    return f"Sorry, I need a valid {' and '.join(dict.fromkeys(missing))} for that."


async def set_call_outcome(session: AsyncSession, ctx: CallContext, outcome: str, summary: str) -> None:
    """Record what the tool achieved on the call's log (a weaker outcome never replaces a stronger one)."""
    if ctx.call_id is None:
        return
    from voxi.calls.service import set_outcome  # calls imports agent pieces; keep the edge one-way

    await set_outcome(session, ctx.call_id, outcome, summary=summary)
