from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import APIRouter, Request, status

from voxi.auth import service
from voxi.auth.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut, TokenOut, TokenRequest
from voxi.auth.tokens import issue_jwt
from voxi.billing.plans import Feature, require_feature
from voxi.deps import CurrentTenant, DatabaseDep, RateLimiterDep, SessionDep, SettingsDep, TenantAdmin

router = APIRouter(tags=["auth"])


@router.post("/api/auth/token", response_model=TokenOut)
async def create_token(
    body: TokenRequest,
    request: Request,
    session: SessionDep,
    db: DatabaseDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
) -> TokenOut:
    """Exchange email + password for a JWT bearer token (rate-limited)."""
    claims = await service.sign_in(
        db,
        session,
        limiter,
        limit=settings.login_rate_limit,
        client=request.client.host if request.client else "unknown",
        email=body.email,
        password=body.password,
        tenant_id=body.tenant_id,
    )
    ttl = timedelta(minutes=settings.jwt_ttl_minutes)
    return TokenOut(
        token=issue_jwt(settings.voxi_secret_key, claims, ttl), expires_in=int(ttl.total_seconds())
    )


@router.get("/api/v1/api-keys", response_model=list[ApiKeyOut])
async def list_api_keys(principal: TenantAdmin, session: SessionDep) -> list[ApiKeyOut]:
    """List the business's active API keys (hashes are never returned)."""
    return [ApiKeyOut.model_validate(key) for key in await service.list_api_keys(session)]


@router.post("/api/v1/api-keys", response_model=ApiKeyCreated, status_code=status.HTTP_201_CREATED)
async def create_api_key(
    body: ApiKeyCreate, principal: TenantAdmin, tenant: CurrentTenant, session: SessionDep
) -> ApiKeyCreated:
    """Create an API key (Enterprise plan); the key is in this response only."""
    require_feature(tenant, Feature.API_ACCESS)
    api_key, key = await service.create_api_key(session, principal.tenant_id, body.name)
    return ApiKeyCreated.model_validate({**ApiKeyOut.model_validate(api_key).model_dump(), "key": key})


@router.delete("/api/v1/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_api_key(key_id: uuid.UUID, principal: TenantAdmin, session: SessionDep) -> None:
    """Revoke an API key at once."""
    await service.revoke_api_key(session, key_id)
