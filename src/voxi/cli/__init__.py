"""The `voxi` command line: `migrate`, `serve`, `admin`, `tenants` and `bench`."""

from __future__ import annotations

import typer
import uvicorn

from voxi.auth.service import create_platform_admin
from voxi.billing.cli import billing_app, sandbox_app
from voxi.cli.demo import demo_banner, ensure_demo_data
from voxi.cli.legacy import tenants_app
from voxi.cli.runtime import load_settings, with_database
from voxi.cli.seed import bench_app
from voxi.core.bootstrap import role_password, urls_from_settings
from voxi.core.db import Database
from voxi.core.jobs import JobServices, run_worker
from voxi.core.migrate import migrate as run_migrations
from voxi.providers import build_providers
from voxi.telephony.cli import numbers_app
from voxi.voice.cli import call_app
from voxi.voice.elevenlabs.cli import elevenlabs_app

app = typer.Typer(help="Voxi: the AI receptionist for home-service businesses.", no_args_is_help=True)
admin_app = typer.Typer(help="Platform administrators.", no_args_is_help=True)
app.add_typer(admin_app, name="admin")
app.add_typer(tenants_app, name="tenants")
app.add_typer(bench_app, name="bench")
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(billing_app, name="billing")
app.add_typer(numbers_app, name="numbers")
app.add_typer(elevenlabs_app, name="elevenlabs")
app.add_typer(call_app, name="call")


@app.command()
def migrate() -> None:
    """Create the database, roles and schema (idempotent)."""
    settings = load_settings()
    run_migrations(urls_from_settings(settings), role_password(settings))
    typer.echo("database is at the latest migration")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    port: int | None = typer.Option(None, help="Port (default: $PORT or 8000)."),
    no_migrate: bool = typer.Option(
        False, "--no-migrate", help="Skip migrations (run `voxi migrate` in deploys)."
    ),
    demo: bool = typer.Option(
        False, "--demo", help="Development only: ensure a demo business and admin exist."
    ),
) -> None:
    """Run the web server (migrating first unless told not to)."""
    settings = load_settings()
    if demo and not settings.is_development:
        typer.echo("--demo creates well-known logins; it runs only with VOXI_ENV=development.", err=True)
        raise typer.Exit(2)
    if not no_migrate:
        run_migrations(urls_from_settings(settings), role_password(settings))
    port = port or settings.port
    if demo:
        with_database(settings, ensure_demo_data)
        typer.echo(demo_banner(f"http://{host}:{port}"))
    else:
        typer.echo(f"Voxi is running at http://{host}:{port}")
    uvicorn.run(
        "voxi.app:create_app",
        factory=True,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,  # access lines would carry query strings such as password-reset tokens
        # websockets<16 (pinned by openai[realtime]) makes uvicorn's "auto" pick its deprecated legacy module.
        ws="websockets-sansio",
        proxy_headers=True,
        forwarded_allow_ips="*",
    )


@app.command()
def worker(concurrency: int = typer.Option(4, help="Jobs run at the same time.")) -> None:
    """Run background jobs (emails, webhooks, escalations, …) until stopped; run several for more capacity."""
    settings = load_settings()

    async def work(db: Database) -> None:
        await run_worker(JobServices(settings, db, build_providers(settings, db)), concurrency=concurrency)

    typer.echo("Voxi worker started; Ctrl-C stops it")
    with_database(settings, work)


@admin_app.command("create")
def admin_create(
    email: str = typer.Option(..., prompt=True),
    name: str = typer.Option("Voxi admin"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create a platform admin (or make an existing user one)."""
    if len(password) < 12:
        typer.echo("The password must be at least 12 characters.", err=True)
        raise typer.Exit(2)

    async def create(db: Database) -> None:
        async with db.cross_tenant("cli: admin create", actor="cli") as session:
            await create_platform_admin(session, email, name, password)
            await session.commit()

    with_database(load_settings(), create)
    typer.echo(f"platform admin {email.strip().lower()} is ready")
