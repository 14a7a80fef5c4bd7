"""Platform admins (Voxi operators), created the way `voxi` bootstrap creates them."""

from __future__ import annotations

import uuid
from datetime import timedelta

from tests.factories.tenancy import bearer
from voxi.auth.models import User
from voxi.auth.service import create_platform_admin
from voxi.core.db import Database
from voxi.core.settings import Settings

ADMIN_PASSWORD = "operator-password-123"


async def make_platform_admin(db: Database, email: str | None = None) -> User:
    email = email or f"ops-{uuid.uuid4().hex[:6]}@voxi.test"
    async with db.cross_tenant("test factory") as session:
        user = await create_platform_admin(session, email, "Voxi operator", ADMIN_PASSWORD)
        await session.commit()
    return user


def admin_headers(
    settings: Settings, user_id: uuid.UUID, *, ttl: timedelta = timedelta(minutes=5)
) -> dict[str, str]:
    return bearer(settings, user_id, None, admin=True, ttl=ttl)
