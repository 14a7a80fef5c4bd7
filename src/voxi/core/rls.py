"""Row-level security DDL for tenant tables, used by migrations.

An unset `app.tenant_id` reads as '' after a transaction-local setting ends; NULLIF makes that match
nothing instead of failing the ::uuid cast.
"""

from __future__ import annotations

CURRENT_TENANT_SQL = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"


def enable_rls_sql(table: str, column: str = "tenant_id") -> list[str]:
    condition = f"{column} = {CURRENT_TENANT_SQL}"
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_isolation ON {table} USING ({condition}) WITH CHECK ({condition})",
    ]
