"""Building the shared ElevenLabs agent's per-call data from a called number or a resolved business."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from voxi.agent.config import build_agent_config
from voxi.calls.service import open_call
from voxi.core.db import activate_tenant
from voxi.telephony.service import live_numbers, resolve_tenant_by_number
from voxi.tenancy.models import Tenant, TenantConfig, TenantStatus
from voxi.voice.elevenlabs.initiation import initiation_data, unknown_number_data

ENGINE = "elevenlabs"
NOT_ANSWERING = frozenset({TenantStatus.SUSPENDED, TenantStatus.CANCELED})


async def business_of(
    session: AsyncSession, tenant_id: uuid.UUID
) -> tuple[Tenant, TenantConfig, list[str]] | None:
    """The business, its configuration and numbers, when it is one the AI answers for."""
    tenant = await session.get(Tenant, tenant_id)
    config = await session.get(TenantConfig, tenant_id)
    if (
        tenant is None
        or config is None
        or tenant.deactivated_at is not None
        or tenant.status in NOT_ANSWERING
    ):
        return None
    return tenant, config, await live_numbers(session)


def business_call_data(
    tenant: Tenant,
    config: TenantConfig,
    numbers: list[str],
    *,
    caller_number: str | None,
    called_number: str | None,
    call_sid: str | None,
    call_id: uuid.UUID | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    agent = build_agent_config(
        tenant, config, phone_numbers=numbers, now=now or datetime.now(UTC), engine=ENGINE
    )
    return initiation_data(
        agent,
        voice_id=agent.voice.voice,
        caller_number=caller_number,
        called_number=called_number,
        call_sid=call_sid,
        call_id=call_id,
    )


async def conversation_init(
    session: AsyncSession, *, called_number: str, caller_number: str, call_sid: str
) -> dict[str, Any]:
    """Initiation data for a call ElevenLabs answered natively; opens the call's log for a business."""
    resolution = await resolve_tenant_by_number(session, called_number)
    if not resolution.found:
        return unknown_number_data(
            caller_number=caller_number, called_number=called_number, call_sid=call_sid
        )
    assert resolution.tenant_id is not None  # noqa: S101 - found
    await activate_tenant(session, resolution.tenant_id)
    business = await business_of(session, resolution.tenant_id)
    if business is None:
        return unknown_number_data(
            caller_number=caller_number, called_number=called_number, call_sid=call_sid
        )
    call_id = None
    if call_sid:
        call = await open_call(
            session,
            call_sid=call_sid,
            from_number=caller_number,
            to_number=resolution.e164 or called_number,
            engine=ENGINE,
        )
        call_id = call.id
    return business_call_data(
        *business,
        caller_number=caller_number,
        called_number=resolution.e164 or called_number,
        call_sid=call_sid,
        call_id=call_id,
    )
