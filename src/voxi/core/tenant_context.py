"""The current tenant of a request, job or call: the one place tenant scoping is decided.

The boundary (an auth dependency, a job, a call) sets it; the ORM listeners in `core.db` read it to
filter every query and stamp every insert, and to set `app.tenant_id` for PostgreSQL's RLS policies.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

from voxi.core.errors import NoTenantContext

_current_tenant: ContextVar[uuid.UUID | None] = ContextVar("voxi_tenant", default=None)


def current_tenant_id_or_none() -> uuid.UUID | None:
    return _current_tenant.get()


def current_tenant_id() -> uuid.UUID:
    tenant_id = _current_tenant.get()
    if tenant_id is None:
        raise NoTenantContext()
    return tenant_id


def set_current_tenant(tenant_id: uuid.UUID) -> None:
    """Bind the tenant for the rest of this task (request/job/call boundary only)."""
    _current_tenant.set(tenant_id)


def reset_tenant_context() -> Token[uuid.UUID | None]:
    return _current_tenant.set(None)


def restore_tenant_context(token: Token[uuid.UUID | None]) -> None:
    _current_tenant.reset(token)


@contextmanager
def tenant_context(tenant_id: uuid.UUID) -> Iterator[None]:
    token = _current_tenant.set(tenant_id)
    try:
        yield
    finally:
        _current_tenant.reset(token)
