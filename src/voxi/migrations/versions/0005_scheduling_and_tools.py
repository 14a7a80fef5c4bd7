"""scheduling: crews, holds and the no-double-booking constraint; scheduling settings; tool invocations

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-22 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from voxi.core.rls import enable_rls_sql

revision: str = "0005"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_TENANT_TABLES = ("scheduling_settings", "tool_invocations")


def upgrade() -> None:
    # btree_gist lets one GiST exclusion constraint compare tenant_id and crew (=) with time ranges (&&).
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.add_column("appointments", sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE appointments SET blocked_until = ends_at")
    op.alter_column("appointments", "blocked_until", nullable=False)
    op.add_column(
        "appointments", sa.Column("crew", sa.Integer(), server_default=sa.text("1"), nullable=False)
    )
    op.add_column("appointments", sa.Column("hold_expires_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_crew_overlap EXCLUDE USING gist "
        "(tenant_id WITH =, crew WITH =, tstzrange(starts_at, blocked_until) WITH &&) "
        "WHERE (status IN ('held', 'booked'))"
    )
    op.create_table(
        "scheduling_settings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("min_notice_hours", sa.Integer(), server_default=sa.text("2"), nullable=False),
        sa.Column("horizon_days", sa.Integer(), server_default=sa.text("30"), nullable=False),
        sa.Column("capacity", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), server_default=sa.text("60"), nullable=False),
        sa.Column("hold_minutes", sa.Integer(), server_default=sa.text("5"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_scheduling_settings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_scheduling_settings")),
    )
    op.create_table(
        "tool_invocations",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("call_key", sa.String(length=80), nullable=False),
        sa.Column("tool_call_id", sa.String(length=120), nullable=False),
        sa.Column("tool", sa.String(length=40), nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_tool_invocations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "call_key", "tool_call_id", name=op.f("pk_tool_invocations")),
    )
    for table in NEW_TENANT_TABLES:
        for statement in enable_rls_sql(table):
            op.execute(statement)
    op.create_unique_constraint(op.f("uq_tenants_calendar_token"), "tenants", ["calendar_token"])


def downgrade() -> None:
    op.drop_constraint(op.f("uq_tenants_calendar_token"), "tenants", type_="unique")
    op.drop_table("tool_invocations")
    op.drop_table("scheduling_settings")
    op.execute("ALTER TABLE appointments DROP CONSTRAINT ex_appointments_crew_overlap")
    op.drop_column("appointments", "hold_expires_at")
    op.drop_column("appointments", "crew")
    op.drop_column("appointments", "blocked_until")
