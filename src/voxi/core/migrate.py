"""Database bootstrap: create the database and roles, run Alembic, grant the app roles their rights.

Run as the owner (DATABASE_URL's role). `voxi_app` (NOSUPERUSER NOBYPASSRLS) serves requests;
`voxi_platform` (BYPASSRLS) backs `Database.cross_tenant`. Their passwords derive from VOXI_SECRET_KEY,
so re-running `voxi migrate` after a key rotation re-keys them.
"""

from __future__ import annotations

from importlib.resources import files

import psycopg
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from psycopg import sql
from sqlalchemy import Connection
from sqlalchemy.engine import make_url

from voxi.core.db import APP_ROLE, PLATFORM_ROLE, DatabaseUrls, libpq_conninfo

READ_ONLY_TABLES = ("alembic_version",)


def _database_name(url: str) -> str:
    return make_url(url).database or "postgres"


def ensure_database(owner_url: str) -> None:
    name = _database_name(owner_url)
    with psycopg.connect(libpq_conninfo(owner_url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))


def drop_database(owner_url: str) -> None:
    name = _database_name(owner_url)
    with psycopg.connect(libpq_conninfo(owner_url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def _ensure_roles(conn: psycopg.Connection, password: str) -> None:
    for role, bypass in ((APP_ROLE, "NOBYPASSRLS"), (PLATFORM_ROLE, "BYPASSRLS")):
        exists = conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone()
        verb = "alter" if exists else "create"
        conn.execute(
            sql.SQL(
                f"{verb} role {{}} login nosuperuser nocreatedb nocreaterole {bypass} password {{}}"
            ).format(sql.Identifier(role), sql.Literal(password))
        )


def _grant(conn: psycopg.Connection, database: str) -> None:
    roles = sql.SQL(", ").join(sql.Identifier(r) for r in (APP_ROLE, PLATFORM_ROLE))
    conn.execute(sql.SQL("grant connect on database {} to {}").format(sql.Identifier(database), roles))
    conn.execute(sql.SQL("grant usage on schema public to {}").format(roles))
    tables = conn.execute("select tablename from pg_tables where schemaname = 'public'").fetchall()
    for (table,) in tables:
        for role in (APP_ROLE, PLATFORM_ROLE):
            conn.execute(
                sql.SQL(f"grant {_rights(table, role)} on {{}} to {{}}").format(
                    sql.Identifier(table), sql.Identifier(role)
                )
            )
    conn.execute(sql.SQL("grant usage, select on all sequences in schema public to {}").format(roles))


def _rights(table: str, role: str) -> str:
    if table in READ_ONLY_TABLES:
        return "select"
    if table.startswith("procrastinate_") and role == APP_ROLE:
        return "select, insert"  # requests only queue jobs; the worker (platform role) runs them
    return "select, insert, update, delete"


def alembic_config(owner_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("voxi") / "migrations"))
    config.set_main_option("sqlalchemy.url", owner_url.replace("%", "%%"))
    return config


def migrate(urls: DatabaseUrls, role_password: str) -> None:
    """Idempotent: safe on every start (`make run`) and in deploys (`voxi migrate`)."""
    ensure_database(urls.owner)
    with psycopg.connect(libpq_conninfo(urls.owner), autocommit=True) as conn:
        _ensure_roles(conn, role_password)
    command.upgrade(alembic_config(urls.owner), "heads")
    with psycopg.connect(libpq_conninfo(urls.owner), autocommit=True) as conn:
        _grant(conn, _database_name(urls.owner))


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config("postgresql://unused/db")).get_heads())


def current_revisions(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())
