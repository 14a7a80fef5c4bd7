"""voice engines: ElevenLabs webhook events (global) and call recordings (tenant, RLS)

Revision ID: 0008
Revises: 0002
Create Date: 2026-11-21 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from voxi.core.rls import enable_rls_sql

revision: str = "0008"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "voice_webhook_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("event_key", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("conversation_id", sa.String(length=100), nullable=False),
        sa.Column(
            "payload",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_webhook_events")),
        sa.UniqueConstraint("source", "event_key", name=op.f("uq_voice_webhook_events_source_event_key")),
    )
    op.create_index(
        op.f("ix_voice_webhook_events_conversation_id"), "voice_webhook_events", ["conversation_id"]
    )
    op.create_table(
        "call_recordings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.String(length=100), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("audio", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_call_recordings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "call_id"],
            ["call_logs.tenant_id", "call_logs.id"],
            name=op.f("fk_call_recordings_tenant_id_call_id_call_logs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_call_recordings")),
        sa.UniqueConstraint("tenant_id", "call_id", name=op.f("uq_call_recordings_tenant_id_call_id")),
    )
    for statement in enable_rls_sql("call_recordings"):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("call_recordings")
    op.drop_index(op.f("ix_voice_webhook_events_conversation_id"), table_name="voice_webhook_events")
    op.drop_table("voice_webhook_events")
