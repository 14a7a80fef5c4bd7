"""emergencies (escalation chain) and notifications (SMS outbox, opt-outs, sent ledger)

Revision ID: 0007
Revises: 0002
Create Date: 2026-11-22 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from voxi.core.rls import enable_rls_sql

revision: str = "0007"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = ("escalation_contacts", "escalation_attempts", "sms_opt_outs", "notifications_sent")


def _created_at() -> sa.Column:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"), ondelete="CASCADE"
    )


def upgrade() -> None:
    empty = sa.text("'{}'::jsonb")
    op.add_column(
        "tenant_configs",
        sa.Column("emergency_settings", postgresql.JSONB(), server_default=empty, nullable=False),
    )
    op.add_column(
        "tenant_configs",
        sa.Column("notification_settings", postgresql.JSONB(), server_default=empty, nullable=False),
    )
    op.add_column(
        "emergency_logs",
        sa.Column("severity", sa.String(length=20), server_default=sa.text("'urgent'"), nullable=False),
    )
    op.add_column("emergency_logs", sa.Column("caller_number", sa.String(length=32), nullable=True))
    op.add_column("emergency_logs", sa.Column("acknowledged_by", sa.String(length=120), nullable=True))
    op.create_table(
        "escalation_contacts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _created_at(),
        _tenant_fk("escalation_contacts"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_escalation_contacts")),
    )
    op.create_table(
        "escalation_attempts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("emergency_id", sa.Uuid(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("contact_name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["tenant_id", "emergency_id"],
            ["emergency_logs.tenant_id", "emergency_logs.id"],
            name=op.f("fk_escalation_attempts_tenant_id_emergency_id_emergency_logs"),
            ondelete="CASCADE",
        ),
        _tenant_fk("escalation_attempts"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_escalation_attempts")),
        sa.UniqueConstraint(
            "tenant_id",
            "emergency_id",
            "step",
            "channel",
            name=op.f("uq_escalation_attempts_tenant_id_emergency_id_step_channel"),
        ),
    )
    op.create_index(
        "ix_escalation_attempts_tenant_id_phone", "escalation_attempts", ["tenant_id", "phone"], unique=False
    )
    op.create_table(
        "sms_opt_outs",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        _created_at(),
        _tenant_fk("sms_opt_outs"),
        sa.PrimaryKeyConstraint("tenant_id", "phone", name=op.f("pk_sms_opt_outs")),
    )
    op.create_table(
        "notifications_sent",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        _created_at(),
        _tenant_fk("notifications_sent"),
        sa.PrimaryKeyConstraint("tenant_id", "key", name=op.f("pk_notifications_sent")),
    )
    op.create_table(
        "outbox_sms",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("to_number", sa.String(length=32), nullable=False),
        sa.Column("from_number", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_sms")),
    )
    op.create_index(op.f("ix_outbox_sms_to_number"), "outbox_sms", ["to_number"], unique=False)
    for table in TENANT_TABLES:
        for statement in enable_rls_sql(table):
            op.execute(statement)


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_sms_to_number"), table_name="outbox_sms")
    op.drop_table("outbox_sms")
    op.drop_table("notifications_sent")
    op.drop_table("sms_opt_outs")
    op.drop_index("ix_escalation_attempts_tenant_id_phone", table_name="escalation_attempts")
    op.drop_table("escalation_attempts")
    op.drop_table("escalation_contacts")
    for column in ("acknowledged_by", "caller_number", "severity"):
        op.drop_column("emergency_logs", column)
    for column in ("notification_settings", "emergency_settings"):
        op.drop_column("tenant_configs", column)
