"""Every FastAPI dependency, as `Annotated` aliases: routes read like a table of contents.

Only these boundaries commit: `SessionDep` and `PlatformSessionDep` commit when the route returns
(scope="function", so a failed commit is the client's error response, not a silent 200).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.auth.models import User
from voxi.auth.service import (
    Principal,
    active_tenant,
    is_platform_admin,
    login_is_current,
    principal_from_api_key,
    principal_from_claims,
)
from voxi.auth.tokens import decode_jwt
from voxi.core.db import Database
from voxi.core.errors import Forbidden, Unauthorized
from voxi.core.logging import bind_log_context
from voxi.core.ratelimit import RateLimiter
from voxi.core.settings import Settings
from voxi.tenancy.models import Tenant


# Dependencies are `async def` even when they do not await: FastAPI runs a plain `def` in the thread pool.
async def _settings(request: Request) -> Settings:
    return request.app.state.settings


async def _database(request: Request) -> Database:
    return request.app.state.db


async def _rate_limiter(request: Request) -> RateLimiter:
    return request.app.state.rate_limiter


SettingsDep = Annotated[Settings, Depends(_settings)]
DatabaseDep = Annotated[Database, Depends(_database)]
RateLimiterDep = Annotated[RateLimiter, Depends(_rate_limiter)]


async def _session(db: DatabaseDep) -> AsyncIterator[AsyncSession]:
    async with db.sessions() as session:
        yield session
        await session.commit()


SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]


_CALLER_TENANT = "voxi.caller_tenant"


def _bearer(authorization: str | None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


async def _principal(
    session: SessionDep,
    settings: SettingsDep,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    x_api_key: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Principal:
    if x_api_key:
        principal = await principal_from_api_key(session, x_api_key)
    elif token := _bearer(authorization):
        principal = await principal_from_claims(session, decode_jwt(settings.voxi_secret_key, token), "jwt")
    else:
        raise Unauthorized("Send a bearer token (POST /api/auth/token) or an X-API-Key header.")
    bind_log_context(tenant_id=principal.tenant_id)
    # Held by the session for `CurrentTenant`: its identity map holds objects weakly, so a tenant no one
    # referenced was gone by then and read again, one more round trip on every API request.
    session.info[_CALLER_TENANT] = await active_tenant(session, principal.tenant_id)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(_principal)]


async def _tenant(principal: CurrentPrincipal, session: SessionDep) -> Tenant:
    tenant: Tenant = session.info[_CALLER_TENANT]  # loaded and checked by _principal
    return tenant


CurrentTenant = Annotated[Tenant, Depends(_tenant)]


async def _tenant_admin(principal: CurrentPrincipal) -> Principal:
    if not principal.is_admin:
        raise Forbidden("Only the business owner or an admin can do this.")
    return principal


TenantAdmin = Annotated[Principal, Depends(_tenant_admin)]


@dataclass(frozen=True)
class AdminActor:
    user: User
    session: AsyncSession  # cross-tenant: the audited platform session


async def _platform_admin(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> AsyncIterator[AdminActor]:
    token = _bearer(authorization)
    if token is None:
        raise Unauthorized("Send a platform admin's bearer token.")
    claims = decode_jwt(settings.voxi_secret_key, token)
    reason = f"admin api {request.method} {request.url.path}"
    async with db.cross_tenant(reason, actor=str(claims.user_id)) as session:
        user = await session.get(User, claims.user_id)
        if (
            user is None
            or not claims.platform_admin
            or not login_is_current(user, claims)
            or not await is_platform_admin(session, user.id)
        ):
            raise Forbidden("Platform admins only.")
        yield AdminActor(user, session)
        await session.commit()


PlatformAdmin = Annotated[AdminActor, Depends(_platform_admin, scope="function")]
