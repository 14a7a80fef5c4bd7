"""Platform admin use cases: businesses across tenants, their keys, usage and platform metrics.

Every function runs in the cross-tenant session of `PlatformAdmin`, so rows written for a tenant carry
an explicit `tenant_id`, and every change is audited in the same transaction.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from voxi.admin import repository
from voxi.admin.audit import record_audit
from voxi.admin.schemas import (
    LiveUsage,
    PlatformMetrics,
    TenantDetail,
    TenantPatch,
    TenantQuery,
    TenantSummary,
    TenantUsageOut,
    UsageMonth,
)
from voxi.auth.schemas import ApiKeyCreated, ApiKeyOut
from voxi.auth.service import create_api_key, now
from voxi.core.errors import NotFound
from voxi.core.schemas import Page
from voxi.tenancy import service as tenancy
from voxi.tenancy.models import Plan, Tenant, TenantStatus
from voxi.tenancy.schemas import NewTenant

REACTIVATING = {TenantStatus.ACTIVE, TenantStatus.TRIAL}
SIGNUP_DAYS = 30


async def create_tenant(session: AsyncSession, actor: str, data: NewTenant) -> TenantDetail:
    tenant = await tenancy.create_tenant(session, data)
    details = {
        "name": data.name,
        "owner_email": data.owner_email,
        "plan": data.plan,
        "status": data.status,
        "phone_number": data.phone_number,
    }
    record_audit(session, actor=actor, action="tenant.create", tenant_id=tenant.id, details=details)
    await session.refresh(tenant)  # server-side defaults (created_at)
    return await tenant_detail(session, tenant.id)


async def list_tenants(session: AsyncSession, query: TenantQuery) -> Page[TenantSummary]:
    tenants, total = await repository.find_tenants(session, query)
    summaries = await _summaries(session, tenants)
    return Page[TenantSummary](items=summaries, total=total, page=query.page, per_page=query.per_page)


async def tenant_detail(session: AsyncSession, tenant_id: uuid.UUID) -> TenantDetail:
    tenant = await _get_tenant(session, tenant_id)
    [summary] = await _summaries(session, [tenant])
    business = await tenancy.business_view(session, tenant)
    return TenantDetail.model_validate(
        {**summary.model_dump(), "website": tenant.website, "config": business.config}
    )


async def update_tenant(
    session: AsyncSession, actor: str, tenant_id: uuid.UUID, patch: TenantPatch
) -> TenantDetail:
    tenant = await _get_tenant(session, tenant_id)
    changes = {
        k: {"from": getattr(tenant, k), "to": v}
        for k, v in patch.changes().items()
        if getattr(tenant, k) != v
    }
    for field, change in changes.items():
        setattr(tenant, field, change["to"])
    if "status" in changes and tenant.status in REACTIVATING:
        tenant.deactivated_at = None
    if changes:
        record_audit(
            session, actor=actor, action="tenant.update", tenant_id=tenant.id, details={"changes": changes}
        )
    return await _reloaded_detail(session, tenant)


async def deactivate_tenant(session: AsyncSession, actor: str, tenant_id: uuid.UUID) -> TenantDetail:
    """Suspend the business and stamp when; its data stays. Deactivating twice changes nothing."""
    tenant = await _get_tenant(session, tenant_id)
    if tenant.deactivated_at is None:
        previous = tenant.status
        tenant.status, tenant.deactivated_at = TenantStatus.SUSPENDED, now()
        details = {"previous_status": previous}
        record_audit(session, actor=actor, action="tenant.deactivate", tenant_id=tenant.id, details=details)
    return await _reloaded_detail(session, tenant)


async def create_tenant_api_key(
    session: AsyncSession, actor: str, tenant_id: uuid.UUID, name: str
) -> ApiKeyCreated:
    tenant = await _get_tenant(session, tenant_id)
    api_key, key = await create_api_key(session, tenant.id, name)
    details = {"key_id": str(api_key.id), "name": name}  # never the key itself
    record_audit(session, actor=actor, action="tenant.api_key.create", tenant_id=tenant.id, details=details)
    await session.refresh(api_key)  # server-side created_at
    return ApiKeyCreated.model_validate({**ApiKeyOut.model_validate(api_key).model_dump(), "key": key})


async def tenant_usage(session: AsyncSession, tenant_id: uuid.UUID, today: date) -> TenantUsageOut:
    tenant = await _get_tenant(session, tenant_id)
    month = today.replace(day=1)
    start, end = _utc_midnight(month), _utc_midnight(_next_month(month))
    calls, call_seconds = await repository.call_totals(session, tenant.id, start, end)
    appointments = await repository.count_appointments_created(session, tenant.id, start, end)
    months = await repository.usage_months(session, tenant.id)
    return TenantUsageOut(
        tenant_id=tenant.id,
        current_month=LiveUsage(
            period_start=month, calls=calls, call_seconds=call_seconds, appointments=appointments
        ),
        customers=await repository.count_customers(session, tenant.id),
        months=[UsageMonth.model_validate(row) for row in months],
    )


async def platform_metrics(session: AsyncSession, today: date) -> PlatformMetrics:
    by_status = await repository.tenants_grouped_by(session, Tenant.status)
    by_plan = await repository.tenants_grouped_by(session, Tenant.plan)
    first_day = today - timedelta(days=SIGNUP_DAYS - 1)
    signups = await repository.signups_by_day(session, first_day)
    days = (first_day + timedelta(days=n) for n in range(SIGNUP_DAYS))
    return PlatformMetrics(
        tenants_by_status={status: by_status.get(status, 0) for status in TenantStatus},
        tenants_by_plan={plan: by_plan.get(plan, 0) for plan in Plan},
        signups_per_day={day: signups.get(day, 0) for day in days},
        total_users=await repository.count_users(session),
        active_numbers=await repository.count_number_routes(session),
    )


async def _get_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> Tenant:
    tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound("No business with this id.")
    return tenant


async def _reloaded_detail(session: AsyncSession, tenant: Tenant) -> TenantDetail:
    await session.flush()
    await session.refresh(tenant)  # updated_at is set by the database
    return await tenant_detail(session, tenant.id)


async def _summaries(session: AsyncSession, tenants: list[Tenant]) -> list[TenantSummary]:
    ids = [tenant.id for tenant in tenants]
    numbers = await repository.numbers_by_tenant(session, ids)
    owners = await repository.owner_emails(session, ids)
    return [
        TenantSummary.model_validate(
            {**_columns(tenant), "phone_numbers": numbers[tenant.id], "owner_email": owners.get(tenant.id)}
        )
        for tenant in tenants
    ]


def _columns(tenant: Tenant) -> dict[str, Any]:
    return {column.key: getattr(tenant, column.key) for column in Tenant.__table__.columns}


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)
