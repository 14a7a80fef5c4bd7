"""Tools that change the call itself: report an emergency, transfer to a person, end the call."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.agent.tools.base import CallContext, ToolResult
from voxi.agent.tools.common import Arguments, Tool, business_of, set_call_outcome
from voxi.emergencies.rules import SAFETY_SCRIPTS
from voxi.emergencies.service import report_emergency as record_emergency


class EmergencyArgs(Arguments):
    kind: str = Field(
        min_length=2,
        max_length=40,
        description="gas_leak, carbon_monoxide, electrical_hazard, flooding, no_heat, no_ac, other",
    )
    description: str = Field(default="", max_length=2000)
    severity: Literal["life_safety", "urgent"] = "urgent"


class TransferArgs(Arguments):
    reason: str = Field(default="", max_length=300)


class EndCallArgs(Arguments):
    reason: str = Field(default="", max_length=300)


async def report_emergency(session: AsyncSession, ctx: CallContext, args: EmergencyArgs) -> ToolResult:
    log = await record_emergency(
        session, ctx, kind=args.kind, description=args.description, severity=args.severity
    )
    script = SAFETY_SCRIPTS.get(log.kind) if args.severity == "life_safety" else None
    # Only promise a call-back when the escalation chain really started (a business may switch a kind off).
    alerted = (
        "I've alerted our on-call team, and someone will call you back right away."
        if log.escalation_status != "not_escalated"
        else "I've flagged this as urgent for the team, and they'll follow up as soon as possible."
    )
    say = f"{script} {alerted}" if script else alerted
    return ToolResult(
        ok=True, say=say, data={"emergency_id": str(log.id), "kind": log.kind, "safety_script": script}
    )


async def transfer_call(session: AsyncSession, ctx: CallContext, args: TransferArgs) -> ToolResult:
    _tenant, config = await business_of(session, ctx)
    emergency = "emergenc" in args.reason.lower()
    number = (
        (config.emergency_number if emergency else None)
        or config.forwarding_number
        or config.emergency_number
    )
    if not number:
        return ToolResult(ok=False, say="I'm not able to transfer you right now, but I can take a message.")
    await set_call_outcome(
        session, ctx, "transferred", f"Transferred: {args.reason or 'caller asked for a person'}."
    )
    return ToolResult(
        ok=True,
        say="Please hold while I connect you.",
        data={"transfer_to": number},
        action="transfer",
        transfer_to=number,
    )


async def end_call(session: AsyncSession, ctx: CallContext, args: EndCallArgs) -> ToolResult:
    tenant, _config = await business_of(session, ctx)
    return ToolResult(ok=True, say=f"Thanks for calling {tenant.name}. Goodbye!", action="end_call")


TOOLS = [
    Tool(
        "report_emergency",
        "Report an emergency (gas smell, CO alarm, sparks/burning, flooding, no heat or AC in extreme "
        "weather, vulnerable occupants): alerts the on-call team and returns the safety script to read.",
        EmergencyArgs,
        report_emergency,
    ),
    Tool(
        "transfer_call",
        "Transfer the caller to a person at the business (the forwarding number; the emergency line "
        "for emergencies).",
        TransferArgs,
        transfer_call,
    ),
    Tool("end_call", "End the call after saying goodbye.", EndCallArgs, end_call),
]
