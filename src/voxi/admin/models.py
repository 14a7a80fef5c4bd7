from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import BigInteger, Identity, Index, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from voxi.core.db import Base, Timestamped


class AuditLog(Timestamped, Base):
    """Who changed what: every admin action and every settings change. Platform-level, append-only."""

    __tablename__ = "audit_logs"
    __table_args__ = (Index("ix_audit_logs_tenant_id_created_at", "tenant_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(80))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'::jsonb"))
