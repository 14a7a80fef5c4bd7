"""Businesses with an owner, created the way the admin API creates them."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from voxi.auth.service import now
from voxi.auth.tokens import TokenClaims, issue_jwt
from voxi.core.db import Database
from voxi.core.settings import Settings
from voxi.tenancy.models import Tenant
from voxi.tenancy.schemas import NewTenant
from voxi.tenancy.service import create_tenant

OWNER_PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


@dataclass
class TenantFixture:
    tenant: Tenant
    owner_id: uuid.UUID
    owner_email: str
    phone_number: str | None

    @property
    def id(self) -> uuid.UUID:
        return self.tenant.id


async def make_tenant(db: Database, **overrides: Any) -> TenantFixture:
    n = next(_counter)
    fields: dict[str, Any] = {
        "name": f"Acme Heating {n}",
        "owner_name": f"Owner {n}",
        "owner_email": f"owner{n}-{uuid.uuid4().hex[:6]}@example.com",
        "owner_password": OWNER_PASSWORD,
        "phone_number": f"+1512555{n % 10000:04d}",
        **overrides,
    }
    data = NewTenant.model_validate(fields)
    async with db.cross_tenant("test factory") as session:
        tenant = await create_tenant(session, data)
        await session.commit()
    from sqlalchemy import select

    from voxi.auth.models import User

    async with db.cross_tenant("test factory") as session:
        owner_id = await session.scalar(select(User.id).where(User.email == data.owner_email))
    assert owner_id is not None
    return TenantFixture(tenant, owner_id, data.owner_email, data.phone_number)


def bearer(
    settings: Settings,
    user_id: uuid.UUID,
    tenant_id: uuid.UUID | None,
    *,
    admin: bool = False,
    ttl: timedelta = timedelta(minutes=5),
) -> dict[str, str]:
    token = issue_jwt(settings.voxi_secret_key, TokenClaims(user_id, tenant_id, admin, now()), ttl)
    return {"Authorization": f"Bearer {token}"}


def owner_headers(settings: Settings, fixture: TenantFixture) -> dict[str, str]:
    return bearer(settings, fixture.owner_id, fixture.id)
