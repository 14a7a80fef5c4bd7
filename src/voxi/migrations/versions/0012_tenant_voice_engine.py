"""a business may choose its own voice engine (Enterprise)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-21 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Null: the deployment's VOICE_ENGINE, as every business had before.
    op.add_column("tenant_configs", sa.Column("voice_engine", sa.String(length=20), nullable=True))


def downgrade() -> None:
    op.drop_column("tenant_configs", "voice_engine")
