"""The `voxi` commands, run through typer's CliRunner against the test database.

Plain sync tests: each command runs its own `asyncio.run`. Rows are checked with plain psycopg as the owner.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from tests.conftest import TEST_SECRET
from voxi.cli import app
from voxi.cli.demo import DEMO_ADMIN_EMAIL, DEMO_BUSINESS, DEMO_NUMBER, ensure_demo_data
from voxi.core.db import DatabaseUrls, libpq_conninfo

LEGACY_ENV = {
    "BUSINESS_NAME": "Austin Comfort Heating",
    "TWILIO_NUMBER": "(512) 555-0142",
    "OWNER_NAME": "Dana Reyes",
    "OWNER_EMAIL": "Dana@AustinComfort.example",
    "OWNER_PASSWORD": "legacy-password-1",
    "BUSINESS_TIMEZONE": "America/Chicago",
    "BUSINESS_INDUSTRY": "HVAC",
    "FORWARDING_NUMBER": "512-555-0177",
    "GREETING": "Austin Comfort, this is the virtual assistant!",
    "SERVICES": "AC repair, Furnace repair:120",
    "SERVICE_AREAS": "Austin, Round Rock",
    "EMERGENCY_PHONE": "+1 512 555 0188",
    "BUSINESS_HOURS": "mon-fri 08:00-17:00; sat 09:00-12:00",
}
LEGACY_VARS = [*LEGACY_ENV, "OWNER_PHONE"]


@pytest.fixture
def runner(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_urls: DatabaseUrls, db: Any
) -> CliRunner:
    """A runner whose commands see the test database; requesting `db` empties the tables afterwards."""
    monkeypatch.chdir(tmp_path)  # no stray .env from the working copy
    monkeypatch.setenv("DATABASE_URL", database_urls.owner)
    monkeypatch.setenv("VOXI_ENV", "test")
    monkeypatch.setenv("VOXI_SECRET_KEY", TEST_SECRET)
    for name in LEGACY_VARS:
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


def rows(urls: DatabaseUrls, query: str, *params: object) -> list[tuple[Any, ...]]:
    with psycopg.connect(libpq_conninfo(urls.owner)) as conn:
        return conn.execute(query, params).fetchall()  # type: ignore[arg-type]


def test_import_legacy_creates_a_configured_tenant(runner, monkeypatch, database_urls):
    for name, value in LEGACY_ENV.items():
        monkeypatch.setenv(name, value)

    result = runner.invoke(app, ["tenants", "import-legacy"])

    assert result.exit_code == 0, result.output
    [(tenant_id, name, timezone, industry, status)] = rows(
        database_urls, "select id, name, timezone, industry, status from tenants"
    )
    assert (name, timezone, industry, status) == (
        "Austin Comfort Heating",
        "America/Chicago",
        "hvac",
        "ACTIVE",
    )
    assert str(tenant_id) in result.output and "+15125550142" in result.output
    assert rows(database_urls, "select e164, tenant_id from number_routes") == [("+15125550142", tenant_id)]
    [config] = rows(
        database_urls,
        "select greeting, owner_name, services, service_areas, business_hours, forwarding_number,"
        " emergency_number from tenant_configs where tenant_id = %s",
        tenant_id,
    )
    greeting, owner_name, services, areas, hours, forwarding, emergency = config
    assert greeting == "Austin Comfort, this is the virtual assistant!"
    assert owner_name == "Dana Reyes"
    assert services == [
        {"name": "AC repair", "duration_minutes": 60},
        {"name": "Furnace repair", "duration_minutes": 120},
    ]
    assert areas == ["Austin", "Round Rock"]
    assert (
        hours["mon"] == hours["fri"] == [["08:00", "17:00"]]
        and hours["sat"] == [["09:00", "12:00"]]
        and hours["sun"] == []
    )
    assert (forwarding, emergency) == ("+15125550177", "+15125550188")
    assert rows(
        database_urls, "select u.email, m.role from users u join tenant_users m on m.user_id = u.id"
    ) == [("dana@austincomfort.example", "owner")]


def test_import_legacy_twice_changes_nothing(runner, monkeypatch, database_urls):
    for name, value in LEGACY_ENV.items():
        monkeypatch.setenv(name, value)
    first = runner.invoke(app, ["tenants", "import-legacy"])
    assert first.exit_code == 0, first.output
    monkeypatch.setenv("GREETING", "A different greeting")

    again = runner.invoke(app, ["tenants", "import-legacy"])

    assert again.exit_code == 0, again.output
    assert "already routed" in again.output
    assert rows(database_urls, "select count(*) from tenants") == [(1,)]
    assert rows(database_urls, "select greeting from tenant_configs") == [(LEGACY_ENV["GREETING"],)]


def test_import_legacy_reads_an_env_file_and_generates_a_password(runner, tmp_path, database_urls):
    env_file = tmp_path / "legacy.env"
    env_file.write_text(
        "BUSINESS_NAME='Round Rock Plumbing'\nTWILIO_NUMBER=+15125550143\n"
        "OWNER_EMAIL=owner@roundrock.example\nBUSINESS_INDUSTRY=plumbing\n"
    )

    result = runner.invoke(app, ["tenants", "import-legacy", "--env-file", str(env_file)])

    assert result.exit_code == 0, result.output
    assert "owner@roundrock.example / " in result.output  # the generated password, shown once
    assert rows(database_urls, "select name, industry from tenants") == [("Round Rock Plumbing", "plumbing")]


def test_import_legacy_names_missing_and_invalid_variables(runner, monkeypatch, database_urls):
    monkeypatch.setenv("BUSINESS_NAME", "Half Configured HVAC")
    monkeypatch.setenv("BUSINESS_HOURS", "someday 9-5")
    monkeypatch.setenv("BUSINESS_TIMEZONE", "Mars/Olympus")

    result = runner.invoke(app, ["tenants", "import-legacy"])

    assert result.exit_code == 2
    for name in (
        "TWILIO_NUMBER is missing",
        "OWNER_EMAIL is missing",
        "BUSINESS_HOURS is invalid",
        "BUSINESS_TIMEZONE is invalid",
    ):
        assert name in result.output
    assert "BUSINESS_NAME" not in result.output
    assert rows(database_urls, "select count(*) from tenants") == [(0,)]


def test_bench_seed_builds_tenants_with_routes(runner, database_urls):
    args = ["bench", "seed", "--tenants", "20", "--calls-per-tenant", "3", "--appointments-per-tenant", "2"]

    result = runner.invoke(app, args)

    assert result.exit_code == 0, result.output
    assert "seeded 20 tenants" in result.output
    assert rows(database_urls, "select count(*) from tenants") == [(20,)]
    assert rows(
        database_urls, "select count(distinct e164), count(distinct tenant_id) from number_routes"
    ) == [(20, 20)]
    assert rows(database_urls, "select count(*) from tenant_configs") == [(20,)]
    assert rows(database_urls, "select count(*) from call_logs where jsonb_array_length(transcript) > 0") == [
        (60,)
    ]
    assert rows(database_urls, "select count(*) from appointments") == [(40,)]
    again = runner.invoke(app, ["bench", "seed", "--tenants", "5"])
    assert again.exit_code == 1 and "--append" in again.output
    more = runner.invoke(app, ["bench", "seed", "--tenants", "5", "--append", "--calls-per-tenant", "0"])
    assert more.exit_code == 0, more.output
    assert rows(database_urls, "select count(*), count(distinct e164) from number_routes") == [(25, 25)]


def test_admin_create_makes_a_platform_admin(runner, database_urls):
    args = ["admin", "create", "--email", "Ops@Voxi.example", "--password", "a-long-admin-password"]

    result = runner.invoke(app, args)

    assert result.exit_code == 0, result.output
    assert rows(database_urls, "select u.email from users u join platform_admins a on a.user_id = u.id") == [
        ("ops@voxi.example",)
    ]


def test_serve_demo_is_refused_outside_development(runner):
    result = runner.invoke(app, ["serve", "--demo"])

    assert result.exit_code == 2
    assert "development" in result.output


async def test_demo_data_is_created_once(db, database_urls):
    await ensure_demo_data(db)
    await ensure_demo_data(db)

    assert rows(
        database_urls, "select t.name, r.e164 from tenants t join number_routes r on r.tenant_id = t.id"
    ) == [(DEMO_BUSINESS, DEMO_NUMBER)]
    assert rows(database_urls, "select u.email from users u join platform_admins a on a.user_id = u.id") == [
        (DEMO_ADMIN_EMAIL,)
    ]
