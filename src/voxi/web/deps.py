"""Browser-session dependencies, as `Annotated` aliases.

`WebUser` and `WebPlatformAdmin` are None when nobody (valid) is logged in: the page then answers
`pages.login_redirect`. A session is re-checked against the database on every request, like a JWT.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, Header, Request
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.auth.models import User
from voxi.auth.service import (
    Principal,
    active_tenant,
    is_platform_admin,
    login_is_current,
    principal_from_claims,
)
from voxi.core.errors import Forbidden, NotFound, Unauthorized
from voxi.core.logging import bind_log_context
from voxi.deps import DatabaseDep, SessionDep
from voxi.tenancy.models import Tenant
from voxi.web.browser_session import end_session, session_claims

CSRF_FAILED = "This form has expired. Reload the page and try again."


@dataclass(frozen=True)
class WebMember:
    principal: Principal
    tenant: Tenant


async def _web_user(request: Request, session: SessionDep) -> WebMember | None:
    claims = session_claims(request)
    if claims is None or claims.tenant_id is None:
        return None
    try:
        principal = await principal_from_claims(session, claims, via="session")
    except Unauthorized:
        end_session(request)  # password reset, deactivation or lost membership since login
        return None
    bind_log_context(tenant_id=principal.tenant_id)
    try:
        tenant = await active_tenant(session, principal.tenant_id)
    except Unauthorized:
        end_session(request)
        return None
    request.state.tenant_timezone = tenant.timezone  # pages show instants in it (`render`)
    return WebMember(principal, tenant)


WebUser = Annotated[WebMember | None, Depends(_web_user)]


@dataclass(frozen=True)
class WebAdmin:
    user: User
    session: AsyncSession  # cross-tenant, read by the admin pages


async def _web_platform_admin(request: Request, db: DatabaseDep) -> AsyncIterator[WebAdmin | None]:
    claims = session_claims(request)
    if claims is None:
        yield None
        return
    reason = f"admin ui {request.method} {request.url.path}"
    async with db.cross_tenant(reason, actor=str(claims.user_id)) as session:
        user = await session.get(User, claims.user_id)
        if user is None or not login_is_current(user, claims):
            end_session(request)
            yield None
            return
        # A logged-in non-admin learns nothing about the admin pages: they do not exist for them.
        if not claims.platform_admin or not await is_platform_admin(session, user.id):
            raise NotFound("Page not found.")
        yield WebAdmin(user, session)


WebPlatformAdmin = Annotated[WebAdmin | None, Depends(_web_platform_admin, scope="function")]


async def _verify_csrf(
    request: Request,
    csrf_token: Annotated[str, Form()] = "",
    x_csrf_token: Annotated[str, Header()] = "",
) -> None:
    expected = request.session.get("csrf", "")
    sent = csrf_token or x_csrf_token
    if not expected or not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise Forbidden(CSRF_FAILED)


CsrfProtected = Annotated[None, Depends(_verify_csrf)]
