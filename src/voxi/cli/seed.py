"""`voxi bench seed`: thousands of realistic tenants in seconds, for benchmarks and load tests.

Set-based SQL (`insert … select … from generate_series`) in one transaction on the platform role
(BYPASSRLS): one statement per table instead of one ORM round trip per row. Every owner shares one
argon2 hash, computed once, because hashing per user would dominate the run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import psycopg
import typer
from psycopg.types.json import Jsonb

from voxi.auth.passwords import hash_password
from voxi.cli.runtime import load_settings
from voxi.core.bootstrap import urls_from_settings
from voxi.core.db import DatabaseUrls, libpq_conninfo
from voxi.tenancy.defaults import INDUSTRIES, default_business_hours, default_services

bench_app = typer.Typer(help="Benchmark data.", no_args_is_help=True)

SEED_PASSWORD = "voxi-bench-1234"  # noqa: S105 - benchmark data only, printed by the command
SEED_EMAIL_DOMAIN = "bench.voxi.test"
# NANP area codes 201..989 without N11 service codes; each gets numbers 555-0100, 555-0101, … in turn.
AREA_CODES = [str(code) for code in range(201, 990) if code % 100 != 11]

_TENANTS = """
create temp table seed_tenants on commit drop as
select i, gen_random_uuid() as id, gen_random_uuid() as owner_id, a.area,
       (%(industries)s::text[])[1 + i %% cardinality(%(industries)s::text[])] as industry,
       '+1' || a.area || '555'
         || lpad((100 + (i - 1) / cardinality(%(areas)s::text[]))::text, 4, '0') as number,
       (%(brands)s::text[])[1 + i %% cardinality(%(brands)s::text[])] as brand,
       (%(first_names)s::text[])[1 + i %% 8] || ' ' || (%(last_names)s::text[])[1 + i %% 9] as owner_name
from generate_series(%(first)s::int, %(last)s::int) as i,
     lateral (select (%(areas)s::text[])[1 + (i - 1) %% cardinality(%(areas)s::text[])] as area) as a
"""
_CUSTOMERS = """
create temp table seed_customers on commit drop as
select t.id as tenant_id, j, gen_random_uuid() as id,
       '+1' || t.area || lpad((3000000 + j)::text, 7, '0') as phone,
       (%(first_names)s::text[])[1 + (j + 3) %% 8] || ' '
         || (%(last_names)s::text[])[1 + (j + 5) %% 9] as name,
       (100 + j) || ' Oak Street, Austin, TX' as address
from seed_tenants t cross join generate_series(1, %(customers)s::int) as j
"""

_STATEMENTS: dict[str, str] = {
    "tenants": """
insert into tenants (id, name, industry, status, plan, timezone, trial_ends_at)
select id,
       brand || ' ' || case industry when 'hvac' then 'Heating & Air' when 'plumbing' then 'Plumbing'
                                     when 'electrical' then 'Electric' else 'Home Services' end || ' ' || i,
       industry,
       case when i %% 5 = 0 then 'TRIAL' else 'ACTIVE' end,
       case when i %% 10 < 6 then 'STARTER' when i %% 10 < 9 then 'PROFESSIONAL' else 'ENTERPRISE' end,
       (array['America/New_York','America/Chicago','America/Denver','America/Los_Angeles'])[1 + i %% 4],
       case when i %% 5 = 0 then now() + interval '10 days' end
from seed_tenants
""",
    "users": """
insert into users (id, email, name, password_hash, is_active, last_tenant_id)
select owner_id, 'owner' || i || '@' || %(domain)s, owner_name, %(password_hash)s, true, id
from seed_tenants
""",
    "tenant_users": """
insert into tenant_users (tenant_id, user_id, role) select id, owner_id, 'owner' from seed_tenants
""",
    "tenant_configs": """
insert into tenant_configs (tenant_id, greeting, owner_name, services, service_areas, business_hours,
                            hours_overrides, voice, personality, forwarding_number, emergency_number,
                            recording_enabled)
select t.id, 'Thanks for calling ' || x.name || '! How can I help you today?', t.owner_name,
       %(services)s::jsonb -> t.industry,
       jsonb_build_array('Austin', 'Round Rock',
                         (array['Cedar Park','Pflugerville','Georgetown'])[1 + i %% 3]),
       %(hours)s::jsonb, '{}'::jsonb, 'alloy', '', c.cell, c.cell, true
from seed_tenants t join tenants x on x.id = t.id,
     lateral (select '+1' || t.area || lpad((2000000 + t.i %% 7000000)::text, 7, '0') as cell) as c
""",
    "number_routes": """
insert into number_routes (e164, tenant_id) select number, id from seed_tenants
on conflict (e164) do nothing
""",
    "phone_numbers": """
insert into phone_numbers (tenant_id, id, e164, provider, provider_sid, is_primary)
select t.id, gen_random_uuid(), t.number, 'sandbox', 'PN' || md5(t.number), true
from seed_tenants t join number_routes r on r.e164 = t.number and r.tenant_id = t.id
""",
    "customers": """
insert into customers (tenant_id, id, name, phone, email, address, notes, sms_opt_out, last_call_at)
select tenant_id, id, name, phone, 'customer' || j || '@example.com', address, '', false,
       now() - j * interval '1 day'
from seed_customers
""",
    "call_logs": """
insert into call_logs (tenant_id, id, call_sid, from_number, to_number, customer_id, engine, status,
                       started_at, ended_at, duration_seconds, transcript, summary, outcome, urgency,
                       cost_cents, is_test)
select t.id, gen_random_uuid(), 'CA' || md5(t.id::text || k), coalesce(c.phone, '+15125550199'),
       t.number, c.id, (array['elevenlabs','openai','twilio_speech'])[1 + k %% 3], 'completed',
       s.started_at, s.started_at + s.seconds * interval '1 second', s.seconds,
       jsonb_build_array(
         jsonb_build_object('role', 'agent', 'text', 'Thanks for calling ' || x.name || '! How can I help?'),
         jsonb_build_object('role', 'caller', 'text', (%(issues)s::text[])[s.scenario]),
         jsonb_build_object('role', 'agent', 'text', (%(replies)s::text[])[s.scenario])),
       (%(summaries)s::text[])[s.scenario], (%(outcomes)s::text[])[s.scenario],
       case when s.scenario = 5 then 'emergency' else 'normal' end, 5 + s.seconds / 20, false
from seed_tenants t join tenants x on x.id = t.id
cross join generate_series(1, %(calls)s::int) as k
cross join lateral (
  select 1 + (t.i + k) %% 5 as scenario, 30 + (t.i * 7 + k * 13) %% 400 as seconds,
         now() - k * interval '7 hours' - (t.i %% 60) * interval '1 minute' as started_at) as s
left join seed_customers c on c.tenant_id = t.id and c.j = 1 + (k - 1) %% greatest(%(customers)s::int, 1)
""",
    "appointments": """
insert into appointments (tenant_id, id, customer_id, service, starts_at, ends_at, blocked_until, status,
                          address, notes, source)
select t.id, gen_random_uuid(), c.id, %(services)s::jsonb -> t.industry
         -> ((m - 1) %% jsonb_array_length(%(services)s::jsonb -> t.industry)) ->> 'name',
       s.starts_at, s.starts_at + interval '90 minutes', s.starts_at + interval '90 minutes',
       case when s.starts_at > now() then 'booked' when m %% 7 = 0 then 'canceled' else 'completed' end,
       c.address, '', case when m %% 3 = 0 then 'dashboard' else 'phone' end
from seed_tenants t cross join generate_series(1, %(appointments)s::int) as m
cross join lateral (  -- four 90-minute visits a day, from a few days ago into the coming weeks
  select date_trunc('day', now()) + ((m - 1) / 4 - %(appointments)s::int / 8) * interval '1 day'
         + (14 + 2 * ((m - 1) %% 4)) * interval '1 hour' as starts_at) as s
left join seed_customers c on c.tenant_id = t.id and c.j = 1 + (m - 1) %% greatest(%(customers)s::int, 1)
""",
}
_BRANDS = [
    "Lone Star",
    "Hill Country",
    "Summit",
    "Bluebonnet",
    "Riverside",
    "Precision",
    "Reliable",
    "Eagle",
    "Pioneer",
    "Comfort Zone",
]
_FIRST_NAMES = ["Maria", "James", "Aisha", "Wei", "Carlos", "Emily", "Tom", "Priya"]
_LAST_NAMES = ["Garcia", "Smith", "Johnson", "Nguyen", "Brown", "Patel", "Lee", "Miller", "Davis"]
_SCENARIOS = [
    (
        "My AC stopped blowing cold air this morning.",
        "I can get a technician out tomorrow at 10am. Does that work?",
        "AC not cooling; booked a repair visit.",
        "booked",
    ),
    (
        "How much do you charge for a tune-up?",
        "A tune-up starts at $89. Would you like to schedule one?",
        "Asked about tune-up pricing.",
        "answered",
    ),
    (
        "Can the owner call me back about an estimate?",
        "Of course, I'll pass your message along right away.",
        "Wants a call back about an estimate.",
        "message",
    ),
    (
        "I need to move my appointment to next week.",
        "Done: you're now booked for Tuesday at 2pm.",
        "Rescheduled an existing appointment.",
        "booked",
    ),
    (
        "I smell gas near my furnace!",
        "Please leave the house now and call 911. I'm alerting our on-call tech.",
        "Possible gas leak; escalated to the on-call technician.",
        "emergency",
    ),
]


class AlreadySeeded(RuntimeError):
    pass


@dataclass(frozen=True)
class SeedPlan:
    tenants: int
    calls_per_tenant: int = 20
    appointments_per_tenant: int = 10
    customers_per_tenant: int = 10


@dataclass
class SeedReport:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    first_index: int = 1


def seed_tenants(urls: DatabaseUrls, plan: SeedPlan, *, append: bool = False) -> SeedReport:
    """Insert `plan.tenants` complete tenants; refuse when tenants exist unless `append`."""
    started = time.perf_counter()
    report = SeedReport()
    with psycopg.connect(libpq_conninfo(urls.platform)) as conn:
        if not append and conn.execute("select exists (select 1 from tenants)").fetchone() == (True,):
            raise AlreadySeeded("This database already has tenants; pass --append to add more.")
        report.first_index = 1 + _last_seeded_index(conn)
        params = _parameters(plan, report.first_index)
        conn.execute(_TENANTS, params)
        conn.execute(_CUSTOMERS, params)
        for table, statement in _STATEMENTS.items():
            if _wanted(table, plan):
                report.rows[table] = conn.execute(statement, params).rowcount
    with psycopg.connect(libpq_conninfo(urls.owner), autocommit=True) as conn:
        # Statistics and visibility maps as a live database has them (autovacuum would get there later),
        # so the first queries after seeding get production's plans, index-only counts included.
        conn.execute("vacuum (analyze)")
    report.seconds = time.perf_counter() - started
    return report


def _wanted(table: str, plan: SeedPlan) -> bool:
    counts = {
        "customers": plan.customers_per_tenant,
        "call_logs": plan.calls_per_tenant,
        "appointments": plan.appointments_per_tenant,
    }
    return counts.get(table, 1) > 0


def _last_seeded_index(conn: psycopg.Connection) -> int:
    row = conn.execute(
        "select coalesce(max(substring(email from '^owner(\\d+)@')::int), 0) from users where email like %s",
        (f"owner%@{SEED_EMAIL_DOMAIN}",),
    ).fetchone()
    return int(row[0]) if row else 0


def _parameters(plan: SeedPlan, first: int) -> dict[str, object]:
    issues, replies, summaries, outcomes = (list(column) for column in zip(*_SCENARIOS, strict=True))
    return {
        "first": first,
        "last": first + plan.tenants - 1,
        "industries": list(INDUSTRIES),
        "areas": AREA_CODES,
        "domain": SEED_EMAIL_DOMAIN,
        "password_hash": hash_password(SEED_PASSWORD),
        "services": Jsonb({industry: default_services(industry) for industry in INDUSTRIES}),
        "hours": Jsonb(default_business_hours()),
        "calls": plan.calls_per_tenant,
        "appointments": plan.appointments_per_tenant,
        "customers": plan.customers_per_tenant,
        "brands": _BRANDS,
        "first_names": _FIRST_NAMES,
        "last_names": _LAST_NAMES,
        "issues": issues,
        "replies": replies,
        "summaries": summaries,
        "outcomes": outcomes,
    }


@bench_app.command("seed")
def seed_command(
    tenants: int = typer.Option(..., "--tenants", min=1, help="How many businesses to create."),
    calls_per_tenant: int = typer.Option(20, min=0, help="Call logs (with transcripts) per business."),
    appointments_per_tenant: int = typer.Option(10, min=0, help="Appointments per business."),
    customers_per_tenant: int = typer.Option(10, min=0, help="Customers per business."),
    append: bool = typer.Option(False, "--append", help="Add to a database that already has tenants."),
) -> None:
    """Fill the database with realistic tenants, calls, customers and appointments (fast, set-based)."""
    plan = SeedPlan(tenants, calls_per_tenant, appointments_per_tenant, customers_per_tenant)
    try:
        report = seed_tenants(urls_from_settings(load_settings()), plan, append=append)
    except AlreadySeeded as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    for table, rows in report.rows.items():
        typer.echo(f"{table:>15}: {rows:>10,}")
    rate = plan.tenants / report.seconds if report.seconds else 0
    typer.echo(
        f"seeded {plan.tenants:,} tenants in {report.seconds:.1f} s ({rate:,.0f} tenants/s); "
        f"owners log in as owner{report.first_index}@{SEED_EMAIL_DOMAIN} … / {SEED_PASSWORD}"
    )
