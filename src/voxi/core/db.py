"""Database plumbing: the ORM base, the tenant mixin, and the two walls of tenant isolation.

Wall one (application): every ORM select/update/delete on a `TenantScoped` model gets
`tenant_id = <current tenant>` added by a `do_orm_execute` listener, every new tenant row gets the
current tenant stamped by `before_flush`, and either raises when no tenant is bound.
Wall two (database): each transaction runs `set_config('app.tenant_id', …, true)` so the RLS
policies (see `core.rls`) hide every other tenant's rows from the `voxi_app` role.
The only way across tenants is `Database.cross_tenant(reason)`: a session on the `voxi_platform`
role (BYPASSRLS) whose every use is logged with its reason.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import structlog
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import DateTime, ForeignKey, MetaData, event, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    SessionTransaction,
    declared_attr,
    mapped_column,
    with_loader_criteria,
)
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from voxi.core.errors import NoTenantContext
from voxi.core.tenant_context import current_tenant_id_or_none, set_current_tenant

log = structlog.get_logger(__name__)

APP_ROLE = "voxi_app"
PLATFORM_ROLE = "voxi_platform"
CROSS_TENANT = "cross_tenant"

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSONB, list[Any]: JSONB, datetime: DateTime(timezone=True)}


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), sort_order=90)


class TenantScoped:
    """A tenant-owned table: `tenant_id` leads its primary key, unique keys, foreign keys and indexes."""

    @declared_attr
    def tenant_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True, sort_order=-100)


class VoxiSession(Session):
    """The sync session behind every AsyncSession; the isolation listeners below attach to it."""


@event.listens_for(VoxiSession, "do_orm_execute")
def _scope_to_current_tenant(state: ORMExecuteState) -> None:
    if state.is_column_load or state.is_relationship_load:
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.session.info.get(CROSS_TENANT):
        return
    tenant_id = current_tenant_id_or_none()
    if tenant_id is None:
        if any(issubclass(mapper.class_, TenantScoped) for mapper in state.all_mappers):
            raise NoTenantContext()
        return
    state.statement = state.statement.options(
        with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)
    )


@event.listens_for(VoxiSession, "before_flush")
def _stamp_tenant_on_new_rows(session: Session, _ctx: object, _instances: object) -> None:
    tenant_id = current_tenant_id_or_none()
    crossing = session.info.get(CROSS_TENANT)
    for obj in session.new:
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None:
            if tenant_id is None:
                raise NoTenantContext()
            obj.tenant_id = tenant_id
        elif not crossing and obj.tenant_id != tenant_id:
            raise NoTenantContext()


@event.listens_for(VoxiSession, "after_begin")
def _set_rls_tenant(session: Session, _tx: SessionTransaction, connection: Connection) -> None:
    tenant_id = current_tenant_id_or_none()
    # With no tenant there is nothing to set: a transaction-local setting never outlives its
    # transaction, so a new one starts unset (and the policies match nothing).
    if tenant_id is None or session.info.get(CROSS_TENANT):
        return
    connection.exec_driver_sql("select set_config('app.tenant_id', %s, true)", (str(tenant_id),))


# The tenants whose rows a session changed, by table: told to this process's hooks at commit.
CHANGED_ROWS = "changed_rows"
COMMIT_HOOKS = "commit_hooks"


@event.listens_for(VoxiSession, "after_flush")
def _note_changed_rows(session: Session, _ctx: object) -> None:
    changed = session.info.setdefault(CHANGED_ROWS, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        tenant_id = getattr(obj, "tenant_id", None) or (obj.id if table == "tenants" else None)
        if table and tenant_id:
            changed.add((table, tenant_id))


@event.listens_for(VoxiSession, "after_commit")
def _run_commit_hooks(session: Session) -> None:
    changed = session.info.pop(CHANGED_ROWS, None)
    if changed:
        for hook in session.info.get(COMMIT_HOOKS, ()):
            hook(changed)


@event.listens_for(VoxiSession, "after_rollback")
def _forget_changed_rows(session: Session) -> None:
    session.info.pop(CHANGED_ROWS, None)


async def activate_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Bind `tenant_id` for this task and for the session's open transaction, if one has begun."""
    set_current_tenant(tenant_id)
    if session.in_transaction():
        await session.execute(text("select set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})


@dataclass(frozen=True)
class PsycopgStatement:
    """A SQLAlchemy Core statement compiled once, to run on psycopg directly (`Database.autocommit`).

    `params` holds its constants and its columns' Python-side defaults; a call adds its own values.
    No SQLAlchemy type processing: JSONB values go wrapped in `psycopg.types.json.Jsonb`.
    """

    sql: str
    params: dict[str, Any]

    @classmethod
    def compile(cls, statement: ClauseElement) -> PsycopgStatement:
        compiled = cast(SQLCompiler, statement.compile(dialect=PGDialect_psycopg()))
        defaults = {}
        for column in compiled.insert_prefetch:  # SQLAlchemy computes these per execution
            if not isinstance(column.default, ScalarElementColumnDefault):
                raise ValueError(f"{column.key}: only constant defaults can be compiled in")
            defaults[column.key] = column.default.arg
        return cls(compiled.string, {**compiled.params, **defaults})


@dataclass(frozen=True)
class DatabaseUrls:
    owner: str  # runs migrations; owns the tables
    app: str  # voxi_app: NOSUPERUSER NOBYPASSRLS, every request
    platform: str  # voxi_platform: BYPASSRLS, only through Database.cross_tenant


def database_urls(owner_url: str, role_password: str) -> DatabaseUrls:
    owner = make_url(owner_url).set(drivername="postgresql+psycopg")

    def as_role(role: str) -> str:
        return owner.set(username=role, password=role_password).render_as_string(hide_password=False)

    return DatabaseUrls(
        owner.render_as_string(hide_password=False), as_role(APP_ROLE), as_role(PLATFORM_ROLE)
    )


def libpq_conninfo(url: str, database: str | None = None) -> str:
    """A SQLAlchemy URL as a libpq connection string for psycopg, to `database` instead when given."""
    parsed = make_url(url).set(drivername="postgresql")
    if database:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


# psycopg prepares a statement after a few executions, and PostgreSQL may then plan it once for any
# parameters. One plan cannot fit a business with 100,000 calls and one with 90: the generic plan of a
# transcript search walked every call of the big one (130–320 ms where its own plan takes 10 ms).
# Statements stay prepared (parsed once); each execution is planned for its own tenant and values.
_CONNECT_ARGS = {"options": "-c plan_cache_mode=force_custom_plan"}
MAX_OVERFLOW = 20  # connections beyond `pool_size` under a burst
AUTOCOMMIT_WAIT_SECONDS = 2.0


class Database:
    """The app's connection pools, built once at start-up."""

    def __init__(self, urls: DatabaseUrls, *, pool_size: int = 10) -> None:
        self.urls = urls
        self.app_engine: AsyncEngine = create_async_engine(
            urls.app, pool_size=pool_size, max_overflow=MAX_OVERFLOW, connect_args=_CONNECT_ARGS
        )
        self.platform_engine: AsyncEngine = create_async_engine(
            urls.platform, pool_size=4, max_overflow=8, connect_args=_CONNECT_ARGS
        )
        # Single statements on a hot path that need no transaction (a new call's log): psycopg itself,
        # autocommit, one round trip each. SQLAlchemy's execution and pool cost ~2.5x the insert's own
        # CPU. The app role, so RLS holds. Opened on first use, inside the event loop that uses it.
        self.autocommit_pool = AsyncConnectionPool(
            self.app_conninfo,
            min_size=1,
            max_size=pool_size + MAX_OVERFLOW,
            # Give up soon when no connection comes (the database is down): the caller then hears
            # the fallback, well before Twilio stops waiting for TwiML (15 s).
            timeout=AUTOCOMMIT_WAIT_SECONDS,
            open=False,
            kwargs={"autocommit": True},  # plans cached: one INSERT plan fits every tenant
            name="autocommit",
        )
        # Called after a session of this process commits ORM changes: {(table, tenant id)} it changed.
        self.commit_hooks: list[Callable[[set[tuple[str, uuid.UUID]]], None]] = []
        info = {COMMIT_HOOKS: self.commit_hooks}
        self.sessions = async_sessionmaker(
            self.app_engine, sync_session_class=VoxiSession, expire_on_commit=False, info=info
        )
        self._platform_sessions = async_sessionmaker(
            self.platform_engine, sync_session_class=VoxiSession, expire_on_commit=False, info=info
        )

    @property
    def app_conninfo(self) -> str:
        """The app role's libpq connection string (for psycopg without SQLAlchemy)."""
        return libpq_conninfo(self.urls.app)

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[AsyncConnection[Any]]:
        """A pooled app-role psycopg connection in autocommit mode: each statement commits on its own."""
        if self.autocommit_pool.closed:  # not opened yet (reopening after `dispose` raises)
            await self.autocommit_pool.open()
        async with self.autocommit_pool.connection() as conn:
            yield conn

    @asynccontextmanager
    async def cross_tenant(self, reason: str, *, actor: str | None = None) -> AsyncIterator[AsyncSession]:
        """The one audited way across tenants (platform admin, login membership lookup, billing webhooks).

        The caller's boundary commits; leaving the block without a commit rolls back.
        """
        log.info("cross_tenant_access", reason=reason, actor=actor)
        async with self._platform_sessions() as session:
            session.info[CROSS_TENANT] = reason
            yield session

    async def dispose(self) -> None:
        await self.app_engine.dispose()
        await self.platform_engine.dispose()
        await self.autocommit_pool.close()
