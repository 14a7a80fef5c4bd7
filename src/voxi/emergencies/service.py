"""Emergencies: report one (from the `report_emergency` tool), the escalation chain's contacts, and
acknowledging (an SMS reply, or 1 pressed on the escalation call). The chain itself runs as durable
jobs (`emergencies.escalation`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.admin.audit import record_audit
from voxi.agent.tools.base import CallContext
from voxi.core.jobs import defer
from voxi.core.tenant_context import current_tenant_id
from voxi.emergencies.models import EmergencyLog, EscalationAttempt, EscalationContact
from voxi.emergencies.rules import EmergencyRules
from voxi.emergencies.schemas import CONTACT_ROLES, KIND_LABELS, ContactIn
from voxi.tenancy.models import TenantConfig

OPEN_STATUSES = ("pending", "notifying")
SEVERITIES = ("life_safety", "urgent")


async def report_emergency(
    session: AsyncSession, ctx: CallContext, *, kind: str, description: str, severity: str
) -> EmergencyLog:
    """Log the emergency, mark the call as one, and start the escalation chain (unless switched off).

    Reporting the same kind again during one call returns the open log: one chain per emergency.
    """
    from voxi.emergencies.jobs import escalate  # the job module imports this one

    kind = (kind or "other").strip().lower()[:40]
    severity = severity if severity in SEVERITIES else "urgent"
    existing = await _open_log_for_call(session, ctx.call_id, kind) if ctx.call_id else None
    if existing is not None:
        return existing
    config = await session.get(TenantConfig, ctx.tenant_id)
    rules = EmergencyRules.from_config(config)
    # A kind the rules do not know (an LLM's own words) escalates: better a needless text than a miss.
    escalates = kind in rules.escalate_kinds or kind not in KIND_LABELS
    log = EmergencyLog(
        id=uuid.uuid4(),
        call_id=ctx.call_id,
        kind=kind,
        description=description[:2000],
        severity=severity,
        caller_number=ctx.caller_number,
        escalation_status="pending" if escalates else "not_escalated",
    )
    session.add(log)
    await session.flush()
    if ctx.call_id is not None:
        from voxi.calls.service import set_outcome

        urgency = "emergency" if severity == "life_safety" else "urgent"
        summary = f"Emergency ({label(kind).lower()}): {description[:160]}"
        await set_outcome(session, ctx.call_id, "emergency", urgency=urgency, summary=summary)
    if escalates:
        await defer(session, escalate, tenant_id=str(ctx.tenant_id), emergency_id=str(log.id), step=0)
    return log


def label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


async def _open_log_for_call(session: AsyncSession, call_id: uuid.UUID, kind: str) -> EmergencyLog | None:
    return await session.scalar(
        select(EmergencyLog)
        .where(EmergencyLog.call_id == call_id, EmergencyLog.kind == kind)
        .order_by(EmergencyLog.created_at.desc())
        .limit(1)
    )


async def list_contacts(session: AsyncSession) -> list[EscalationContact]:
    """The chain in the order it is worked: on-call techs, then backups, then the owner."""
    contacts = await session.scalars(select(EscalationContact))
    rank: dict[str, int] = {role: index for index, role in enumerate(CONTACT_ROLES)}
    return sorted(contacts, key=lambda c: (rank.get(c.role, len(rank)), c.position))


async def replace_contacts(
    session: AsyncSession, contacts: list[ContactIn], *, actor: str
) -> list[EscalationContact]:
    """Replace the whole chain (the settings form and the API send it whole); audited."""
    await session.execute(delete(EscalationContact))
    rows = [
        EscalationContact(id=uuid.uuid4(), name=c.name, phone=c.phone, role=c.role, position=index)
        for index, c in enumerate(contacts)
    ]
    session.add_all(rows)
    record_audit(
        session,
        actor=actor,
        action="emergency_contacts.replace",
        tenant_id=current_tenant_id(),
        details={"contacts": len(rows)},
    )
    await session.flush()
    return await list_contacts(session)


async def acknowledge_by_reply(session: AsyncSession, phone: str) -> EmergencyLog | None:
    """A contact texted "1"/"ACK": the newest open emergency they were texted about stops escalating."""
    row = await session.execute(
        select(EmergencyLog, EscalationAttempt.contact_name)
        .join(EscalationAttempt, EscalationAttempt.emergency_id == EmergencyLog.id)
        .where(
            EscalationAttempt.phone == phone,
            EscalationAttempt.status == "sent",
            EmergencyLog.escalation_status.in_(OPEN_STATUSES),
        )
        .order_by(EmergencyLog.created_at.desc())
        .limit(1)
    )
    found = row.first()
    if found is None:
        return None
    log, contact_name = found
    return await _acknowledge(session, log, contact_name)


async def acknowledge_by_keypad(
    session: AsyncSession, emergency_id: uuid.UUID, contact_name: str
) -> EmergencyLog | None:
    """A contact pressed 1 on the escalation call about `emergency_id`: it stops escalating, as a
    "1" text would. None when it is no longer open (already acknowledged, or the chain ran out)."""
    log = await session.get(EmergencyLog, (current_tenant_id(), emergency_id))
    if log is None or log.escalation_status not in OPEN_STATUSES:
        return None
    return await _acknowledge(session, log, contact_name)


async def _acknowledge(session: AsyncSession, log: EmergencyLog, contact_name: str) -> EmergencyLog:
    log.escalation_status = "acknowledged"
    log.acknowledged_at = datetime.now(UTC)
    log.acknowledged_by = contact_name[:120]
    await session.flush()
    return log


async def attempts_of(session: AsyncSession, emergency_id: uuid.UUID) -> list[EscalationAttempt]:
    result = await session.scalars(
        select(EscalationAttempt)
        .where(EscalationAttempt.emergency_id == emergency_id)
        .order_by(EscalationAttempt.step, EscalationAttempt.created_at)
    )
    return list(result)
