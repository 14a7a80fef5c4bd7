"""Billing lookups that cross tenants: finding a business from the provider's customer id."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from voxi.core.db import Database
from voxi.tenancy.models import Tenant


async def tenant_of_customer(db: Database, customer_id: str) -> uuid.UUID | None:
    async with db.cross_tenant("billing webhook: tenant of customer") as session:
        return await session.scalar(select(Tenant.id).where(Tenant.billing_customer_id == customer_id))


async def subscription_of_customer(db: Database, customer_id: str) -> str | None:
    async with db.cross_tenant("billing webhook: subscription of customer") as session:
        return await session.scalar(
            select(Tenant.billing_subscription_id).where(Tenant.billing_customer_id == customer_id)
        )


async def tenants_with_subscriptions(db: Database) -> list[tuple[uuid.UUID, str]]:
    async with db.cross_tenant("billing reconcile: tenants with subscriptions") as session:
        rows = await session.execute(
            select(Tenant.id, Tenant.billing_subscription_id)
            .where(Tenant.billing_subscription_id.is_not(None))
            .order_by(Tenant.created_at)
        )
        return [(tenant_id, sub_id) for tenant_id, sub_id in rows if sub_id]
