"""`voxi tenants import-legacy`: turn a single-tenant install's env configuration into a tenant."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import typer
from dotenv import dotenv_values
from pydantic import BaseModel, ValidationError

from voxi.cli.runtime import load_settings, with_database
from voxi.core.db import Database
from voxi.core.errors import Conflict
from voxi.core.tenant_context import tenant_context
from voxi.telephony.service import resolve_tenant_by_number
from voxi.tenancy.defaults import WEEKDAYS
from voxi.tenancy.models import TenantStatus
from voxi.tenancy.schemas import BusinessPatch, NewTenant
from voxi.tenancy.service import create_tenant, update_business

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

tenants_app = typer.Typer(help="Businesses (tenants).", no_args_is_help=True)

REQUIRED = ("BUSINESS_NAME", "TWILIO_NUMBER", "OWNER_EMAIL")
# Which legacy variable each validated field came from, so errors name what the operator must fix.
NEW_TENANT_VARS = {
    "name": "BUSINESS_NAME",
    "industry": "BUSINESS_INDUSTRY",
    "timezone": "BUSINESS_TIMEZONE",
    "phone_number": "TWILIO_NUMBER",
    "forwarding_number": "FORWARDING_NUMBER",
    "owner_name": "OWNER_NAME",
    "owner_email": "OWNER_EMAIL",
    "owner_password": "OWNER_PASSWORD",
}
PATCH_VARS = {
    "greeting": "GREETING",
    "services": "SERVICES",
    "service_areas": "SERVICE_AREAS",
    "business_hours": "BUSINESS_HOURS",
    "emergency_number": "EMERGENCY_PHONE",
}
_DAY_SPEC = re.compile(r"^(?P<days>[a-z,\-\s]+?)\s+(?P<times>closed|[\d:,\-\s]+)$")


class LegacyConfigError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class LegacyImport:
    tenant: NewTenant
    patch: BusinessPatch
    generated_password: bool


def parse_business_hours(spec: str) -> dict[str, list[list[str]]]:
    """Read `mon-fri 08:00-17:00; sat 09:00-12:00` as weekly opening hours; days not named are closed."""
    hours: dict[str, list[list[str]]] = {day: [] for day in WEEKDAYS}
    for part in filter(None, (p.strip().lower() for p in spec.split(";"))):
        match = _DAY_SPEC.match(part)
        if match is None:
            raise ValueError(f"cannot read {part!r}; write e.g. 'mon-fri 08:00-17:00; sat 09:00-12:00'")
        intervals = [] if match["times"] == "closed" else [_interval(t) for t in match["times"].split(",")]
        for day in _days(match["days"]):
            hours[day] = intervals
    return hours


def _days(spec: str) -> list[str]:
    days: list[str] = []
    for item in spec.split(","):
        first, _, last = (d.strip()[:3] for d in item.partition("-"))
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ValueError(f"unknown day in {spec!r}; use {', '.join(WEEKDAYS)}")
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        days.extend(WEEKDAYS[start : end + 1])
    return days


def _interval(spec: str) -> list[str]:
    opens, _, closes = spec.strip().partition("-")
    return [_hhmm(opens), _hhmm(closes)]


def _hhmm(value: str) -> str:
    hour, _, minute = value.strip().partition(":")
    return f"{hour.zfill(2)}:{minute or '00'}"


def _services(spec: str) -> list[dict[str, object]]:
    """Read `AC repair, Furnace repair:120`: 60-minute services unless `name:minutes` says otherwise."""
    services: list[dict[str, object]] = []
    for item in _list(spec):
        name, sep, minutes = item.rpartition(":")
        if not sep:
            name, minutes = item, "60"
        if not (name.strip() and minutes.strip().isdigit()):
            raise ValueError(f"cannot read {item!r}; write 'name' or 'name:minutes', comma-separated")
        services.append({"name": name.strip(), "duration_minutes": int(minutes)})
    return services


def _list(spec: str) -> list[str]:
    return [item.strip() for item in spec.split(",") if item.strip()]


def read_legacy_config(env: Mapping[str, str | None]) -> LegacyImport:
    """Validate the legacy variables; raise `LegacyConfigError` naming every missing or invalid one."""

    def value(name: str) -> str:
        return (env.get(name) or "").strip()

    missing = [name for name in REQUIRED if not value(name)]
    problems = [f"{name} is missing" for name in missing]
    password = value("OWNER_PASSWORD") or secrets.token_urlsafe(12)
    tenant = _validated(
        NewTenant,
        NEW_TENANT_VARS,
        problems,
        missing,
        {
            "name": value("BUSINESS_NAME"),
            "phone_number": value("TWILIO_NUMBER"),
            "owner_name": value("OWNER_NAME") or "Owner",
            "owner_email": value("OWNER_EMAIL"),
            "owner_password": password,
            "industry": value("BUSINESS_INDUSTRY").lower() or "hvac",
            "status": TenantStatus.ACTIVE,
            "timezone": value("BUSINESS_TIMEZONE") or "America/New_York",
            "forwarding_number": value("FORWARDING_NUMBER") or value("OWNER_PHONE") or None,
        },
    )
    patch_fields = {
        "greeting": value("GREETING"),
        "emergency_number": value("EMERGENCY_PHONE"),
        "service_areas": _list(value("SERVICE_AREAS")) or None,
        "business_hours": _parsed("BUSINESS_HOURS", value("BUSINESS_HOURS"), parse_business_hours, problems),
        "services": _parsed("SERVICES", value("SERVICES"), _services, problems),
    }
    patch = _validated(
        BusinessPatch, PATCH_VARS, problems, missing, {k: v for k, v in patch_fields.items() if v}
    )
    if problems or tenant is None or patch is None:
        raise LegacyConfigError(problems)
    return LegacyImport(tenant, patch, generated_password=not value("OWNER_PASSWORD"))


def _parsed(name: str, raw: str, parse: Callable[[str], T], problems: list[str]) -> T | None:
    if not raw:
        return None
    try:
        return parse(raw)
    except ValueError as exc:
        problems.append(f"{name} is invalid: {exc}")
        return None


def _validated(
    model: type[M], names: dict[str, str], problems: list[str], missing: list[str], fields: dict[str, object]
) -> M | None:
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        for error in exc.errors():
            name = names.get(str(error["loc"][0]), str(error["loc"][0])) if error["loc"] else "?"
            if name not in missing:  # already reported as missing
                problems.append(f"{name} is invalid: {error['msg'].removeprefix('Value error, ')}")
        return None


async def import_legacy(db: Database, legacy: LegacyImport) -> tuple[str, bool]:
    """Create the tenant and apply its configuration in one transaction; (tenant id, created?)."""
    async with db.cross_tenant("cli: import-legacy", actor="cli") as session:
        existing = await resolve_tenant_by_number(session, legacy.tenant.phone_number or "")
        if existing.found:
            return str(existing.tenant_id), False
        tenant = await create_tenant(session, legacy.tenant)
        with tenant_context(tenant.id):
            await update_business(session, tenant, legacy.patch, actor="cli: import-legacy")
        await session.commit()
        return str(tenant.id), True


@tenants_app.command("import-legacy")
def import_legacy_command(
    env_file: Path | None = typer.Option(
        None,
        "--env-file",
        exists=True,
        dir_okay=False,
        help="A legacy .env file (its values win over the environment).",
    ),
) -> None:
    """Create a tenant from a single-tenant install's env configuration (idempotent per number)."""
    env: dict[str, str | None] = {**os.environ, **(dotenv_values(env_file) if env_file else {})}
    try:
        legacy = read_legacy_config(env)
    except LegacyConfigError as exc:
        typer.echo("Cannot import the legacy configuration:\n  - " + "\n  - ".join(exc.problems), err=True)
        raise typer.Exit(2) from exc
    settings = load_settings()
    number = legacy.tenant.phone_number
    try:
        tenant_id, created = with_database(settings, lambda db: import_legacy(db, legacy))
    except Conflict as exc:
        typer.echo(f"Cannot import: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    if not created:
        typer.echo(f"{number} is already routed to tenant {tenant_id}; nothing changed.")
        return
    typer.echo(f"Imported {legacy.tenant.name!r}: tenant {tenant_id}, number {number}")
    if legacy.generated_password:
        typer.echo(f"Owner login: {legacy.tenant.owner_email} / {legacy.tenant.owner_password} (shown once)")
