"""The `voxi` command line."""

from __future__ import annotations

import asyncio

import typer
import uvicorn

from voxi.core.bootstrap import database_from_settings, role_password, urls_from_settings
from voxi.core.migrate import migrate as run_migrations
from voxi.core.settings import Settings

app = typer.Typer(help="Voxi: the AI receptionist for home-service businesses.", no_args_is_help=True)
admin_app = typer.Typer(help="Platform administrators.", no_args_is_help=True)
app.add_typer(admin_app, name="admin")


def _settings() -> Settings:
    try:
        return Settings()
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


@app.command()
def migrate() -> None:
    """Create the database, roles and schema (idempotent)."""
    settings = _settings()
    run_migrations(urls_from_settings(settings), role_password(settings))
    typer.echo("database is at the latest migration")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    port: int | None = typer.Option(None, help="Port (default: $PORT or 8000)."),
    no_migrate: bool = typer.Option(False, "--no-migrate", help="Skip migrations (run `voxi migrate` in deploys)."),
) -> None:
    """Run the web server (migrating first unless told not to)."""
    settings = _settings()
    if not no_migrate:
        run_migrations(urls_from_settings(settings), role_password(settings))
    port = port or settings.port
    typer.echo(f"Voxi is running at http://{host}:{port}")
    uvicorn.run("voxi.app:create_app", factory=True, host=host, port=port, log_level="warning",
                proxy_headers=True, forwarded_allow_ips="*")


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
    from voxi.auth.service import create_platform_admin

    async def create() -> None:
        db = database_from_settings(_settings())
        try:
            async with db.cross_tenant("cli: admin create", actor="cli") as session:
                await create_platform_admin(session, email, name, password)
                await session.commit()
        finally:
            await db.dispose()

    asyncio.run(create())
    typer.echo(f"platform admin {email.strip().lower()} is ready")
