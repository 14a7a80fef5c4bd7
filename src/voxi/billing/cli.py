"""`voxi sandbox advance` (the sandbox billing clock) and `voxi billing reconcile`."""

from __future__ import annotations

import typer

from voxi.billing.reconcile import ReconcileReport, reconcile
from voxi.billing.sandbox_clock import AdvanceReport, advance
from voxi.cli.runtime import load_settings, with_database
from voxi.core.db import Database
from voxi.core.jobs import JobServices, run_worker
from voxi.providers import build_providers

sandbox_app = typer.Typer(help="Sandbox providers (development).", no_args_is_help=True)
billing_app = typer.Typer(help="Billing operations.", no_args_is_help=True)


@sandbox_app.command("advance")
def sandbox_advance(
    days: float = typer.Option(..., "--days", min=0, help="How many days to move sandbox time forward."),
    run_jobs: bool = typer.Option(
        True,
        "--run-jobs/--no-run-jobs",
        help="Process the resulting billing events now (else the worker does).",
    ),
) -> None:
    """Move sandbox billing time forward: end trials, renew, mark unpaid, cancel at period end."""
    settings = load_settings()
    if settings.billing_provider != "sandbox":
        typer.echo("The sandbox clock only moves sandbox subscriptions (BILLING_PROVIDER=sandbox).", err=True)
        raise typer.Exit(2)

    async def run(db: Database) -> AdvanceReport:
        report = await advance(db, days)
        if run_jobs:
            await run_worker(JobServices(settings, db, build_providers(settings, db)), wait=False)
        return report

    report = with_database(settings, run)
    for step in report.steps:
        typer.echo(step)
    typer.echo(f"sandbox time is now {report.now:%Y-%m-%d %H:%M} UTC ({len(report.steps)} steps)")


@billing_app.command("reconcile")
def billing_reconcile() -> None:
    """Compare every business's stored subscription with the billing provider's and repair drift."""
    settings = load_settings()

    async def run(db: Database) -> ReconcileReport:
        return await reconcile(JobServices(settings, db, build_providers(settings, db)))

    report = with_database(settings, run)
    for line in report.repaired:
        typer.echo(f"repaired {line}")
    for line in report.failed:
        typer.echo(f"FAILED {line}", err=True)
    typer.echo(report.summary())
    if report.failed:
        raise typer.Exit(1)
