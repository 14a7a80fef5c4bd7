"""The platform admin API (DESIGN.md §2): Voxi operators manage every business from here."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, status

from voxi.admin import service
from voxi.admin.jobs import JobStatus, list_jobs
from voxi.admin.schemas import (
    JobOut,
    PlatformMetrics,
    TenantDetail,
    TenantPatch,
    TenantQuery,
    TenantSummary,
    TenantUsageOut,
)
from voxi.auth.schemas import ApiKeyCreate, ApiKeyCreated
from voxi.core.schemas import Page
from voxi.deps import PlatformAdmin
from voxi.tenancy.schemas import NewTenant

router = APIRouter(prefix="/admin", tags=["admin"])


@router.post("/tenants", response_model=TenantDetail, status_code=status.HTTP_201_CREATED)
async def create_tenant(body: NewTenant, admin: PlatformAdmin) -> TenantDetail:
    """Create a business with its default configuration, owner login and (optionally) a routed number."""
    return await service.create_tenant(admin.session, admin.user.email, body)


@router.get("/tenants", response_model=Page[TenantSummary])
async def list_tenants(query: Annotated[TenantQuery, Query()], admin: PlatformAdmin) -> Page[TenantSummary]:
    """List businesses, newest first; filter by status or plan, search by name or phone number."""
    return await service.list_tenants(admin.session, query)


@router.get("/tenants/{tenant_id}", response_model=TenantDetail)
async def get_tenant(tenant_id: uuid.UUID, admin: PlatformAdmin) -> TenantDetail:
    """One business with its owner, numbers and receptionist configuration."""
    return await service.tenant_detail(admin.session, tenant_id)


@router.patch("/tenants/{tenant_id}", response_model=TenantDetail)
async def update_tenant(tenant_id: uuid.UUID, patch: TenantPatch, admin: PlatformAdmin) -> TenantDetail:
    """Change a business's name, status, plan, timezone or industry; ACTIVE or TRIAL reactivates it."""
    return await service.update_tenant(admin.session, admin.user.email, tenant_id, patch)


@router.delete("/tenants/{tenant_id}", response_model=TenantDetail)
async def deactivate_tenant(tenant_id: uuid.UUID, admin: PlatformAdmin) -> TenantDetail:
    """Deactivate a business (status SUSPENDED, data kept) and return it; repeating it is harmless."""
    return await service.deactivate_tenant(admin.session, admin.user.email, tenant_id)


@router.post(
    "/tenants/{tenant_id}/api-keys", response_model=ApiKeyCreated, status_code=status.HTTP_201_CREATED
)
async def create_api_key(tenant_id: uuid.UUID, body: ApiKeyCreate, admin: PlatformAdmin) -> ApiKeyCreated:
    """Create an API key for a business; the key is in this response only."""
    return await service.create_tenant_api_key(admin.session, admin.user.email, tenant_id, body.name)


@router.get("/tenants/{tenant_id}/usage", response_model=TenantUsageOut)
async def tenant_usage(tenant_id: uuid.UUID, admin: PlatformAdmin) -> TenantUsageOut:
    """A business's monthly usage roll-ups and live counts for the current month (UTC)."""
    return await service.tenant_usage(admin.session, tenant_id, datetime.now(UTC).date())


@router.get("/metrics", response_model=PlatformMetrics)
async def platform_metrics(admin: PlatformAdmin) -> PlatformMetrics:
    """Platform-wide counts: tenants by status and plan, daily signups (30 days), users, active numbers."""
    return await service.platform_metrics(admin.session, datetime.now(UTC).date())


@router.get("/jobs", response_model=list[JobOut])
async def jobs(admin: PlatformAdmin, status: JobStatus | None = None) -> list[JobOut]:
    """Background jobs, newest first (e.g. `?status=failed` for the ones that exhausted their retries)."""
    return await list_jobs(admin.session, status)
