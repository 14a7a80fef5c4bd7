"""The SQL of answering a call: the business and its configuration in one round trip."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.tenancy.models import Tenant, TenantConfig


async def business_with_config(
    session: AsyncSession, tenant_id: uuid.UUID
) -> tuple[Tenant, TenantConfig] | None:
    """Tenant + TenantConfig joined (both land in the identity map for the brain's later `get`s)."""
    row = (
        await session.execute(
            select(Tenant, TenantConfig)
            .join(TenantConfig, TenantConfig.tenant_id == Tenant.id)
            .where(Tenant.id == tenant_id)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None
