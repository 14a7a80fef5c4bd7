"""Both walls, tested alone: the ORM filter with RLS off the table, and RLS with the ORM filter bypassed."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from sqlalchemy import select, text

from tests.core.test_isolation_rules import TENANT_TABLES
from tests.factories.tenancy import make_tenant
from voxi.core.db import activate_tenant, libpq_conninfo
from voxi.core.errors import NoTenantContext
from voxi.core.tenant_context import tenant_context
from voxi.customers.models import Customer
from voxi.telephony.models import PhoneNumber
from voxi.tenancy.models import Tenant


def _app_role(database_urls) -> str:
    return libpq_conninfo(database_urls.app)


async def _two_tenants_with_rows(db):
    a, b = await make_tenant(db), await make_tenant(db)
    for fixture in (a, b):
        with tenant_context(fixture.id):
            async with db.sessions() as session:
                session.add(Customer(name=f"customer of {fixture.tenant.name}", phone="+15125559999"))
                await session.commit()
    return a, b


async def test_raw_sql_as_app_role_sees_only_the_bound_tenant(db, database_urls):
    a, b = await _two_tenants_with_rows(db)
    with psycopg.connect(_app_role(database_urls)) as conn:
        conn.execute("select set_config('app.tenant_id', %s, false)", (str(a.id),))
        for table in [*TENANT_TABLES, "tenants"]:
            column = "id" if table == "tenants" else "tenant_id"
            foreign = conn.execute(f"select count(*) from {table} where {column} <> %s", (a.id,)).fetchone()  # noqa: S608
            assert foreign == (0,), f"{table} leaked another tenant's rows"
        own = conn.execute("select count(*) from customers").fetchone()
        assert own == (1,)
        conn.execute("select set_config('app.tenant_id', '', false)")
        for table in [*TENANT_TABLES, "tenants"]:
            assert conn.execute(f"select count(*) from {table}").fetchone() == (0,), table  # noqa: S608
    assert b.id != a.id


async def test_rls_refuses_writing_into_another_tenant(db, database_urls):
    a, b = await _two_tenants_with_rows(db)
    with psycopg.connect(_app_role(database_urls)) as conn:
        conn.execute("select set_config('app.tenant_id', %s, false)", (str(a.id),))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "insert into customers (tenant_id, id, name, phone, notes, sms_opt_out) "
                "values (%s, %s, 'x', '+15125550000', '', false)",
                (b.id, uuid.uuid4()),
            )
        conn.rollback()
        conn.execute("select set_config('app.tenant_id', %s, false)", (str(a.id),))
        updated = conn.execute("update customers set name = 'hijacked' where tenant_id = %s", (b.id,))
        assert updated.rowcount == 0


async def test_orm_filter_scopes_selects_even_without_rls(db):
    a, b = await _two_tenants_with_rows(db)
    # The cross-tenant (BYPASSRLS) engine shows the ORM wall alone once a tenant is bound and the
    # session is not marked cross-tenant.
    async with db.cross_tenant("test: ORM wall alone") as session:
        session.info.pop("cross_tenant")
        with tenant_context(a.id):
            names = list(await session.scalars(select(Customer.name)))
    assert names == [f"customer of {a.tenant.name}"]


async def test_tenant_query_without_context_raises(db):
    await make_tenant(db)
    async with db.sessions() as session:
        with pytest.raises(NoTenantContext):
            await session.scalars(select(PhoneNumber))
        with pytest.raises(NoTenantContext):
            session.add(Customer(name="orphan", phone="+15125550000"))
            await session.flush()


async def test_insert_is_stamped_and_foreign_tenant_id_refused(db):
    a, b = await make_tenant(db), await make_tenant(db)
    async with db.sessions() as session:
        await activate_tenant(session, a.id)
        customer = Customer(name="stamped", phone="+15125550001")
        session.add(customer)
        await session.flush()
        assert customer.tenant_id == a.id
        session.add(Customer(tenant_id=b.id, name="smuggled", phone="+15125550002"))
        with pytest.raises(NoTenantContext):
            await session.flush()


async def test_activate_tenant_switches_an_open_transaction(db):
    a, b = await make_tenant(db), await make_tenant(db)
    async with db.sessions() as session:
        assert await session.scalar(text("select count(*) from tenants")) == 0  # begun with no tenant
        await activate_tenant(session, b.id)
        assert await session.scalar(select(Tenant.name)) == b.tenant.name
        await activate_tenant(session, a.id)
        assert list(await session.scalars(select(Tenant.name))) == [a.tenant.name]
