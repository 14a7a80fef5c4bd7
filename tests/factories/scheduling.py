"""Businesses set up for booking: services, hours, timezone and booking rules, as a test needs them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from tests.factories.tenancy import TenantFixture, make_tenant
from voxi.core.db import Database
from voxi.scheduling.models import SchedulingSettings
from voxi.tenancy.models import Tenant, TenantConfig

ALWAYS_OPEN = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


async def make_bookable_tenant(
    db: Database,
    *,
    timezone: str = "America/New_York",
    services: list[dict[str, Any]] | None = None,
    hours: dict[str, Any] | None = None,
    overrides: dict[str, Any] | None = None,
    capacity: int = 1,
    min_notice_hours: int = 0,
    horizon_days: int = 60,
    slot_minutes: int = 60,
    hold_minutes: int = 5,
    **tenant: Any,
) -> TenantFixture:
    fixture = await make_tenant(db, timezone=timezone, **tenant)
    config: dict[str, Any] = {"services": services or [{"name": "AC repair", "duration_minutes": 60}]}
    if hours is not None:
        config["business_hours"] = hours
    if overrides is not None:
        config["hours_overrides"] = overrides
    async with db.cross_tenant("test factory") as session:
        await session.execute(
            update(TenantConfig).where(TenantConfig.tenant_id == fixture.id).values(**config)
        )
        session.add(
            SchedulingSettings(
                tenant_id=fixture.id,
                capacity=capacity,
                min_notice_hours=min_notice_hours,
                horizon_days=horizon_days,
                slot_minutes=slot_minutes,
                hold_minutes=hold_minutes,
            )
        )
        await session.commit()
        refreshed = await session.get(Tenant, fixture.id)
        assert refreshed is not None
        fixture.tenant = refreshed
    return fixture
