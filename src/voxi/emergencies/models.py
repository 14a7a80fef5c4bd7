from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, String, Text, UniqueConstraint, Uuid, text
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
    # pending → notifying → acknowledged | exhausted (nobody answered) | not_escalated (tenant setting)
    escalation_status: Mapped[str] = mapped_column(String(20), default="pending")
    acknowledged_at: Mapped[datetime | None]
    severity: Mapped[str] = mapped_column(String(20), default="urgent", server_default=text("'urgent'"))
    caller_number: Mapped[str | None] = mapped_column(String(32))
    acknowledged_by: Mapped[str | None] = mapped_column(String(120))


class EscalationContact(TenantScoped, Timestamped, Base):
    """One person in a business's escalation chain: on-call techs first, then backups, then the owner."""

    __tablename__ = "escalation_contacts"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(20), default="on_call")  # on_call | backup | owner
    position: Mapped[int] = mapped_column(default=0)


class EscalationAttempt(TenantScoped, Timestamped, Base):
    """One step of an emergency's escalation: who was contacted, how, and what happened.

    Unique per (emergency, step, channel): a retried job finds its step already done and does not
    call or text the technician twice.
    """

    __tablename__ = "escalation_attempts"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "emergency_id"],
            ["emergency_logs.tenant_id", "emergency_logs.id"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("tenant_id", "emergency_id", "step", "channel"),
        Index("ix_escalation_attempts_tenant_id_phone", "tenant_id", "phone"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    emergency_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    step: Mapped[int]
    contact_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(10))  # call | sms (each step makes one of each)
    status: Mapped[str] = mapped_column(String(20))  # sent | failed | skipped
    detail: Mapped[str] = mapped_column(Text, default="")  # call/message sid, or why it failed/skipped
