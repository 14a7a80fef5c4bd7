"""Every SMS a business sends goes through `send_sms`: opt-outs (STOP) are honoured here, in one place."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.core.tenant_context import current_tenant_id
from voxi.notifications.models import NotificationSent, SmsOptOut
from voxi.notifications.providers.sms import SmsSender
from voxi.telephony.models import PhoneNumber

# Twilio's standard opt-out / opt-in keywords: carriers act on them too, so we agree with them.
STOP_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "optout", "revoke"})
START_WORDS = frozenset({"start", "unstop", "yes", "subscribe"})
OPT_OUT_FOOTER = "Reply STOP to opt out."


def keyword(body: str) -> str:
    """The reply as one lower-case word ("Stop." → "stop", "opt out" → "optout")."""
    return "".join(ch for ch in body.strip().lower() if ch.isalnum())


async def is_opted_out(session: AsyncSession, phone: str) -> bool:
    return await session.scalar(select(SmsOptOut.phone).where(SmsOptOut.phone == phone)) is not None


async def opt_out(session: AsyncSession, phone: str) -> None:
    statement = insert(SmsOptOut).values(tenant_id=current_tenant_id(), phone=phone)
    await session.execute(statement.on_conflict_do_nothing())


async def opt_in(session: AsyncSession, phone: str) -> None:
    await session.execute(delete(SmsOptOut).where(SmsOptOut.phone == phone))


async def sender_number(session: AsyncSession) -> str | None:
    """The business's own Voxi number, so replies come back to it; None → the deployment default."""
    return await session.scalar(
        select(PhoneNumber.e164)
        .where(PhoneNumber.released_at.is_(None))
        .order_by(PhoneNumber.is_primary.desc(), PhoneNumber.created_at)
        .limit(1)
    )


async def send_sms(session: AsyncSession, sms: SmsSender, to: str, body: str) -> str | None:
    """Text `to` from the business's number; None (and nothing sent) when `to` has opted out."""
    if await is_opted_out(session, to):
        return None
    return await sms.send(to, body, from_=await sender_number(session))


async def claim(session: AsyncSession, key: str, *, channel: str, recipient: str) -> bool:
    """Reserve a notification's key in this transaction; False when it was already delivered.

    The caller sends, then commits: a failed send rolls the claim back and the job's retry tries again;
    a retry after a committed send finds the key and sends nothing.
    """
    statement = (
        insert(NotificationSent)
        .values(tenant_id=current_tenant_id(), key=key[:200], channel=channel, recipient=recipient[:254])
        .on_conflict_do_nothing()
        .returning(NotificationSent.key)
    )
    return await session.scalar(statement) is not None
