"""Creating businesses and reading/changing their configuration."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.admin.audit import record_audit
from voxi.auth.models import Role, TenantUser, User
from voxi.auth.passwords import hash_password
from voxi.billing.plans import Feature, require_feature
from voxi.core.errors import Conflict, NotFound
from voxi.scheduling.models import SchedulingSettings
from voxi.telephony.models import PhoneNumber
from voxi.telephony.service import assign_number
from voxi.tenancy.defaults import default_business_hours, default_greeting, default_services
from voxi.tenancy.models import Tenant, TenantConfig
from voxi.tenancy.schemas import BookingRules, BusinessConfig, BusinessOut, BusinessPatch, NewTenant

EMAIL_TAKEN = "An account with this email already exists."


async def create_tenant(
    session: AsyncSession,
    data: NewTenant,
    *,
    tenant_id: uuid.UUID | None = None,
    password_hash: str | None = None,
) -> Tenant:
    """Tenant + default configuration + owner (+ routed number). The caller's boundary commits.

    Runs in a cross-tenant session (admin, import) or in an app session whose tenant is the new id
    (signup chooses `tenant_id` first, binds it, and records it before the step runs; it also hashes
    the password off the event loop and passes `password_hash`).
    """
    if await session.scalar(select(User.id).where(User.email == data.owner_email)) is not None:
        raise Conflict(EMAIL_TAKEN, fields={"ownerEmail": EMAIL_TAKEN})
    tenant = Tenant(
        id=tenant_id or uuid.uuid4(),
        name=data.name,
        industry=data.industry,
        plan=data.plan,
        status=data.status,
        timezone=data.timezone,
        website=data.website,
    )
    session.add(tenant)
    await session.flush()
    owner = User(
        email=data.owner_email,
        name=data.owner_name,
        password_hash=password_hash or hash_password(data.owner_password),
        last_tenant_id=tenant.id,
    )
    session.add(owner)
    await session.flush()
    session.add_all(
        [
            TenantConfig(
                tenant_id=tenant.id,
                greeting=default_greeting(data.name),
                owner_name=data.owner_name,
                services=default_services(data.industry),
                business_hours=default_business_hours(),
                forwarding_number=data.forwarding_number,
            ),
            TenantUser(tenant_id=tenant.id, user_id=owner.id, role=Role.OWNER),
        ]
    )
    if data.phone_number:
        await assign_number(session, tenant.id, data.phone_number, provider="manual")
    await session.flush()
    return tenant


async def business_view(session: AsyncSession, tenant: Tenant) -> BusinessOut:
    config = await session.get(TenantConfig, tenant.id)
    if config is None:
        raise NotFound("This business has no configuration.")
    numbers = await session.scalars(
        select(PhoneNumber.e164)
        .where(PhoneNumber.tenant_id == tenant.id, PhoneNumber.released_at.is_(None))
        .order_by(PhoneNumber.created_at)
    )
    view = BusinessConfig.model_validate(config)
    rules = await session.get(SchedulingSettings, tenant.id)
    if rules is not None:
        view.booking_rules = BookingRules.model_validate(rules)
    return BusinessOut.model_validate({**_columns(tenant), "phone_numbers": list(numbers), "config": view})


async def update_business(
    session: AsyncSession, tenant: Tenant, patch: BusinessPatch, *, actor: str
) -> BusinessOut:
    for field, value in patch.tenant_changes().items():
        setattr(tenant, field, value)
    config = await session.get(TenantConfig, tenant.id)
    if config is None:
        raise NotFound("This business has no configuration.")
    changes = patch.config_changes()
    if changes.get("voice_engine"):
        require_feature(tenant, Feature.VOICE_ENGINE_CHOICE)
    booking_rules = changes.pop("booking_rules", None)
    for field, value in changes.items():
        setattr(config, field, value)
    if booking_rules is not None:
        rules = await session.get(SchedulingSettings, tenant.id)
        if rules is None:
            rules = SchedulingSettings(tenant_id=tenant.id)
            session.add(rules)
        for field, value in booking_rules.items():
            setattr(rules, field, value)
    record_audit(
        session,
        actor=actor,
        action="business.update",
        tenant_id=tenant.id,
        details={"fields": sorted(patch.model_dump(exclude_unset=True, by_alias=True))},
    )
    await session.flush()
    return await business_view(session, tenant)


def _columns(tenant: Tenant) -> dict[str, object]:
    return {column.key: getattr(tenant, column.key) for column in Tenant.__table__.columns}
