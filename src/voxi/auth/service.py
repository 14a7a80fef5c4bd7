"""Who is calling: logins, memberships, API keys, password resets and platform admins."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.auth.models import PasswordResetToken, PlatformAdmin, Role, TenantAPIKey, TenantUser, User
from voxi.auth.passwords import hash_password, verify_password
from voxi.auth.tokens import TokenClaims, new_api_key, new_reset_token, sha256_hex, tenant_of_api_key
from voxi.core.db import Database, activate_tenant
from voxi.core.errors import BadRequest, Forbidden, NotFound, Unauthorized
from voxi.core.metrics import LOGIN_ATTEMPTS
from voxi.core.ratelimit import RateLimiter
from voxi.tenancy.models import Tenant

RESET_TOKEN_TTL = timedelta(hours=1)
API_KEY_USE_GRANULARITY = timedelta(minutes=1)
BAD_LOGIN = "The email or password is incorrect."


@dataclass(frozen=True)
class Principal:
    """An authenticated caller inside one tenant."""

    tenant_id: uuid.UUID
    role: Role
    user_id: uuid.UUID | None  # None for API keys
    via: str  # "jwt" | "api_key" | "session"

    @property
    def actor(self) -> str:
        """How the audit log names this caller."""
        return f"user:{self.user_id}" if self.user_id else f"api_key:{self.tenant_id}"

    @property
    def is_admin(self) -> bool:
        return self.role in (Role.OWNER, Role.ADMIN)


def now() -> datetime:
    return datetime.now(UTC)


async def authenticate(session: AsyncSession, email: str, password: str) -> User:
    user = await session.scalar(select(User).where(User.email == email.strip().lower()))
    if (
        not verify_password(password, user.password_hash if user else None)
        or user is None
        or not user.is_active
    ):
        raise Unauthorized(BAD_LOGIN)
    return user


async def sign_in(
    db: Database,
    session: AsyncSession,
    limiter: RateLimiter,
    *,
    limit: str,
    client: str,
    email: str,
    password: str,
    tenant_id: uuid.UUID | None = None,
) -> TokenClaims:
    """Rate-limited login shared by the token API and the login page; the claims to put in a JWT or cookie."""
    await limiter.hit(limit, "login", client, email.strip().lower())
    try:
        user = await authenticate(session, email, password)
    except Unauthorized:
        LOGIN_ATTEMPTS.labels("failure").inc()
        raise
    membership = await login_tenant(db, session, user, tenant_id)
    platform_admin = await is_platform_admin(session, user.id)
    if membership is None and not platform_admin:
        raise Unauthorized("This account has no business yet.")
    if membership is not None:
        user.last_tenant_id = membership.tenant_id
    LOGIN_ATTEMPTS.labels("success").inc()
    return TokenClaims(user.id, membership.tenant_id if membership else None, platform_admin, now())


async def is_platform_admin(session: AsyncSession, user_id: uuid.UUID) -> bool:
    return await session.get(PlatformAdmin, user_id) is not None


async def login_tenant(
    db: Database, session: AsyncSession, user: User, wanted: uuid.UUID | None
) -> TenantUser | None:
    """The membership a login enters: the asked-for tenant, else the last one used, else any."""
    for candidate in (wanted, user.last_tenant_id):
        if candidate is not None and (membership := await _membership(session, candidate, user.id)):
            return membership
    if wanted is not None:
        raise Unauthorized("You are not a member of that business.")
    async with db.cross_tenant("login: find a membership", actor=user.email) as platform:
        tenant_id = await platform.scalar(
            select(TenantUser.tenant_id).where(TenantUser.user_id == user.id).limit(1)
        )
    return await _membership(session, tenant_id, user.id) if tenant_id else None


async def _membership(session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID) -> TenantUser | None:
    await activate_tenant(session, tenant_id)
    return await session.get(TenantUser, (tenant_id, user_id))


def login_is_current(user: User, claims: TokenClaims) -> bool:
    """The user is active and the JWT/session was issued after the last password reset (whole seconds)."""
    return user.is_active and claims.issued_at >= user.sessions_valid_after.replace(microsecond=0)


async def active_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> Tenant:
    """The caller's business; a deactivated one is locked out of the API and the dashboard."""
    tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        raise Unauthorized("This business no longer exists.")
    if tenant.deactivated_at is not None:
        raise Forbidden("This business has been deactivated. Contact Voxi support to restore it.")
    return tenant


async def principal_from_claims(session: AsyncSession, claims: TokenClaims, via: str) -> Principal:
    """Re-check a JWT/session against the database: user active, not reset since, still a member."""
    user = await session.get(User, claims.user_id)
    if user is None or not login_is_current(user, claims):
        raise Unauthorized("Your session has ended. Please log in again.")
    if claims.tenant_id is None:
        raise Unauthorized("This token is not for a business account.")
    membership = await _membership(session, claims.tenant_id, user.id)
    if membership is None:
        raise Unauthorized("You are no longer a member of this business.")
    return Principal(claims.tenant_id, membership.role, user.id, via)


async def principal_from_api_key(session: AsyncSession, key: str) -> Principal:
    tenant_id = tenant_of_api_key(key)
    await activate_tenant(session, tenant_id)
    api_key = await session.scalar(
        select(TenantAPIKey).where(
            TenantAPIKey.key_hash == sha256_hex(key), TenantAPIKey.revoked_at.is_(None)
        )
    )
    if api_key is None:
        raise Unauthorized("The API key is invalid.")
    # Recorded at minute granularity: a write per API request would double its database round trips.
    if api_key.last_used_at is None or now() - api_key.last_used_at > API_KEY_USE_GRANULARITY:
        api_key.last_used_at = now()
    return Principal(tenant_id, Role.ADMIN, None, "api_key")


async def create_api_key(session: AsyncSession, tenant_id: uuid.UUID, name: str) -> tuple[TenantAPIKey, str]:
    key, prefix = new_api_key(tenant_id)
    api_key = TenantAPIKey(tenant_id=tenant_id, name=name, prefix=prefix, key_hash=sha256_hex(key))
    session.add(api_key)
    await session.flush()
    return api_key, key


async def list_api_keys(session: AsyncSession) -> list[TenantAPIKey]:
    result = await session.scalars(
        select(TenantAPIKey).where(TenantAPIKey.revoked_at.is_(None)).order_by(TenantAPIKey.created_at)
    )
    return list(result)


async def revoke_api_key(session: AsyncSession, key_id: uuid.UUID) -> None:
    api_key = await session.scalar(select(TenantAPIKey).where(TenantAPIKey.id == key_id))
    if api_key is None or api_key.revoked_at is not None:
        raise NotFound("No such API key.")
    api_key.revoked_at = now()


async def start_password_reset(session: AsyncSession, email: str) -> tuple[User, str] | None:
    """A reset token for `email`, or None when there is no such user (callers answer the same either way)."""
    user = await session.scalar(
        select(User).where(User.email == email.strip().lower(), User.is_active.is_(True))
    )
    if user is None:
        return None
    token, token_hash = new_reset_token()
    session.add(
        PasswordResetToken(token_hash=token_hash, user_id=user.id, expires_at=now() + RESET_TOKEN_TTL)
    )
    return user, token


async def finish_password_reset(session: AsyncSession, token: str, new_password: str) -> User:
    reset = await session.get(PasswordResetToken, sha256_hex(token), with_for_update=True)
    if reset is None or reset.used_at is not None or reset.expires_at < now():
        raise BadRequest("This reset link is invalid or has expired. Ask for a new one.")
    user = await session.get(User, reset.user_id)
    if user is None:
        raise BadRequest("This reset link is invalid or has expired. Ask for a new one.")
    reset.used_at = now()
    user.password_hash = hash_password(new_password)
    user.sessions_valid_after = now()
    return user


async def create_platform_admin(session: AsyncSession, email: str, name: str, password: str) -> User:
    """Create the admin, or make an existing user one (password updated). Idempotent."""
    email = email.strip().lower()
    user = await session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, password_hash=hash_password(password))
        session.add(user)
        await session.flush()
    else:
        user.password_hash = hash_password(password)
    if await session.get(PlatformAdmin, user.id) is None:
        session.add(PlatformAdmin(user_id=user.id))
    await session.flush()
    return user
