"""`check_availability` (14 days) and `book_appointment` through the tool registry (DESIGN.md §5, row 2).

In-process, as an engine runs a tool: a fresh app-role session per tool call, tenant bound, the
registry's idempotency row, the scheduling queries and the commit. Tenants are drawn at random from
the seeded ones (`voxi bench seed --appointments-per-tenant`, ~100 each for ~1M appointments at 10,000
tenants). Each booking takes a time the same tenant's availability just offered, so it really inserts.

Run alone: `python -m bench.scheduling --tenants 10000 --appointments-per-tenant 100`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
import uuid
from typing import Any

from sqlalchemy import func, select

from bench.resolve_tenant import percentiles
from voxi.agent.tools.base import CallContext
from voxi.agent.tools.registry import run_tool
from voxi.core.db import Database, DatabaseUrls, activate_tenant
from voxi.core.tenant_context import reset_tenant_context, restore_tenant_context
from voxi.scheduling.models import Appointment
from voxi.tenancy.models import TenantConfig

P95_TARGET_MS = 30.0


async def _tool(
    db: Database, tenant_id: uuid.UUID, name: str, arguments: dict[str, Any]
) -> tuple[float, Any]:
    """One tool call as an engine makes it; returns (seconds, result)."""
    token = reset_tenant_context()
    ctx = CallContext(tenant_id, None, f"bench-{uuid.uuid4().hex}", "+15125550147", None)
    try:
        started = time.perf_counter()
        async with db.sessions() as session:
            await activate_tenant(session, tenant_id)
            result = await run_tool(session, ctx, name, arguments, uuid.uuid4().hex)
            await session.commit()
        return time.perf_counter() - started, result
    finally:
        restore_tenant_context(token)


async def measure_scheduling(
    urls: DatabaseUrls, *, iterations: int, warmup: int, seed: int = 7
) -> dict[str, Any]:
    db = Database(urls, pool_size=2)
    try:
        async with db.cross_tenant("bench: scheduling tenants") as session:
            rows = await session.execute(select(TenantConfig.tenant_id, TenantConfig.services))
            services = {tenant_id: [s["name"] for s in offered] for tenant_id, offered in rows}
            tenant_ids = list(services)
            appointments = await session.scalar(select(func.count()).select_from(Appointment)) or 0
        rng = random.Random(seed)
        availability, booking = [], []
        booked = failures = 0
        last_refusal = ""
        for index in range(warmup + iterations):
            tenant_id = rng.choice(tenant_ids)
            service = rng.choice(services[tenant_id])
            seconds, offered = await _tool(
                db, tenant_id, "check_availability", {"service": service, "days": 14}
            )
            slots = offered.data.get("slots") or []
            if not slots:
                failures += 1
                last_refusal = offered.say
                continue
            arguments = {
                "service": service,
                "start": rng.choice(slots)["start"],
                "customer_name": "Bench Caller",
                "address": "1 Bench Street",
            }
            book_seconds, result = await _tool(db, tenant_id, "book_appointment", arguments)
            if index >= warmup:
                availability.append(seconds)
                booking.append(book_seconds)
                booked += result.ok
        if not booking:
            raise SystemExit(f"no tenant offered a slot: {last_refusal}")
        return {
            "tenants": len(tenant_ids),
            "appointments_before": appointments,
            "iterations": len(booking),
            "booked": booked,
            "no_slots": failures,
            "last_refusal": last_refusal,
            "check_availability": percentiles(availability),
            "book_appointment": percentiles(booking),
        }
    finally:
        await db.dispose()


def verdicts(results: dict[str, Any]) -> dict[str, bool]:
    return {
        "check_availability_p95": results["check_availability"]["p95_ms"] <= P95_TARGET_MS,
        "book_appointment_p95": results["book_appointment"]["p95_ms"] <= P95_TARGET_MS,
    }


def rows(results: dict[str, Any]) -> list[str]:
    """Markdown rows for `bench/run.py`'s table (same columns)."""
    verdict = verdicts(results)
    scale = f"{results['tenants']:,} tenants / {results['appointments_before']:,} appointments"
    lines = []
    for name, note in (("check_availability", "14 days"), ("book_appointment", "a just-offered time")):
        r = results[name]
        ok = "PASS" if verdict[f"{name}_p95"] else "MISS"
        what = (
            f"(d) `{name}` ({note}) via the tool registry, in-process, {scale}, n={results['iterations']:,}"
        )
        timings = f"{r['p50_ms']:.2f} / {r['p95_ms']:.2f} / {r['p99_ms']:.2f}"
        lines.append(f"| {what} | {timings} | – | – | p95 ≤ {P95_TARGET_MS:g} ms | {ok} |")
    return lines


def main() -> None:
    from bench.run import create_bench_database
    from voxi.cli.seed import SeedPlan, seed_tenants
    from voxi.core.logging import configure_logging
    from voxi.core.migrate import drop_database

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenants", type=int, default=10_000)
    parser.add_argument("--appointments-per-tenant", type=int, default=100)
    parser.add_argument("--iterations", type=int, default=2_000)
    args = parser.parse_args()
    configure_logging("WARNING")
    urls, _ = create_bench_database()
    try:
        plan = SeedPlan(
            args.tenants, calls_per_tenant=0, appointments_per_tenant=args.appointments_per_tenant
        )
        seeded = seed_tenants(urls, plan)
        print(f"seeded in {seeded.seconds:.1f} s: {seeded.rows}", flush=True)
        results = asyncio.run(
            measure_scheduling(urls, iterations=args.iterations, warmup=args.iterations // 10)
        )
    finally:
        drop_database(urls.owner)
    print(
        "\n".join(
            [
                "| measurement | p50 / p95 / p99 (ms) | req/s | server | target | result |",
                "|---|---|---|---|---|---|",
                *rows(results),
            ]
        )
    )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
