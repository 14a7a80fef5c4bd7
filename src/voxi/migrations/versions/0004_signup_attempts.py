"""signup saga attempts

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-21 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signup_attempts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "RUNNING",
                "COMPLETED",
                "FAILED",
                name="signup_state",
                native_enum=False,
                length=20,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("current_step", sa.String(length=40), nullable=False),
        sa.Column("run", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=True),
        sa.Column("owner_user_id", sa.Uuid(), nullable=True),
        sa.Column("billing_customer_id", sa.String(length=100), nullable=True),
        sa.Column("billing_subscription_id", sa.String(length=100), nullable=True),
        sa.Column("trial_ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("number_e164", sa.String(length=16), nullable=True),
        sa.Column("number_sid", sa.String(length=64), nullable=True),
        sa.Column("error_code", sa.String(length=60), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column(
            "log",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signup_attempts")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_signup_attempts_idempotency_key")),
    )
    op.create_index(op.f("ix_signup_attempts_email"), "signup_attempts", ["email"], unique=False)
    op.create_index(op.f("ix_signup_attempts_fingerprint"), "signup_attempts", ["fingerprint"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_signup_attempts_fingerprint"), table_name="signup_attempts")
    op.drop_index(op.f("ix_signup_attempts_email"), table_name="signup_attempts")
    op.drop_table("signup_attempts")
