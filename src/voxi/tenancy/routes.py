from __future__ import annotations

from fastapi import APIRouter

from voxi.deps import CurrentTenant, SessionDep, TenantAdmin
from voxi.tenancy import service
from voxi.tenancy.schemas import BusinessOut, BusinessPatch

router = APIRouter(prefix="/api/v1", tags=["business"])


@router.get("/business", response_model=BusinessOut)
async def get_business(tenant: CurrentTenant, session: SessionDep) -> BusinessOut:
    """The business's profile and receptionist configuration."""
    return await service.business_view(session, tenant)


@router.patch("/business", response_model=BusinessOut)
async def update_business(
    patch: BusinessPatch, tenant: CurrentTenant, admin: TenantAdmin, session: SessionDep
) -> BusinessOut:
    """Change the profile or configuration (owner/admin)."""
    return await service.update_business(session, tenant, patch, actor=admin.actor)
