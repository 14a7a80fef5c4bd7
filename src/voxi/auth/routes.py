from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import APIRouter, Request, status

from voxi.auth import service
from voxi.auth.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut, TokenOut, TokenRequest
from voxi.auth.tokens import TokenClaims, issue_jwt
from voxi.core.errors import Unauthorized
from voxi.core.metrics import LOGIN_ATTEMPTS
from voxi.deps import DatabaseDep, RateLimiterDep, SessionDep, SettingsDep, TenantAdmin

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
    client = request.client.host if request.client else "unknown"
    await limiter.hit(settings.login_rate_limit, "login", client, body.email.lower())
    try:
        user = await service.authenticate(session, body.email, body.password)
    except Unauthorized:
        LOGIN_ATTEMPTS.labels("failure").inc()
        raise
    membership = await service.login_tenant(db, session, user, body.tenant_id)
    platform_admin = await service.is_platform_admin(session, user.id)
    if membership is None and not platform_admin:
        raise Unauthorized("This account has no business yet.")
    if membership is not None:
        user.last_tenant_id = membership.tenant_id
    LOGIN_ATTEMPTS.labels("success").inc()
    ttl = timedelta(minutes=settings.jwt_ttl_minutes)
    claims = TokenClaims(user.id, membership.tenant_id if membership else None, platform_admin, service.now())
    return TokenOut(
        token=issue_jwt(settings.voxi_secret_key, claims, ttl), expires_in=int(ttl.total_seconds())
    )


@router.get("/api/v1/api-keys", response_model=list[ApiKeyOut])
async def list_api_keys(principal: TenantAdmin, session: SessionDep) -> list[ApiKeyOut]:
    """List the business's active API keys (hashes are never returned)."""
    return [ApiKeyOut.model_validate(key) for key in await service.list_api_keys(session)]


@router.post("/api/v1/api-keys", response_model=ApiKeyCreated, status_code=status.HTTP_201_CREATED)
async def create_api_key(body: ApiKeyCreate, principal: TenantAdmin, session: SessionDep) -> ApiKeyCreated:
    """Create an API key; the key is in this response only."""
    api_key, key = await service.create_api_key(session, principal.tenant_id, body.name)
    return ApiKeyCreated.model_validate({**ApiKeyOut.model_validate(api_key).model_dump(), "key": key})


@router.delete("/api/v1/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_api_key(key_id: uuid.UUID, principal: TenantAdmin, session: SessionDep) -> None:
    """Revoke an API key at once."""
    await service.revoke_api_key(session, key_id)
