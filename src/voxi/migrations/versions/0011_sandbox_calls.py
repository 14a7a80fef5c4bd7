"""outbound calls the sandbox telephony provider placed (the escalation chain phones contacts)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sandbox_calls",
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("to_number", sa.String(length=32), nullable=False),
        sa.Column("from_number", sa.String(length=32), nullable=False),
        sa.Column("twiml", sa.Text(), nullable=False),
        sa.Column("status_callback", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("sid", name=op.f("pk_sandbox_calls")),
    )
    op.create_index(op.f("ix_sandbox_calls_to_number"), "sandbox_calls", ["to_number"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sandbox_calls_to_number"), table_name="sandbox_calls")
    op.drop_table("sandbox_calls")
