from __future__ import annotations

import uuid

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from voxi.core.columns import uuid_pk
from voxi.core.db import Base, Timestamped


class OutboxEmail(Timestamped, Base):
    """An email the sandbox mailer "sent": the developer reads it in the dashboard outbox."""

    __tablename__ = "outbox_emails"

    id: Mapped[uuid.UUID] = uuid_pk()
    to_address: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
