"""billing lifecycle on tenants, billing events, sandbox billing and telephony state

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 10:11:11
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_COLUMNS = (
    "billing_customer_id",
    "billing_subscription_id",
    "subscription_status",
    "current_period_end",
    "cancel_at_period_end",
    "trial_reminder_sent_for",
)


def _created_at() -> sa.Column:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def upgrade() -> None:
    op.add_column("tenants", sa.Column("billing_customer_id", sa.String(length=64), nullable=True))
    op.add_column("tenants", sa.Column("billing_subscription_id", sa.String(length=64), nullable=True))
    op.add_column("tenants", sa.Column("subscription_status", sa.String(length=30), nullable=True))
    op.add_column("tenants", sa.Column("current_period_end", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "tenants",
        sa.Column("cancel_at_period_end", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column("tenants", sa.Column("trial_reminder_sent_for", sa.DateTime(timezone=True), nullable=True))
    op.create_unique_constraint(op.f("uq_tenants_billing_customer_id"), "tenants", ["billing_customer_id"])

    op.create_table(
        "billing_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=80), nullable=False),
        sa.Column("type", sa.String(length=80), nullable=False),
        sa.Column("subscription_id", sa.String(length=64), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column(
            "payload",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_events")),
        sa.UniqueConstraint("source", "event_id", name=op.f("uq_billing_events_source_event_id")),
    )
    op.create_table(
        "sandbox_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offset_seconds", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_clock")),
    )
    op.create_table(
        "sandbox_customers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("metadata_tenant_id", sa.Uuid(), nullable=True),
        sa.Column("payment_method", sa.String(length=80), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_customers")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_sandbox_customers_idempotency_key")),
    )
    op.create_table(
        "sandbox_subscriptions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("metadata_tenant_id", sa.Uuid(), nullable=True),
        sa.Column("plan", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("trial_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("current_period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current_period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancel_at_period_end", sa.Boolean(), nullable=False),
        sa.Column("trial_will_end_sent", sa.Boolean(), nullable=False),
        sa.Column("past_due_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("open_invoice_cents", sa.Integer(), nullable=False),
        sa.Column("canceled_at", sa.DateTime(timezone=True), nullable=True),
        _created_at(),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_subscriptions")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_sandbox_subscriptions_idempotency_key")),
    )
    op.create_index(
        op.f("ix_sandbox_subscriptions_customer_id"), "sandbox_subscriptions", ["customer_id"], unique=False
    )
    op.create_table(
        "sandbox_numbers",
        sa.Column("e164", sa.String(length=16), nullable=False),
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("voice_url", sa.String(length=500), nullable=False),
        sa.Column("status_callback", sa.String(length=500), nullable=False),
        _created_at(),
        sa.PrimaryKeyConstraint("e164", name=op.f("pk_sandbox_numbers")),
        sa.UniqueConstraint("sid", name=op.f("uq_sandbox_numbers_sid")),
    )


def downgrade() -> None:
    for table in ("sandbox_numbers", "sandbox_subscriptions", "sandbox_customers", "sandbox_clock"):
        op.drop_table(table)
    op.drop_table("billing_events")
    op.drop_constraint(op.f("uq_tenants_billing_customer_id"), "tenants", type_="unique")
    for column in TENANT_COLUMNS:
        op.drop_column("tenants", column)
