"""What every command needs: validated settings and a database pool that is closed afterwards."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog
import typer

from voxi.core.bootstrap import database_from_settings
from voxi.core.db import Database
from voxi.core.logging import configure_logging
from voxi.core.settings import Settings

T = TypeVar("T")


def load_settings() -> Settings:
    """Settings from the environment; a configuration error is a usage error (exit 2), not a traceback."""
    try:
        settings = Settings()
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    # Log lines (e.g. cross-tenant audit records) go to stderr, leaving stdout to the command's output.
    # The stream is looked up per message: test runners swap sys.stderr around each invocation, and a
    # logger cached on a swapped-out stream would later write to a closed file.
    configure_logging(settings.log_level)
    structlog.configure(logger_factory=_current_stderr, cache_logger_on_first_use=False)
    return settings


def _current_stderr(*_args: object) -> structlog.PrintLogger:
    return structlog.PrintLogger(sys.stderr)


def with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work` on a fresh `Database` in its own event loop, disposing the pools afterwards."""

    async def run() -> T:
        db = database_from_settings(settings)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(run())
