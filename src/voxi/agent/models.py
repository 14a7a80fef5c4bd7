from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from voxi.core.db import Base, TenantScoped, Timestamped


class ToolInvocation(TenantScoped, Timestamped, Base):
    """A tool's stored answer for one (call, tool-call id): a retried tool call replays it, never redoes it.

    The row is written before the tool runs, so a concurrent duplicate waits on the primary key and
    then reads the first one's answer.
    """

    __tablename__ = "tool_invocations"

    call_key: Mapped[str] = mapped_column(String(80), primary_key=True)  # CallLog id or provider call id
    tool_call_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    tool: Mapped[str] = mapped_column(String(40))
    result: Mapped[dict[str, Any] | None] = mapped_column()
    completed_at: Mapped[datetime | None]
