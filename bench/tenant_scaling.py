"""Cost vs tenant count (DESIGN.md §5): tenant-scoped work as the platform grows from 1k to 100k tenants.

Each step has a database of its own, seeded with that many tenants of the same size (calls,
appointments, customers), so only the number of tenants changes. The same tenant-scoped operations run
in-process against tenants drawn at random:

- answering: number → tenant (RLS bound) → its business and configuration (no process cache), as
  `make bench`'s row (a) measures it, a tenth of the calls to numbers that are not Voxi's;
- the calls list: one page of a tenant's calls with the total count, as `GET /api/v1/calls` reads it;
- `check_availability` (14 days) and `book_appointment` through the tool registry.

The steps are measured in turn, round after round (ROUNDS), and each operation's p95 at a step is the
median of its rounds: on this shared 2-core machine p95 moved by ~20% between runs minutes apart, so
steps measured one after the other compared the machine's moments as much as the tenant counts.

The target: each operation's p95 at every step within 20% of its p95 at the first step. Indexes lead
with `tenant_id`, so a tenant's work should not grow with the number of other tenants.

Run alone: `python -m bench.tenant_scaling` (1k → 10k → 100k; ~8 minutes, a third of it seeding).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
import uuid
from typing import Any

import psycopg
from sqlalchemy import select

from bench.resolve_tenant import measure_in_process, median_round, percentiles
from bench.scheduling import measure_scheduling
from voxi.calls.repository import list_calls
from voxi.calls.schemas import CallQuery
from voxi.cli.seed import SeedPlan, seed_tenants
from voxi.core.db import Database, DatabaseUrls, activate_tenant, libpq_conninfo
from voxi.core.logging import configure_logging
from voxi.core.migrate import drop_database
from voxi.core.tenant_context import reset_tenant_context, restore_tenant_context
from voxi.telephony.models import NumberRoute

STEPS = (1_000, 10_000, 100_000)
ROUNDS = 5
FLAT_WITHIN = 0.20
STATS_FLUSH_SECONDS = 1.5  # PostgreSQL publishes a backend's block counters within a second of idling
CALLS_PER_TENANT = 10
APPOINTMENTS_PER_TENANT = 10
CUSTOMERS_PER_TENANT = 5


async def _calls_pages(
    db: Database, tenant_ids: list[uuid.UUID], iterations: int, warmup: int
) -> list[float]:
    """A page of calls (with the total) for random tenants, as the tenant API lists them."""
    rng, timings = random.Random(11), []
    for index in range(warmup + iterations):
        token = reset_tenant_context()
        started = time.perf_counter()
        try:
            async with db.sessions() as session, session.begin():
                await activate_tenant(session, rng.choice(tenant_ids))
                await list_calls(session, CallQuery())
        finally:
            restore_tenant_context(token)
        if index >= warmup:
            timings.append(time.perf_counter() - started)
    return timings


def _buffer_reads(urls: DatabaseUrls) -> tuple[int, int]:
    """(blocks found in PostgreSQL's shared buffers, blocks it had to read) for the bench database."""
    with psycopg.connect(libpq_conninfo(urls.owner)) as conn:
        row = conn.execute(
            "select blks_hit, blks_read from pg_stat_database where datname = current_database()"
        ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


async def measure_step(urls: DatabaseUrls, *, iterations: int, warmup: int) -> dict[str, Any]:
    hit_before, read_before = _buffer_reads(urls)
    answering = await measure_in_process(urls, iterations=iterations, warmup=warmup)
    db = Database(urls, pool_size=2)
    try:
        async with db.cross_tenant("bench: tenants") as session:
            tenant_ids = list(await session.scalars(select(NumberRoute.tenant_id)))
        calls = await _calls_pages(db, tenant_ids, iterations, warmup)
    finally:
        await db.dispose()
    scheduling = await measure_scheduling(urls, iterations=iterations, warmup=warmup)
    await asyncio.sleep(STATS_FLUSH_SECONDS)
    hit_after, read_after = _buffer_reads(urls)
    hits, reads = hit_after - hit_before, read_after - read_before
    return {
        "tenants": len(tenant_ids),
        # Where the step's data came from: a block not in shared buffers is read from the OS.
        "shared_buffer_hit_ratio": hits / max(1, hits + reads),
        "answering": answering,
        "calls_list": percentiles(calls),
        "check_availability": scheduling["check_availability"],
        "book_appointment": scheduling["book_appointment"],
    }


OPERATIONS = ("answering", "calls_list", "check_availability", "book_appointment")


def verdicts(steps: list[dict[str, Any]]) -> dict[str, float]:
    """Each operation's worst p95 over the steps, relative to the first step's (1.0 = flat)."""
    first = steps[0]
    return {name: max(step[name]["p95_ms"] for step in steps) / first[name]["p95_ms"] for name in OPERATIONS}


def rows(steps: list[dict[str, Any]]) -> list[str]:
    """Markdown: one row per operation, the p95 at each step and the worst ratio to the first."""
    growth = verdicts(steps)
    header = " → ".join(f"{step['tenants']:,}" for step in steps)
    hits = " → ".join(f"{step['shared_buffer_hit_ratio']:.1%}" for step in steps)
    lines = [
        f"| operation | p95 at {header} tenants (ms) | worst / first | target | result |",
        "|---|---|---|---|---|",
        f"| (PostgreSQL shared-buffer hits) | {hits} | – | – | – |",
    ]
    for name in OPERATIONS:
        p95s = " → ".join(f"{step[name]['p95_ms']:.2f}" for step in steps)
        ok = "PASS" if growth[name] <= 1 + FLAT_WITHIN else "MISS"
        lines.append(f"| {name} | {p95s} | {growth[name]:.2f} | ≤ {1 + FLAT_WITHIN:.2f} | {ok} |")
    return lines


def measure_scaling(steps: list[int], *, iterations: int, rounds: int = ROUNDS) -> list[dict[str, Any]]:
    """One database per step, measured in `rounds` interleaved rounds of `iterations`; dropped afterwards."""
    from bench.run import create_bench_database

    databases: list[DatabaseUrls] = []
    try:
        for target in steps:
            urls, _ = create_bench_database()
            databases.append(urls)
            plan = SeedPlan(target, CALLS_PER_TENANT, APPOINTMENTS_PER_TENANT, CUSTOMERS_PER_TENANT)
            report = seed_tenants(urls, plan)
            print(f"tenant scaling: {target:,} tenants seeded in {report.seconds:.0f} s", flush=True)
        _checkpoint(databases[-1])  # cluster-wide: the seeding's dirty pages written now, not in a round
        measured: list[list[dict[str, Any]]] = [[] for _ in steps]
        for round_ in range(rounds):
            for urls, results in zip(databases, measured, strict=True):
                step = measure_step(urls, iterations=iterations, warmup=iterations // 10)
                results.append(asyncio.run(step))
            print(f"tenant scaling: round {round_ + 1} of {rounds} measured", flush=True)
        return [_median_round(results) for results in measured]
    finally:
        for urls in databases:
            drop_database(urls.owner)


def _checkpoint(urls: DatabaseUrls) -> None:
    with psycopg.connect(libpq_conninfo(urls.owner), autocommit=True) as conn:
        conn.execute("checkpoint")


def _median_round(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One step's rounds as one: each operation's percentiles from its median round (by p95)."""
    step: dict[str, Any] = {
        "tenants": rounds[0]["tenants"],
        "shared_buffer_hit_ratio": statistics.fmean(r["shared_buffer_hit_ratio"] for r in rounds),
    }
    for name in OPERATIONS:
        median, p95s = median_round([r[name] for r in rounds], lambda measured: measured["p95_ms"])
        step[name] = {**median, "p95_rounds_ms": [round(p95, 2) for p95 in p95s]}
    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=lambda text: [int(n) for n in text.split(",")], default=list(STEPS))
    parser.add_argument("--iterations", type=int, default=200, help="per step and round")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    configure_logging("WARNING")
    steps = measure_scaling(args.steps, iterations=args.iterations, rounds=args.rounds)
    print(json.dumps(steps, indent=2))
    print("\n".join(rows(steps)))


if __name__ == "__main__":
    main()
