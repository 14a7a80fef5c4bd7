"""Calls list and transcript search (DESIGN.md §5: p95 ≤ 100 ms for a tenant with 100k calls, 1M transcripts).

`make bench` seeds one more business with BIG_TENANT_CALLS calls beside the 10,000 ordinary ones, then
times the tenant API's calls list through the real server one request at a time (wrk, one
connection): the first page, a filter, full-text searches (a common phrase, a word on a deep page, a
word no call has), for the big business and for an ordinary one. Every answer counts its matches
(`total`), so each request also counts over the business's calls.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import func, select

from bench.resolve_tenant import Server, api_keys_for, measure_phases
from bench.wrk import Request
from voxi.calls.models import CallLog
from voxi.cli.seed import SeedPlan, seed_tenants
from voxi.core.db import Database, DatabaseUrls

BIG_TENANT_CALLS = 100_000
P95_TARGET_MS = 100.0
QUERIES = {
    "first page": "/api/v1/calls",
    "filter outcome=emergency": "/api/v1/calls?outcome=emergency",
    'search "gas leak" (1 call in 5)': "/api/v1/calls?q=gas+leak",
    'search "estimate", page 40': "/api/v1/calls?q=estimate&page=40",
    'search "chimney" (no call)': "/api/v1/calls?q=chimney",
}


def seed_big_tenant(urls: DatabaseUrls) -> float:
    """One more business with BIG_TENANT_CALLS calls; the seconds it took."""
    return seed_tenants(urls, SeedPlan(1, BIG_TENANT_CALLS, 0, customers_per_tenant=5), append=True).seconds


async def _businesses(urls: DatabaseUrls) -> tuple[uuid.UUID, uuid.UUID, int]:
    """The business with the most calls, an ordinary one, and how many calls there are in all."""
    db = Database(urls, pool_size=1)
    try:
        async with db.cross_tenant("bench: call counts") as session:
            per_tenant = (
                select(CallLog.tenant_id, func.count().label("calls"))
                .group_by(CallLog.tenant_id)
                .order_by(func.count().desc())
            )
            rows = (await session.execute(per_tenant)).all()
        return rows[0].tenant_id, rows[len(rows) // 2].tenant_id, sum(row.calls for row in rows)
    finally:
        await db.dispose()


def measure_call_lists(server: Server, urls: DatabaseUrls, *, duration: float) -> dict[str, Any]:
    big, ordinary, transcripts = asyncio.run(_businesses(urls))
    keys = asyncio.run(api_keys_for(urls, [big, ordinary]))
    phases = [
        (f"{who}: {name}", [Request("GET", path, headers={"X-API-Key": key})], 1, '"total"')
        for who, key in zip(("big", "ordinary"), keys, strict=True)
        for name, path in QUERIES.items()
    ]
    return {
        "transcripts": transcripts,
        "queries": measure_phases(server, phases, duration=duration, warmup=1),
    }


def verdict(results: dict[str, Any]) -> bool:
    return all(
        r["p95_ms"] <= P95_TARGET_MS and not r["failures"] and r["requests"]
        for r in results["queries"].values()
    )


def rows(results: dict[str, Any]) -> list[str]:
    """Rows for `bench.run`'s markdown table (same columns)."""
    out = []
    for name, r in results["queries"].items():
        who, query = name.split(": ", 1)
        calls = f"{BIG_TENANT_CALLS:,} calls" if who == "big" else "an ordinary business"
        ok = r["p95_ms"] <= P95_TARGET_MS and not r["failures"]
        out.append(
            f"| (e) `GET {r['path']}` — {query}; {calls}, {results['transcripts']:,} transcripts in all, c=1 "
            f"| {r['p50_ms']:.2f} / {r['p95_ms']:.2f} / {r['p99_ms']:.2f} | {r['requests_per_s']:,.0f} | – "
            f"| p95 ≤ {P95_TARGET_MS:g} ms | {'PASS' if ok else 'MISS'} |"
        )
    return out
