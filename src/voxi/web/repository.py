"""The SQL behind the development outbox page."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.notifications.models import OutboxEmail, OutboxSms
from voxi.telephony.models import SandboxCall

OUTBOX_LIMIT = 50


async def recent_outbox_emails(session: AsyncSession) -> list[OutboxEmail]:
    result = await session.scalars(
        select(OutboxEmail).order_by(OutboxEmail.created_at.desc(), OutboxEmail.id).limit(OUTBOX_LIMIT)
    )
    return list(result)


async def recent_outbox_sms(session: AsyncSession) -> list[OutboxSms]:
    result = await session.scalars(
        select(OutboxSms).order_by(OutboxSms.created_at.desc(), OutboxSms.id).limit(OUTBOX_LIMIT)
    )
    return list(result)


async def recent_sandbox_calls(session: AsyncSession) -> list[SandboxCall]:
    result = await session.scalars(
        select(SandboxCall).order_by(SandboxCall.created_at.desc(), SandboxCall.sid).limit(OUTBOX_LIMIT)
    )
    return list(result)
