from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from voxi.core.columns import str_enum, updated_at, uuid_pk
from voxi.core.db import Base, TenantScoped, Timestamped


class AppointmentStatus(enum.StrEnum):
    HELD = "held"
    BOOKED = "booked"
    CANCELED = "canceled"
    COMPLETED = "completed"


class Appointment(TenantScoped, Timestamped, Base):
    """A booked job; instants are stored in UTC, shown in the tenant's timezone."""

    __tablename__ = "appointments"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "customer_id"],
            ["customers.tenant_id", "customers.id"],
            ondelete="SET NULL (customer_id)",
        ),
        Index("ix_appointments_tenant_id_starts_at", "tenant_id", "starts_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    service: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[AppointmentStatus] = mapped_column(
        str_enum(AppointmentStatus, "appointment_status"), default=AppointmentStatus.BOOKED
    )
    address: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(20), default="dashboard")
    updated_at: Mapped[datetime] = updated_at()
