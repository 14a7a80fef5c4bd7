"""One step of an emergency's escalation chain, run by the `emergencies.escalate` job.

Step n texts the n-th contact of the chain (on-call techs, then backups, then the owner) with the
emergency and "Reply 1 to acknowledge", records the attempt, and schedules step n+1 after the tenant's
acknowledgement timeout. A step finds the emergency acknowledged (or already done) and stops.

The telephony provider cannot place outbound calls yet (`Telephony` has no dial-out method), so each
step texts; a call to the on-call tech slots in here, before the text, once it can.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.core.jobs import JobServices, defer
from voxi.core.tenant_context import tenant_context
from voxi.emergencies.models import EmergencyLog, EscalationAttempt
from voxi.emergencies.rules import EmergencyRules
from voxi.emergencies.service import OPEN_STATUSES, label, list_contacts
from voxi.notifications.providers.sms import SmsUnavailable
from voxi.notifications.sms import send_sms
from voxi.tenancy.models import Tenant, TenantConfig

log = structlog.get_logger(__name__)
FALLBACK_NAME = "Emergency line"


@dataclass(frozen=True)
class Link:
    name: str
    phone: str


@dataclass(frozen=True)
class StepOutcome:
    """What a step did; `next_in` is when to run the next step (None: the chain is over)."""

    status: str
    next_in: timedelta | None


async def escalation_chain(session: AsyncSession, config: TenantConfig | None) -> list[Link]:
    """The contacts in order; a business with none falls back to its emergency or forwarding number."""
    links = [Link(c.name, c.phone) for c in await list_contacts(session)]
    if not links and config is not None and (config.emergency_number or config.forwarding_number):
        links = [Link(FALLBACK_NAME, config.emergency_number or config.forwarding_number or "")]
    return links


def escalation_text(tenant: Tenant, emergency: EmergencyLog) -> str:
    when = emergency.created_at.astimezone(ZoneInfo(tenant.timezone)).strftime("%-I:%M %p")
    caller = emergency.caller_number or "a caller"
    details = f" {emergency.description[:200]}" if emergency.description else ""
    return (
        f"URGENT {tenant.name}: {label(emergency.kind)} reported by {caller} at {when}.{details} "
        "Reply 1 to acknowledge."
    )


async def run_escalation_step(
    svc: JobServices, tenant_id: uuid.UUID, emergency_id: uuid.UUID, step: int
) -> StepOutcome:
    with tenant_context(tenant_id):
        async with svc.db.sessions() as session:
            outcome = await _step(session, svc, tenant_id, emergency_id, step)
            if outcome.next_in is not None:
                from voxi.emergencies.jobs import escalate

                await defer(
                    session, escalate, delay=outcome.next_in,
                    tenant_id=str(tenant_id), emergency_id=str(emergency_id), step=step + 1,
                )  # fmt: skip
            await session.commit()
    log.info("escalation_step", emergency_id=str(emergency_id), step=step, status=outcome.status)
    return outcome


async def _step(
    session: AsyncSession, svc: JobServices, tenant_id: uuid.UUID, emergency_id: uuid.UUID, step: int
) -> StepOutcome:
    emergency = await session.get(EmergencyLog, (tenant_id, emergency_id))
    if emergency is None or emergency.escalation_status not in OPEN_STATUSES:
        return StepOutcome("stopped", None)
    done = await session.scalar(
        select(EscalationAttempt.id).where(
            EscalationAttempt.emergency_id == emergency_id, EscalationAttempt.step == step
        )
    )
    if done is not None:  # a retry of a step whose work (and next step) already committed
        return StepOutcome("already_done", None)
    tenant = await session.get_one(Tenant, tenant_id)
    config = await session.get(TenantConfig, tenant_id)
    chain = await escalation_chain(session, config)
    if step >= len(chain):
        emergency.escalation_status = "exhausted"
        return StepOutcome("exhausted", None)
    link = chain[step]
    status, detail = await _text(session, svc, link, escalation_text(tenant, emergency))
    session.add(
        EscalationAttempt(
            id=uuid.uuid4(),
            emergency_id=emergency_id,
            step=step,
            contact_name=link.name,
            phone=link.phone,
            channel="sms",
            status=status,
            detail=detail,
        )
    )
    emergency.escalation_status = "notifying"
    timeout = timedelta(minutes=EmergencyRules.from_config(config).ack_timeout_minutes)
    # Nobody can acknowledge a text that never went out: move on to the next contact at once.
    return StepOutcome(status, timeout if status == "sent" else timedelta(0))


async def _text(session: AsyncSession, svc: JobServices, link: Link, body: str) -> tuple[str, str]:
    try:
        message_id = await send_sms(session, svc.providers.sms, link.phone, body)
    except SmsUnavailable as exc:
        return "failed", exc.message
    if message_id is None:
        return "skipped", "this number has opted out of texts (STOP)"
    return "sent", message_id
