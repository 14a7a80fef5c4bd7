"""procrastinate job queue schema

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 10:10:00
"""

from collections.abc import Sequence

from alembic import op
from procrastinate.schema import SchemaManager

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROCRASTINATE_TABLES = (
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_jobs",
    "procrastinate_workers",
)


def upgrade() -> None:
    # The pinned procrastinate's own schema; its later versions ship SQL migrations to apply here.
    # Run on the driver's cursor with no parameters, so the SQL's own "%" signs are left alone.
    driver_connection = op.get_bind().connection.driver_connection
    assert driver_connection is not None  # noqa: S101 - alembic runs on an open connection
    driver_connection.execute(SchemaManager.get_schema())


def downgrade() -> None:
    for table in PROCRASTINATE_TABLES:
        op.execute(f"drop table if exists {table} cascade")
