"""the calls list filtered by outcome has its own index

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-21 13:00:00

`make bench` measured 197 ms (p50) for `GET /api/v1/calls?outcome=emergency` on a business with
100,000 calls: counting the matches read every one of its calls from the table.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_call_logs_tenant_id_outcome_started_at", "call_logs", ["tenant_id", "outcome", "started_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_call_logs_tenant_id_outcome_started_at", table_name="call_logs")
