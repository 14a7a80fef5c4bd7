"""One step of an emergency's escalation chain, run by the `emergencies.escalate` job.

Step n phones the n-th contact of the chain (on-call techs, then backups, then the owner) with the
emergency read out and "Press 1 to acknowledge", then texts them the same with "Reply 1 to
acknowledge", records both attempts, and schedules step n+1 after the tenant's acknowledgement timeout.
A failed call does not stop the text or the chain. A step finds the emergency acknowledged (or already
done) and stops.

The call's keypad press comes back to `POST /twilio/escalation-ack` (Twilio-signed), whose query names
the emergency and contact and carries our own HMAC of them (`ack_signature`), so only a URL this module
built can acknowledge.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from twilio.twiml.voice_response import VoiceResponse

from voxi.core.jobs import JobServices, defer
from voxi.core.settings import Settings
from voxi.core.tenant_context import tenant_context
from voxi.emergencies.models import EmergencyLog, EscalationAttempt
from voxi.emergencies.rules import EmergencyRules
from voxi.emergencies.service import OPEN_STATUSES, label, list_contacts
from voxi.notifications.providers.sms import SmsUnavailable
from voxi.notifications.sms import send_sms, sender_number
from voxi.telephony.providers.base import TelephonyUnavailable
from voxi.tenancy.models import Tenant, TenantConfig

log = structlog.get_logger(__name__)
FALLBACK_NAME = "Emergency line"
ACK_PATH = "/twilio/escalation-ack"


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


def ack_signature(settings: Settings, tenant_id: str, emergency_id: str, contact: str) -> str:
    message = f"{tenant_id}|{emergency_id}|{contact}".encode()
    return hmac.new(settings.derived_secret("escalation-ack").encode(), message, hashlib.sha256).hexdigest()


def ack_url(settings: Settings, tenant_id: uuid.UUID, emergency_id: uuid.UUID, contact: str) -> str:
    """Where the call's keypad press goes: the emergency and contact, signed by us."""
    params = {"tenant": str(tenant_id), "emergency": str(emergency_id), "contact": contact}
    params["sig"] = ack_signature(settings, params["tenant"], params["emergency"], contact)
    return f"{settings.voxi_base_url}{ACK_PATH}?{urlencode(params)}"


def _spoken_number(number: str | None) -> str:
    """A phone number read digit by digit ("5 1 2, 5 5 5, …"), not as one huge number."""
    digits = "".join(ch for ch in number or "" if ch.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        return " ".join(digits) or "unknown"
    return ", ".join(" ".join(part) for part in (digits[:3], digits[3:6], digits[6:]))


def escalation_call_twiml(settings: Settings, tenant: Tenant, emergency: EmergencyLog, contact: str) -> str:
    """What the contact hears: the emergency, then "Press 1 to acknowledge" (a keypad Gather)."""
    details = f" {emergency.description[:200]}." if emergency.description else ""
    speech = (
        f"Voxi emergency for {tenant.name}: {label(emergency.kind)}, caller "
        f"{_spoken_number(emergency.caller_number)}.{details} Press 1 to acknowledge."
    )
    response = VoiceResponse()
    gather = response.gather(
        num_digits=1, action=ack_url(settings, tenant.id, emergency.id, contact), method="POST"
    )
    gather.say(speech)
    gather.pause(length=2)
    gather.say(speech)
    response.say("No key was pressed. We are texting you the details.")
    return str(response)


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
    twiml = escalation_call_twiml(svc.settings, tenant, emergency, link.name)
    results = {
        "call": await _call(session, svc, link, twiml),
        "sms": await _text(session, svc, link, escalation_text(tenant, emergency)),
    }
    for channel, (status, detail) in results.items():
        session.add(
            EscalationAttempt(
                id=uuid.uuid4(),
                emergency_id=emergency_id,
                step=step,
                contact_name=link.name,
                phone=link.phone,
                channel=channel,
                status=status,
                detail=detail,
            )
        )
    emergency.escalation_status = "notifying"
    timeout = timedelta(minutes=EmergencyRules.from_config(config).ack_timeout_minutes)
    reached = any(status == "sent" for status, _ in results.values())
    summary = f"call {results['call'][0]}, sms {results['sms'][0]}"
    # Nobody can acknowledge a call and a text that both never went out: move on at once.
    return StepOutcome(summary, timeout if reached else timedelta(0))


async def _call(session: AsyncSession, svc: JobServices, link: Link, twiml: str) -> tuple[str, str]:
    """Phone the contact from the business's number (as its texts are sent); failures are recorded."""
    from_ = await sender_number(session) or svc.settings.sms_from_number
    if not from_:
        return "failed", "no number to call from (the business has none and SMS_FROM_NUMBER is unset)"
    try:
        return "sent", await svc.providers.telephony.place_call(to=link.phone, from_=from_, twiml=twiml)
    except TelephonyUnavailable as exc:
        log.warning("escalation_call_failed", phone=link.phone, error=exc.message)
        return "failed", exc.message


async def _text(session: AsyncSession, svc: JobServices, link: Link, body: str) -> tuple[str, str]:
    try:
        message_id = await send_sms(session, svc.providers.sms, link.phone, body)
    except SmsUnavailable as exc:
        return "failed", exc.message
    if message_id is None:
        return "skipped", "this number has opted out of texts (STOP)"
    return "sent", message_id
