"""Walks every model and the live schema: a tenant table that breaks an isolation rule fails here."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import ForeignKeyConstraint, Table, UniqueConstraint

from voxi.core.db import APP_ROLE, PLATFORM_ROLE, TenantScoped, libpq_conninfo
from voxi.models import Base

# Global (platform) tables, each with the reason it is not tenant-owned. A new table must be placed
# either under TenantScoped or here, on purpose.
GLOBAL_TABLES = {
    "tenants": "the tenant registry itself; RLS shows a tenant only its own row (checked below)",
    "users": "a person may belong to several tenants",
    "platform_admins": "Voxi operators",
    "password_reset_tokens": "belong to a user, not a tenant",
    "number_routes": "called number → tenant index; a number is globally unique (Citus reference table)",
    "audit_logs": "platform audit trail; admin actions span tenants",
    "outbox_emails": "sandbox mail outbox for the developer",
    "outbox_sms": "sandbox SMS outbox for the developer, like outbox_emails",
    "signup_attempts": "a signup exists before its tenant and outlives a failed (deleted) one",
    "billing_events": "billing webhooks, stored before their tenant is known; unique on (source, event_id)",
    "sandbox_customers": "the sandbox billing provider's own state (stands in for Stripe's account)",
    "sandbox_subscriptions": "the sandbox billing provider's own state (stands in for Stripe's account)",
    "sandbox_clock": "the sandbox billing clock: one row for the whole development install",
    "sandbox_numbers": "numbers the sandbox telephony provider sold to Voxi (stands in for Twilio's account)",
    "sandbox_calls": "outbound calls the sandbox telephony provider placed (stands in for Twilio's call log)",
    "voice_webhook_events": "ElevenLabs post-call webhooks, stored before their tenant is known; unique key",
}

TENANT_TABLES = sorted(
    mapper.local_table.name for mapper in Base.registry.mappers if issubclass(mapper.class_, TenantScoped)
)
TABLES = {table.name: table for table in Base.metadata.sorted_tables}


def test_every_table_is_classified():
    unclassified = set(TABLES) - set(TENANT_TABLES) - set(GLOBAL_TABLES)
    assert not unclassified, f"decide: TenantScoped or GLOBAL_TABLES with a reason: {unclassified}"
    assert not set(TENANT_TABLES) & set(GLOBAL_TABLES)


@pytest.mark.parametrize("name", TENANT_TABLES)
def test_tenant_table_keys_lead_with_tenant_id(name: str):
    table: Table = TABLES[name]
    assert [c.name for c in table.primary_key.columns][0] == "tenant_id"
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            assert "tenant_id" in constraint.columns, f"{name}: unique {constraint.name} lacks tenant_id"
        if isinstance(constraint, ForeignKeyConstraint) and constraint.referred_table.name in TENANT_TABLES:
            assert "tenant_id" in constraint.column_keys, f"{name}: FK {constraint.name} lacks tenant_id"
    for index in table.indexes:
        assert index.columns and list(index.columns)[0].name == "tenant_id", f"{name}: index {index.name}"


def _owner(database_urls) -> str:
    return libpq_conninfo(database_urls.owner)


def test_live_schema_has_forced_rls_and_policy_on_every_tenant_table(database_urls):
    with psycopg.connect(_owner(database_urls)) as conn:
        rows = conn.execute(
            "select c.relname, c.relrowsecurity, c.relforcerowsecurity, "
            "(select count(*) from pg_policies p where p.tablename = c.relname), pg_get_userbyid(c.relowner) "
            "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = 'public' and c.relkind = 'r'"
        ).fetchall()
        indexes = conn.execute(
            "select tablename, indexname, indexdef from pg_indexes where schemaname = 'public'"
        ).fetchall()
    state = {name: (rls, forced, policies, owner) for name, rls, forced, policies, owner in rows}
    for name in [*TENANT_TABLES, "tenants"]:
        rls, forced, policies, owner = state[name]
        assert rls and forced and policies >= 1, f"{name} lacks forced RLS or a policy"
        assert owner not in (APP_ROLE, PLATFORM_ROLE), f"{name} is owned by an app role"
    for table, index, definition in indexes:
        if table in TENANT_TABLES:
            assert "(tenant_id" in definition, (
                f"{index} on {table} does not lead with tenant_id: {definition}"
            )


def test_app_roles_cannot_escape(database_urls):
    with psycopg.connect(_owner(database_urls)) as conn:
        roles = dict(
            (name, (superuser, bypass))
            for name, superuser, bypass in conn.execute(
                "select rolname, rolsuper, rolbypassrls from pg_roles where rolname in (%s, %s)",
                (APP_ROLE, PLATFORM_ROLE),
            ).fetchall()
        )
    assert roles[APP_ROLE] == (False, False)
    assert roles[PLATFORM_ROLE] == (False, True)  # the audited cross-tenant path, never used by requests
