from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from voxi.core.columns import uuid_pk
from voxi.core.db import Base, TenantScoped, Timestamped


class EmergencyLog(TenantScoped, Timestamped, Base):
    """An emergency the receptionist recognised, and how its escalation went."""

    __tablename__ = "emergency_logs"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "call_id"], ["call_logs.tenant_id", "call_logs.id"], ondelete="CASCADE"
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    call_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    escalation_status: Mapped[str] = mapped_column(String(20), default="pending")
    acknowledged_at: Mapped[datetime | None]
