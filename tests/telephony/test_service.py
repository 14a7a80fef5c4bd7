from __future__ import annotations

import pytest

from tests.factories.tenancy import make_tenant
from voxi.core.errors import Conflict
from voxi.telephony.service import assign_number, resolve_tenant_by_number


@pytest.mark.parametrize("raw", ["(512) 555-0142", "+1 512 555 0142", "15125550142", "512.555.0142"])
async def test_resolves_any_written_form_of_a_number(db, raw):
    acme = await make_tenant(db, phone_number="+15125550142")
    async with db.sessions() as session:
        resolution = await resolve_tenant_by_number(session, raw)
    assert resolution.found and resolution.tenant_id == acme.id and resolution.e164 == "+15125550142"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("+15125550999", "not a Voxi number"),
        ("hello", "not a valid phone number"),
        ("", "not a valid phone number"),
        ("+1", "not a valid phone number"),
        ("9" * 40, "not a valid phone number"),
    ],
)
async def test_unknown_or_malformed_numbers_resolve_to_a_reason(db, raw, reason):
    async with db.sessions() as session:
        resolution = await resolve_tenant_by_number(session, raw)
    assert not resolution.found and resolution.reason == reason


async def test_a_number_belongs_to_one_business(db):
    acme, other = await make_tenant(db, phone_number="+15125550142"), await make_tenant(db, phone_number=None)
    async with db.cross_tenant("test") as session:
        with pytest.raises(Conflict):
            await assign_number(session, other.id, "+15125550142", provider="manual")
    assert acme.phone_number == "+15125550142"


async def test_bind_tenant_by_number_binds_both_walls_in_one_statement(db):
    from sqlalchemy import select, text

    from voxi.core.tenant_context import current_tenant_id_or_none
    from voxi.telephony.service import bind_tenant_by_number
    from voxi.tenancy.models import Tenant

    acme = await make_tenant(db, phone_number="+15125550142")
    await make_tenant(db, phone_number="+15125550143")
    async with db.sessions() as session:
        unknown = await bind_tenant_by_number(session, "+15125550999")
        assert not unknown.found and current_tenant_id_or_none() is None
        assert await session.scalar(text("select count(*) from tenants")) == 0  # RLS: nothing bound yet
        resolution = await bind_tenant_by_number(session, "(512) 555-0142")
        assert resolution.tenant_id == acme.id == current_tenant_id_or_none()
        assert list(await session.scalars(select(Tenant.name))) == [acme.tenant.name]
        assert await session.scalar(text("select count(*) from tenants")) == 1  # the database wall agrees
