"""`voxi numbers …`: operations on every number Voxi owns at the phone provider."""

from __future__ import annotations

import typer

from voxi.cli.runtime import load_settings, with_database
from voxi.core.db import Database
from voxi.providers import build_providers
from voxi.telephony.repoint import RepointReport, repoint_numbers

numbers_app = typer.Typer(help="Phone numbers at the provider.", no_args_is_help=True)


@numbers_app.command("repoint")
def repoint() -> None:
    """Point every owned number's voice, status and SMS webhooks at VOXI_BASE_URL (safe to re-run)."""
    settings = load_settings()

    async def run(db: Database) -> RepointReport:
        return await repoint_numbers(build_providers(settings, db).telephony, settings.voxi_base_url)

    report = with_database(settings, run)
    for number in report.updated:
        typer.echo(f"updated {number}")
    for number, why in report.failed:
        typer.echo(f"FAILED {number}: {why}", err=True)
    typer.echo(report.summary())
    if report.failed:
        raise typer.Exit(1)
