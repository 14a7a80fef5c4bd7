"""Start-up wiring shared by the server, the worker and the CLI."""

from __future__ import annotations

from voxi.core.db import Database, DatabaseUrls, database_urls
from voxi.core.embedded import owner_database_url
from voxi.core.settings import Settings


def urls_from_settings(settings: Settings) -> DatabaseUrls:
    return database_urls(owner_database_url(settings), settings.derived_secret("database-role-password"))


def role_password(settings: Settings) -> str:
    return settings.derived_secret("database-role-password")


def database_from_settings(settings: Settings) -> Database:
    return Database(urls_from_settings(settings))


async def ensure_configured_admin(settings: Settings, db: Database) -> None:
    """VOXI_ADMIN_EMAIL + VOXI_ADMIN_PASSWORD, when set, make sure that platform admin exists."""
    if not (settings.voxi_admin_email and settings.voxi_admin_password):
        return
    from voxi.auth.service import create_platform_admin

    async with db.cross_tenant("ensure configured platform admin") as session:
        await create_platform_admin(
            session, settings.voxi_admin_email, "Voxi admin", settings.voxi_admin_password
        )
        await session.commit()
