from __future__ import annotations

import uuid

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from voxi.core.columns import uuid_pk
from voxi.core.db import Base, TenantScoped, Timestamped


class OutboxEmail(Timestamped, Base):
    """An email the sandbox mailer "sent": the developer reads it in the dashboard outbox."""

    __tablename__ = "outbox_emails"

    id: Mapped[uuid.UUID] = uuid_pk()
    to_address: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)


class OutboxSms(Timestamped, Base):
    """A text message the sandbox SMS sender "sent": shown at /dev/outbox next to the emails."""

    __tablename__ = "outbox_sms"

    id: Mapped[uuid.UUID] = uuid_pk()
    to_number: Mapped[str] = mapped_column(String(32), index=True)
    from_number: Mapped[str] = mapped_column(String(32), default="")
    body: Mapped[str] = mapped_column(Text)


class SmsOptOut(TenantScoped, Timestamped, Base):
    """A number that texted STOP to this business: no SMS goes to it until it texts START."""

    __tablename__ = "sms_opt_outs"

    phone: Mapped[str] = mapped_column(String(32), primary_key=True)


class NotificationSent(TenantScoped, Timestamped, Base):
    """One notification delivered, by its natural key ("booking:<id>:<start>", "summary:<call>:sms").

    A job claims the key before sending, in the same transaction that commits after the send: a retry
    of a job that already delivered finds the key and sends nothing.
    """

    __tablename__ = "notifications_sent"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))  # sms | email
    recipient: Mapped[str] = mapped_column(String(254))
