"""ElevenLabs post-call data: received webhook events (global) and call recordings (per tenant)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKeyConstraint, Identity, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from voxi.core.columns import uuid_pk
from voxi.core.db import Base, TenantScoped, Timestamped


class VoiceWebhookEvent(Timestamped, Base):
    """A verified voice-vendor webhook, stored once: a replay hits the unique key and is a no-op.

    Global: the tenant is only known after the payload is read (its `business_id` variable), and the
    audio event names no tenant at all until it is matched with its conversation's transcript.
    """

    __tablename__ = "voice_webhook_events"
    __table_args__ = (UniqueConstraint("source", "event_key"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    source: Mapped[str] = mapped_column(String(20))  # "elevenlabs"
    event_key: Mapped[str] = mapped_column(String(200))  # "<conversation id>:<event type>"
    type: Mapped[str] = mapped_column(String(60))
    conversation_id: Mapped[str] = mapped_column(String(100), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'::jsonb"))
    processed_at: Mapped[datetime | None]


class CallRecording(TenantScoped, Timestamped, Base):
    """A call's audio, served to the business at `GET /api/v1/calls/{id}/recording`."""

    __tablename__ = "call_recordings"
    __table_args__ = (
        UniqueConstraint("tenant_id", "call_id"),
        ForeignKeyConstraint(
            ["tenant_id", "call_id"], ["call_logs.tenant_id", "call_logs.id"], ondelete="CASCADE"
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    call_id: Mapped[uuid.UUID]
    conversation_id: Mapped[str] = mapped_column(String(100))
    content_type: Mapped[str] = mapped_column(String(40), default="audio/mpeg")
    size_bytes: Mapped[int] = mapped_column(default=0)
    audio: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
