"""The tenant work of an incoming call, measured in-process and over HTTP.

(a) resolve the called number, bind the tenant, load `Tenant` + `TenantConfig` in one app-role
transaction, in-process; (b) a real uvicorn server answering a bare endpoint (`/healthz`) and a
tenant-resolving one (`GET /api/v1/business` with an `X-API-Key`) under the same `wrk` load. The
webhook itself (DESIGN.md §5, row 1) is `bench.incoming_call`, on the same helpers.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select
from tests.live_server import live_server

from bench.wrk import Request, run_wrk
from voxi.auth.service import create_api_key
from voxi.core.db import Database, DatabaseUrls, activate_tenant
from voxi.core.tenant_context import reset_tenant_context, restore_tenant_context
from voxi.telephony.models import NumberRoute
from voxi.telephony.service import resolve_tenant_by_number
from voxi.tenancy.models import Tenant, TenantConfig

UNKNOWN_SHARE = 0.1  # calls to numbers that are not (or no longer) Voxi's

Round = TypeVar("Round")


def percentiles(seconds: list[float]) -> dict[str, float]:
    """p50/p95/p99/mean in milliseconds."""
    ordered = sorted(seconds)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {
        "p50_ms": at(0.50),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "mean_ms": statistics.fmean(ordered) * 1000,
    }


def median_round(rounds: list[Round], key: Callable[[Round], float]) -> tuple[Round, list[float]]:
    """The round whose `key` is the median (the upper one of an even count), and every round's `key`,
    ascending: on this shared machine one round can land in a slow spell, so the median decides."""
    ordered = sorted(rounds, key=key)
    return ordered[len(ordered) // 2], [key(measured) for measured in ordered]


# --- (a) in-process ---------------------------------------------------------------------------------


async def incoming_call_tenant_work(db: Database, called: str) -> bool:
    """What the voice webhook does before it can answer: number → tenant → its configuration."""
    token = reset_tenant_context()
    try:
        async with db.sessions() as session, session.begin():
            resolution = await resolve_tenant_by_number(session, called)
            if resolution.tenant_id is None:
                return False
            await activate_tenant(session, resolution.tenant_id)
            tenant = await session.get(Tenant, resolution.tenant_id)
            config = await session.get(TenantConfig, resolution.tenant_id)
            assert tenant is not None and config is not None
            return True
    finally:
        restore_tenant_context(token)


async def measure_in_process(urls: DatabaseUrls, *, iterations: int, warmup: int) -> dict[str, object]:
    db = Database(urls, pool_size=4)
    try:
        async with db.cross_tenant("bench: list seeded numbers") as session:
            numbers = list(await session.scalars(select(NumberRoute.e164)))
        rng = random.Random(5)
        calls = [
            f"(303) 555-{rng.randint(5000, 9999)}" if rng.random() < UNKNOWN_SHARE else rng.choice(numbers)
            for _ in range(warmup + iterations)
        ]
        timings, found = [], 0
        for index, called in enumerate(calls):
            started = time.perf_counter()
            hit = await incoming_call_tenant_work(db, called)
            if index >= warmup:
                timings.append(time.perf_counter() - started)
                found += hit
        return {
            "iterations": iterations,
            "known_numbers": found,
            "unknown_numbers": iterations - found,
            **percentiles(timings),
        }
    finally:
        await db.dispose()


# --- (b) HTTP on a real server ----------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    base_url: str


@contextmanager
def uvicorn_server(owner_url: str, secret_key: str) -> Iterator[Server]:
    """`voxi.app:create_app` in a uvicorn subprocess on 127.0.0.1, stopped afterwards."""
    with live_server({"DATABASE_URL": owner_url, "VOXI_SECRET_KEY": secret_key}) as url:
        yield Server(url)


async def create_api_keys(urls: DatabaseUrls, count: int) -> list[str]:
    """One API key for each of `count` tenants (the tenant API's keys name their tenant)."""
    db = Database(urls, pool_size=1)
    try:
        async with db.cross_tenant("bench: pick tenants") as session:
            tenant_ids = list(await session.scalars(select(Tenant.id).order_by(Tenant.id).limit(count)))
    finally:
        await db.dispose()
    return await api_keys_for(urls, tenant_ids)


async def api_keys_for(urls: DatabaseUrls, tenant_ids: list[uuid.UUID]) -> list[str]:
    """A new API key for each tenant, in order."""
    db = Database(urls, pool_size=1)
    try:
        async with db.cross_tenant("bench: api keys") as session:
            keys = [(await create_api_key(session, tenant_id, "bench"))[1] for tenant_id in tenant_ids]
            await session.commit()
        return keys
    finally:
        await db.dispose()


def server_histogram(base_url: str, route: str) -> dict[float, float]:
    """Cumulative request counts per latency bucket (seconds) the server itself measured for `route`."""
    text = httpx.get(f"{base_url}/metrics").text
    buckets: dict[float, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.endswith("_bucket") and sample.labels.get("route") == route:
                buckets[float(sample.labels["le"])] = sample.value
    return buckets


def server_time(before: dict[float, float], after: dict[float, float]) -> dict[str, object]:
    """Server-side latency from the app's own histogram: the bucket bounds p50/p95/p99 fall under."""
    counts = {le: after.get(le, 0) - before.get(le, 0) for le in sorted(after)}
    total = counts.get(float("inf"), 0)
    if not total:
        return {}

    def bound(q: float) -> float:
        return next(le for le, count in counts.items() if count >= q * total) * 1000

    return {
        "server_p50_le_ms": bound(0.50),
        "server_p95_le_ms": bound(0.95),
        "server_p99_le_ms": bound(0.99),
        "server_share_within_25ms": counts.get(0.025, 0) / total,
    }


def measure_phases(
    server: Server, phases: list[tuple[str, list[Request], int, str]], *, duration: float, warmup: float
) -> dict[str, dict[str, object]]:
    """Each phase (name, requests, connections, marker): a wrk warm-up, then a measured wrk run.

    The server's own histogram is read before and after, so its share of the latency shows.
    """
    results: dict[str, dict[str, object]] = {}
    for name, requests, connections, marker in phases:
        path = requests[0].path
        route = path.split("?", 1)[0]  # the histogram is per route, whatever the query
        # The warm-up replays the list from its end, so the measured run (from its start) sends requests
        # the server has not seen: new calls, not idempotent replays of warm-up calls.
        run_wrk(server.base_url, requests[::-1], connections=connections, duration=warmup, marker=marker)
        before = server_histogram(server.base_url, route)
        measured = run_wrk(
            server.base_url, requests, connections=connections, duration=duration, marker=marker
        )
        after = server_histogram(server.base_url, route)
        results[name] = {"path": path, "concurrency": connections, **measured, **server_time(before, after)}
    return results


def measure_http(
    server: Server, keys: list[str], *, concurrency: int, duration: float, warmup: float
) -> dict[str, dict[str, object]]:
    """Bare vs tenant-resolving endpoint at saturation (throughput), then the latter at light load (latency).

    Under a saturating closed loop every request waits for the ones ahead of it (latency ≈ concurrency /
    throughput), so the latency target is read from one client at a time.
    """
    business = [Request("GET", "/api/v1/business", headers={"X-API-Key": key}) for key in keys]
    phases = [
        ("bare", [Request("GET", "/healthz")], concurrency, ""),
        ("business", business, concurrency, ""),
        ("business_light", business, 1, ""),
    ]
    return measure_phases(server, phases, duration=duration, warmup=warmup)
