from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Computed, ForeignKeyConstraint, Index, String, Text, UniqueConstraint, Uuid, text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, deferred, mapped_column

from voxi.core.columns import updated_at, uuid_pk
from voxi.core.db import Base, TenantScoped, Timestamped

# Only the spoken text of each turn (not the role names), then the one-line summary.
SEARCH_VECTOR_SQL = (
    "to_tsvector('english'::regconfig, jsonb_path_query_array(transcript, '$[*].text'))"
    " || to_tsvector('english'::regconfig, summary)"
)


class CallLog(TenantScoped, Timestamped, Base):
    """One phone call (or simulated call) and what came of it."""

    __tablename__ = "call_logs"
    __table_args__ = (
        UniqueConstraint("tenant_id", "call_sid"),
        ForeignKeyConstraint(
            ["tenant_id", "customer_id"],
            ["customers.tenant_id", "customers.id"],
            ondelete="SET NULL (customer_id)",
        ),
        Index("ix_call_logs_tenant_id_started_at", "tenant_id", "started_at"),
        # The calls list filtered by outcome: counted from the index alone, listed newest first.
        Index("ix_call_logs_tenant_id_outcome_started_at", "tenant_id", "outcome", "started_at"),
        # btree_gin lets one GIN index lead with tenant_id: search stays inside one tenant's calls.
        Index("ix_call_logs_tenant_id_search_vector", "tenant_id", "search_vector", postgresql_using="gin"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    call_sid: Mapped[str] = mapped_column(String(64))
    from_number: Mapped[str] = mapped_column(String(32))
    to_number: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    engine: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="in-progress")
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    duration_seconds: Mapped[int] = mapped_column(default=0)
    transcript: Mapped[list[Any]] = mapped_column(default=list, server_default=text("'[]'::jsonb"))
    summary: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(20))
    urgency: Mapped[str] = mapped_column(String(20), default="normal")
    recording_url: Mapped[str | None] = mapped_column(Text)
    cost_cents: Mapped[int] = mapped_column(default=0)
    is_test: Mapped[bool] = mapped_column(default=False)
    # The text brain's state between Twilio <Gather> webhooks (slots, counters); see agent.brain.base.
    conversation: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'::jsonb"))
    # Transcript words + summary for full-text search; PostgreSQL keeps it current on every update.
    search_vector: Mapped[Any] = deferred(
        mapped_column(TSVECTOR, Computed(SEARCH_VECTOR_SQL, persisted=True), nullable=True)
    )
    updated_at: Mapped[datetime] = updated_at()


class Message(TenantScoped, Timestamped, Base):
    """A message taken for the business."""

    __tablename__ = "messages"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "call_id"], ["call_logs.tenant_id", "call_logs.id"], ondelete="SET NULL (call_id)"
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    call_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    caller_name: Mapped[str] = mapped_column(String(120), default="")
    caller_phone: Mapped[str] = mapped_column(String(32), default="")
    body: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(20), default="normal")
    status: Mapped[str] = mapped_column(String(20), default="new")
