"""The demo business and platform admin that `make run` (`voxi serve --demo`) starts with."""

from __future__ import annotations

from sqlalchemy import select

from voxi.auth.models import User
from voxi.auth.service import create_platform_admin
from voxi.core.db import Database
from voxi.telephony.service import resolve_tenant_by_number
from voxi.tenancy.models import TenantStatus
from voxi.tenancy.schemas import NewTenant
from voxi.tenancy.service import create_tenant

DEMO_BUSINESS = "Demo Heating & Air"
DEMO_NUMBER = "+15125550100"
DEMO_OWNER_EMAIL = "demo@example.com"
DEMO_OWNER_PASSWORD = "voxi-demo-1234"  # noqa: S105 - printed on purpose; `--demo` is refused outside development
DEMO_ADMIN_EMAIL = "admin@example.com"
DEMO_ADMIN_PASSWORD = "voxi-admin-1234"  # noqa: S105 - as above


async def ensure_demo_data(db: Database) -> None:
    """Create the demo business and admin unless they exist; the admin's password is reset to the demo one."""
    async with db.cross_tenant("cli: demo data", actor="cli") as session:
        number_taken = (await resolve_tenant_by_number(session, DEMO_NUMBER)).found
        owner_exists = await session.scalar(select(User.id).where(User.email == DEMO_OWNER_EMAIL)) is not None
        if not (number_taken or owner_exists):
            demo = NewTenant(
                name=DEMO_BUSINESS,
                industry="hvac",
                status=TenantStatus.ACTIVE,
                timezone="America/Chicago",
                phone_number=DEMO_NUMBER,
                owner_name="Demo Owner",
                owner_email=DEMO_OWNER_EMAIL,
                owner_password=DEMO_OWNER_PASSWORD,
            )
            await create_tenant(session, demo)
        await create_platform_admin(session, DEMO_ADMIN_EMAIL, "Demo admin", DEMO_ADMIN_PASSWORD)
        await session.commit()


def demo_banner(base_url: str) -> str:
    return "\n".join(
        [
            "",
            f"  Voxi is running at {base_url}",
            f"  API docs:          {base_url}/docs",
            "",
            f"  Business owner:    {DEMO_OWNER_EMAIL} / {DEMO_OWNER_PASSWORD}",
            f"                     ({DEMO_BUSINESS}, calls to {DEMO_NUMBER})",
            f"  Platform admin:    {DEMO_ADMIN_EMAIL} / {DEMO_ADMIN_PASSWORD}",
            "",
        ]
    )
