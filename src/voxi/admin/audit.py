"""The audit trail of admin actions and settings changes."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from voxi.admin.models import AuditLog


def record_audit(
    session: AsyncSession, *, actor: str, action: str, tenant_id: uuid.UUID | None, details: dict[str, Any]
) -> None:
    """Add an audit row to the caller's transaction: it commits (or rolls back) with the change itself."""
    session.add(AuditLog(actor=actor, action=action, tenant_id=tenant_id, details=details))
