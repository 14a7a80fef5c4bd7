"""A fresh, migrated database for one test session: on TEST_DATABASE_URL's server, else embedded."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from voxi.core.db import DatabaseUrls, database_urls, libpq_conninfo
from voxi.core.embedded import start_embedded_postgres
from voxi.core.migrate import drop_database, migrate
from voxi.models import Base

ROLE_PASSWORD = "test-role-password"


def create_test_database() -> DatabaseUrls:
    name = f"voxi_test_{uuid.uuid4().hex[:10]}"
    server = os.environ.get("TEST_DATABASE_URL")
    if server:
        owner = make_url(server).set(drivername="postgresql+psycopg", database=name).render_as_string(False)
    else:
        owner = start_embedded_postgres(Path(".voxi/test"), name)
    urls = database_urls(owner, ROLE_PASSWORD)
    migrate(urls, ROLE_PASSWORD)
    return urls


def destroy_test_database(urls: DatabaseUrls) -> None:
    drop_database(urls.owner)


def truncate_all(urls: DatabaseUrls) -> None:
    # The job queue too: a job one test queued (e.g. a sandbox billing event) must not reach the next.
    queue = ["procrastinate_events", "procrastinate_periodic_defers", "procrastinate_jobs"]
    tables = ", ".join([table.name for table in Base.metadata.sorted_tables] + queue)
    with psycopg.connect(libpq_conninfo(urls.owner)) as conn:
        conn.execute(f"truncate {tables} restart identity cascade")  # noqa: S608 - fixed table names
