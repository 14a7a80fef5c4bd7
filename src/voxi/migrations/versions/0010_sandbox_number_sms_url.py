"""sandbox numbers keep their SMS webhook, like Twilio numbers

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: numbers bought before this have no SMS webhook until `voxi numbers repoint` sets it.
    op.add_column("sandbox_numbers", sa.Column("sms_url", sa.String(length=500), nullable=True))


def downgrade() -> None:
    op.drop_column("sandbox_numbers", "sms_url")
