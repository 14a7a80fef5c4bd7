"""`POST /api/tools/{tool}`: the ElevenLabs agent's server tools, on the same registry as every engine."""

from __future__ import annotations

import hmac
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header
from sqlalchemy import select

from voxi.agent.tools.base import CallContext
from voxi.agent.tools.registry import arguments_key, run_tool
from voxi.calls.models import CallLog
from voxi.core.db import activate_tenant
from voxi.core.errors import NotFound, Unauthorized, VoxiError
from voxi.core.logging import bind_log_context
from voxi.core.schemas import ApiModel
from voxi.deps import SessionDep, SettingsDep
from voxi.telephony.numbers import to_e164
from voxi.tenancy.models import Tenant

router = APIRouter(prefix="/api/tools", tags=["agent tools"])

RESERVED = ("business_id", "call_sid", "caller_number", "tool_call_id")


class ToolsNotConfigured(VoxiError):
    status_code = 503
    code = "tools_not_configured"
    message = "Tools are not configured: set TOOLS_SECRET."


class ToolAnswer(ApiModel):
    ok: bool
    say: str
    data: dict[str, Any]
    action: str | None = None
    transfer_to: str | None = None


async def _verify_tools_secret(
    settings: SettingsDep,
    x_voxi_tools_secret: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> None:
    expected = settings.tools_secret
    if not expected:
        if settings.voxi_env not in ("development", "test"):
            raise ToolsNotConfigured()
        expected = settings.derived_secret("tools")
    if not x_voxi_tools_secret or not hmac.compare_digest(x_voxi_tools_secret.encode(), expected.encode()):
        raise Unauthorized("Send the tools secret in X-Voxi-Tools-Secret.")


ToolsSecret = Annotated[None, Depends(_verify_tools_secret)]
UNKNOWN_BUSINESS = "No such business or call."


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound(UNKNOWN_BUSINESS) from exc


@router.post("/{tool}", response_model=ToolAnswer)
async def call_tool(
    tool: str,
    _secret: ToolsSecret,
    session: SessionDep,
    body: Annotated[dict[str, Any], Body()],
) -> ToolAnswer:
    """Run one agent tool for a call; tool-level failures still answer 200 with a sayable sentence."""
    tenant_id = _uuid(body.get("business_id"))
    await activate_tenant(session, tenant_id)
    tenant = await session.get(Tenant, tenant_id)
    if tenant is None or tenant.deactivated_at is not None:
        raise NotFound(UNKNOWN_BUSINESS)
    call_sid = str(body["call_sid"]) if body.get("call_sid") else None
    call = None
    if call_sid:
        # RLS and the ORM filter see only this tenant's calls: another business's call is "not found".
        call = await session.scalar(select(CallLog).where(CallLog.call_sid == call_sid))
        if call is None:
            raise NotFound(UNKNOWN_BUSINESS)
    bind_log_context(tenant_id=tenant_id, call_sid=call_sid)
    caller = to_e164(str(body["caller_number"])) if body.get("caller_number") else None
    ctx = CallContext(
        tenant_id=tenant_id,
        call_id=call.id if call else None,
        call_sid=call_sid,
        caller_number=caller or (call.from_number if call else None),
        called_number=call.to_number if call else None,
        is_test=bool(call.is_test) if call else False,
    )
    arguments = {k: v for k, v in body.items() if k not in RESERVED}
    tool_call_id = str(body.get("tool_call_id") or "") or arguments_key(tool, arguments)
    result = await run_tool(session, ctx, tool, arguments, tool_call_id)
    return ToolAnswer(
        ok=result.ok, say=result.say, data=result.data, action=result.action, transfer_to=result.transfer_to
    )
