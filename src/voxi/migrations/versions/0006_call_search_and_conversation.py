"""call logs: full-text search over transcripts, conversation state for the Twilio speech engine

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-21 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept in step with voxi.calls.models.SEARCH_VECTOR_SQL (a migration must not import app code that moves).
SEARCH_VECTOR_SQL = (
    "to_tsvector('english'::regconfig, jsonb_path_query_array(transcript, '$[*].text'))"
    " || to_tsvector('english'::regconfig, summary)"
)


def upgrade() -> None:
    # btree_gin: a GIN index can then lead with the tenant's uuid (the isolation rules' "index leads
    # with tenant_id"), so a search reads only that tenant's postings.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.add_column(
        "call_logs",
        sa.Column(
            "conversation",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
    )
    op.add_column(
        "call_logs",
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(SEARCH_VECTOR_SQL, persisted=True),
            nullable=True,
        ),
    )
    op.create_index(
        "ix_call_logs_tenant_id_search_vector",
        "call_logs",
        ["tenant_id", "search_vector"],
        unique=False,
        postgresql_using="gin",
    )


def downgrade() -> None:
    op.drop_index("ix_call_logs_tenant_id_search_vector", table_name="call_logs", postgresql_using="gin")
    op.drop_column("call_logs", "search_vector")
    op.drop_column("call_logs", "conversation")
