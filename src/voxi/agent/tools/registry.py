"""The one tool registry every engine uses: typed arguments, idempotent per (call, tool-call id).

A tool never raises to its engine: unknown tools, bad arguments and domain errors come back as a
`ToolResult(ok=False)` whose `say` the agent can speak as it is.
"""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime
from typing import Any

import structlog
from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.agent.models import ToolInvocation
from voxi.agent.tools import appointments, business, call_control, callers
from voxi.agent.tools.base import CallContext, ToolResult, ToolSpec
from voxi.agent.tools.common import Tool, sayable_error
from voxi.auth.tokens import sha256_hex
from voxi.core.errors import VoxiError

log = structlog.get_logger(__name__)

TOOLS: dict[str, Tool] = {
    tool.name: tool for module in (business, appointments, callers, call_control) for tool in module.TOOLS
}
UNKNOWN_TOOL = "Sorry, I can't do that on this call."
FAILED = "Sorry, something went wrong on my end. I can take a message so the team can follow up."
STILL_RUNNING = "One moment, I'm still working on that."


@functools.cache
def tool_specs() -> tuple[ToolSpec, ...]:
    """The registry as the LLMs see it; built once (every call's session and every LLM turn sends it).

    Shared: callers must not mutate the schemas.
    """
    return tuple(ToolSpec(tool.name, tool.description, _json_schema(tool)) for tool in TOOLS.values())


def _json_schema(tool: Tool) -> dict[str, Any]:
    schema = tool.arguments.model_json_schema()
    schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
    return schema


def arguments_key(name: str, arguments: dict[str, Any]) -> str:
    """A tool-call id for engines that send none (ElevenLabs server tools).

    Within one call, the same tool with the same arguments is the same request (a retry after a
    timeout, say): it gets the first answer instead of booking or messaging twice.
    """
    canonical = json.dumps([name, arguments], sort_keys=True, separators=(",", ":"), default=str)
    return "args-" + sha256_hex(canonical)[:40]


def call_key(ctx: CallContext) -> str | None:
    if ctx.call_id is not None:
        return str(ctx.call_id)
    return ctx.call_sid or None


async def run_tool(
    session: AsyncSession, ctx: CallContext, name: str, arguments: dict[str, Any], tool_call_id: str
) -> ToolResult:
    """Run `name` for the call in `ctx`; a repeated (call, tool_call_id) returns the stored result."""
    tool = TOOLS.get(name)
    if tool is None:
        return ToolResult(ok=False, say=UNKNOWN_TOOL, data={"error": "unknown_tool"})
    try:
        parsed = tool.arguments.model_validate(arguments or {})
    except ValidationError as exc:
        return ToolResult(ok=False, say=sayable_error(exc), data={"error": "bad_arguments"})
    key = call_key(ctx)
    try:
        async with session.begin_nested():  # a failure undoes the tool's writes and its claim alone
            if key and tool_call_id:
                stored = await _claim(session, ctx, key, tool_call_id, name)
                if stored is not None:
                    return stored
            result = await _run(tool, session, ctx, parsed)
            if key and tool_call_id:
                await _store(session, key, tool_call_id, result)
            return result
    except Exception:
        log.exception("tool_failed", tool=name, call_key=key, tool_call_id=tool_call_id)
        return ToolResult(ok=False, say=FAILED, data={"error": "internal"})


async def _run(tool: Tool, session: AsyncSession, ctx: CallContext, arguments: Any) -> ToolResult:
    try:
        return await tool.run(session, ctx, arguments)
    except VoxiError as exc:
        return ToolResult(ok=False, say=exc.message, data={"error": exc.code})


async def _claim(
    session: AsyncSession, ctx: CallContext, key: str, tool_call_id: str, name: str
) -> ToolResult | None:
    """Claim (call, tool-call id) before running; None when claimed, else the earlier answer.

    A concurrent duplicate blocks on the primary key until the first commits, then finds its row.
    """
    claimed = await session.scalar(
        insert(ToolInvocation)
        .values(tenant_id=ctx.tenant_id, call_key=key, tool_call_id=tool_call_id, tool=name)
        .on_conflict_do_nothing()
        .returning(ToolInvocation.tool_call_id)
    )
    if claimed is not None:
        return None
    stored = await session.scalar(
        select(ToolInvocation.result).where(
            ToolInvocation.call_key == key, ToolInvocation.tool_call_id == tool_call_id
        )
    )
    if not stored:
        return ToolResult(ok=False, say=STILL_RUNNING, data={"error": "in_progress"})
    return ToolResult(
        ok=stored["ok"],
        say=stored["say"],
        data=stored.get("data") or {},
        action=stored.get("action"),
        transfer_to=stored.get("transfer_to"),
    )


async def _store(session: AsyncSession, key: str, tool_call_id: str, result: ToolResult) -> None:
    stored = {
        "ok": result.ok,
        "say": result.say,
        "data": result.data,
        "action": result.action,
        "transfer_to": result.transfer_to,
    }
    await session.execute(
        update(ToolInvocation)
        .where(ToolInvocation.call_key == key, ToolInvocation.tool_call_id == tool_call_id)
        .values(result=stored, completed_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
