"""Signup latency (DESIGN.md §5: p95 ≤ 1 s backend) on a real server with the sandbox providers.

`POST /api/signup` end to end — tenant, owner (argon2), sandbox customer + trialing subscription, number
search + purchase + route, welcome email into the sandbox outbox, activation — sequentially, then a few
at a time. Client latencies are on 127.0.0.1; the server's own histogram bounds its share.
Standalone: `python -m bench.signup` (fresh database); `make bench` runs it after the call benchmarks.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
from tests.live_server import live_server

from bench.resolve_tenant import percentiles, server_histogram, server_time
from voxi.core.db import DatabaseUrls
from voxi.telephony.area_codes import AREA_CODES

P95_TARGET_MS = 1000.0
ROUTE = "/api/signup"


def signup_body(n: int) -> dict[str, str]:
    codes = sorted(AREA_CODES)
    return {
        "businessName": f"Bench Plumbing {n}",
        "ownerName": "Bench Owner",
        "email": f"bench-signup-{n}-{uuid.uuid4().hex[:6]}@bench.example.com",
        "password": "bench-signup-password",
        "phone": "+15125550199",
        "industry": "plumbing",
        "plan": "STARTER",
        "paymentMethodId": "pm_card_visa",
        "areaCode": codes[n % len(codes)],  # spread: each sandbox area code has 100 numbers
    }


async def _signups(client: httpx.AsyncClient, first: int, count: int, concurrency: int) -> dict[str, Any]:
    latencies: list[float] = []
    failures: list[str] = []
    numbers = iter(range(first, first + count))

    async def worker() -> None:
        for n in numbers:
            started = time.perf_counter()
            response = await client.post(
                ROUTE, json=signup_body(n), headers={"Idempotency-Key": f"bench-{n}"}
            )
            latencies.append(time.perf_counter() - started)
            if response.status_code != 201:
                failures.append(f"{response.status_code} {response.text[:200]}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {
        "signups": count,
        "concurrency": concurrency,
        "failures": len(failures),
        "first_failures": failures[:3],
        "signups_per_s": count / elapsed,
        **percentiles(latencies),
    }


async def _measure(url: str, sequential: int, concurrent: int, concurrency: int) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        await _signups(client, 0, 3, 1)  # warm-up: pools, caches, first argon2 hash
        results: dict[str, Any] = {}
        offset = 3
        for name, count, clients in (
            ("sequential", sequential, 1),
            ("concurrent", concurrent, concurrency),
        ):
            before = await asyncio.to_thread(server_histogram, url, ROUTE)
            measured = await _signups(client, offset, count, clients)
            after = await asyncio.to_thread(server_histogram, url, ROUTE)
            results[name] = {**measured, **server_time(before, after)}
            offset += count
        return results


def measure_signup(
    urls: DatabaseUrls, secret_key: str, *, sequential: int = 50, concurrent: int = 20, concurrency: int = 4
) -> dict[str, Any]:
    """Signups against a uvicorn server on `urls` (sandbox billing and telephony, no rate limit)."""
    env = {"DATABASE_URL": urls.owner, "VOXI_SECRET_KEY": secret_key, "SIGNUP_RATE_LIMIT": "100000/hour"}
    with live_server(env) as url:
        return asyncio.run(_measure(url, sequential, concurrent, concurrency))


def signup_rows(results: dict[str, Any]) -> list[str]:
    """Rows for `bench.run`'s markdown table (same columns)."""
    rows = []
    for name, r in results.items():
        server = f"p95 ≤ {r['server_p95_le_ms']:g} ms" if "server_p95_le_ms" in r else "n/a"
        verdict = "PASS" if r["p95_ms"] <= P95_TARGET_MS and not r["failures"] else "MISS"
        rows.append(
            f"| `POST /api/signup`, sandbox providers, {name} (n={r['signups']}, c={r['concurrency']}, "
            f"{r['failures']} failed) | {r['p50_ms']:.0f} / {r['p95_ms']:.0f} / {r['p99_ms']:.0f} "
            f"| {r['signups_per_s']:.1f} | {server} | p95 ≤ {P95_TARGET_MS:g} ms | {verdict} |"
        )
    return rows


def signup_verdict(results: dict[str, Any]) -> bool:
    return all(r["p95_ms"] <= P95_TARGET_MS and not r["failures"] for r in results.values())


def main() -> None:
    from bench.run import BENCH_SECRET, create_bench_database
    from voxi.core.logging import configure_logging
    from voxi.core.migrate import drop_database

    configure_logging("WARNING")
    urls, _ = create_bench_database()
    try:
        results = measure_signup(urls, BENCH_SECRET)
    finally:
        drop_database(urls.owner)
    print("| measurement | p50 / p95 / p99 (ms) | req/s | server time (app histogram) | target | result |")
    print("|---|---|---|---|---|---|")
    print("\n".join(signup_rows(results)))
    for r in results.values():
        for failure in r["first_failures"]:
            print(f"failure: {failure}")


if __name__ == "__main__":
    main()
