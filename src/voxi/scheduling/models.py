from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, String, Text, Uuid, column, text
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column

from voxi.core.columns import str_enum, updated_at, uuid_pk
from voxi.core.db import Base, TenantScoped, Timestamped


class AppointmentStatus(enum.StrEnum):
    HELD = "held"
    BOOKED = "booked"
    CANCELED = "canceled"
    COMPLETED = "completed"


# The statuses that occupy a crew; the exclusion constraint below only compares these rows.
OCCUPYING = (AppointmentStatus.HELD, AppointmentStatus.BOOKED)


def _blocked_until_default(context: DefaultExecutionContext) -> datetime:
    return context.get_current_parameters()["ends_at"]


class Appointment(TenantScoped, Timestamped, Base):
    """A booked job; instants are stored in UTC, shown in the tenant's timezone.

    No double booking is PostgreSQL's job: one crew cannot hold two overlapping held/booked
    appointments (exclusion constraint on `[starts_at, blocked_until)` per tenant and crew). Booking
    tries crew 1, 2, … in savepoints and takes the first the database accepts — never read-then-write.
    """

    __tablename__ = "appointments"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "customer_id"],
            ["customers.tenant_id", "customers.id"],
            ondelete="SET NULL (customer_id)",
        ),
        Index("ix_appointments_tenant_id_starts_at", "tenant_id", "starts_at"),
        ExcludeConstraint(
            (column("tenant_id"), "="),
            (column("crew"), "="),
            (text("tstzrange(starts_at, blocked_until)"), "&&"),
            name="ex_appointments_crew_overlap",
            using="gist",
            where=text("status IN ('held', 'booked')"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    service: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # ends_at + arrival window + buffer: how long the crew is taken (the constraint's range end).
    blocked_until: Mapped[datetime] = mapped_column(default=_blocked_until_default)
    crew: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    status: Mapped[AppointmentStatus] = mapped_column(
        str_enum(AppointmentStatus, "appointment_status"), default=AppointmentStatus.BOOKED
    )
    hold_expires_at: Mapped[datetime | None]
    address: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(20), default="dashboard")
    updated_at: Mapped[datetime] = updated_at()


class SchedulingSettings(TenantScoped, Base):
    """How a business takes bookings; a business without a row uses the defaults below."""

    __tablename__ = "scheduling_settings"

    min_notice_hours: Mapped[int] = mapped_column(default=2, server_default=text("2"))
    horizon_days: Mapped[int] = mapped_column(default=30, server_default=text("30"))
    capacity: Mapped[int] = mapped_column(default=1, server_default=text("1"))  # crews
    slot_minutes: Mapped[int] = mapped_column(default=60, server_default=text("60"))
    hold_minutes: Mapped[int] = mapped_column(default=5, server_default=text("5"))
    updated_at: Mapped[datetime] = updated_at()
