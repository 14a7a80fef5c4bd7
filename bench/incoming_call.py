"""The incoming-call webhook (DESIGN.md §5 row 1) on a real uvicorn server: `POST /twilio/voice`.

Every request is a new call to one of the seeded businesses' numbers, signed like Twilio signs it, so
the server does the whole job: verify the signature, resolve the number, bind the tenant, load the
business and its configuration, open the CallLog, run the engine (Twilio speech: greeting from the
agent configuration) and answer TwiML. Server time comes from the app's own Prometheus histogram;
throughput is compared with a bare endpoint (`GET /healthz`) in the same run.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bench.resolve_tenant import Server, measure_phases, server_histogram, server_time
from bench.wrk import Request, run_wrk
from voxi.core.db import Database, DatabaseUrls
from voxi.core.settings import Settings
from voxi.telephony.models import NumberRoute

ROUTE = "/twilio/voice"
PRIMING_CHUNK_SECONDS = 10.0
# 25 pairs of 2-s slices: the 50 s each side that 5 rounds of 10 s took.
THROUGHPUT_SLICES = 25
SLICE_SECONDS = 2.0
# More new calls than a slice (or a warm-up) sends at up to ~4,000 calls/s.
CALLS_PER_SLICE = 12_000
# The server runs with the default VOXI_BASE_URL; Twilio signs the public URL, so we sign that one.
SIGNED_BASE = Settings.model_fields["voxi_base_url"].default


async def seeded_numbers(urls: DatabaseUrls, limit: int) -> list[str]:
    db = Database(urls, pool_size=1)
    try:
        async with db.cross_tenant("bench: list seeded numbers") as session:
            return list(await session.scalars(select(NumberRoute.e164).limit(limit)))
    finally:
        await db.dispose()


def signed_calls(
    secret_key: str, numbers: list[str], count: int, *, sequential: bool = False
) -> list[tuple[bytes, str]]:
    """`count` distinct new calls (body, X-Twilio-Signature), precomputed to keep the client light.

    To random numbers, or with `sequential` to each number in turn.
    """
    token = Settings(_env_file=None, voxi_secret_key=secret_key).effective_twilio_auth_token
    validator, rng = RequestValidator(token), random.Random(7)
    calls = []
    for i in range(count):
        form = {
            "CallSid": f"CA{uuid.uuid4().hex}",
            "AccountSid": "ACbench",
            "From": f"+1512{rng.randint(2000000, 9999999)}",
            "To": numbers[i % len(numbers)] if sequential else rng.choice(numbers),
            "CallStatus": "ringing",
            "Direction": "inbound",
        }
        calls.append((urlencode(form).encode(), validator.compute_signature(SIGNED_BASE + ROUTE, form)))
    return calls


def webhook_requests(calls: list[tuple[bytes, str]]) -> list[Request]:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return [
        Request("POST", ROUTE, body.decode(), {**headers, "X-Twilio-Signature": sig}) for body, sig in calls
    ]


def prime_every_number(server: Server, first_calls: list[Request], concurrency: int) -> dict[str, float]:
    """Send each call once: wrk replays a list for a time, so in chunks until every one was answered."""
    started, remaining = time.monotonic(), first_calls
    while remaining:
        chunk = run_wrk(
            server.base_url,
            remaining,
            connections=concurrency,
            duration=PRIMING_CHUNK_SECONDS,
            marker="<Gather",
        )
        remaining = remaining[int(chunk["requests"]) :]
    return {"primed_calls": len(first_calls), "priming_seconds": round(time.monotonic() - started, 1)}


def measure_incoming_calls(
    server: Server,
    urls: DatabaseUrls,
    secret_key: str,
    *,
    concurrency: int,
    duration: float,
    warmup: float,
    slices: int = THROUGHPUT_SLICES,
) -> dict[str, Any]:
    """Bare vs webhook at saturation (throughput), alternating every `SLICE_SECONDS`, then the webhook
    one call at a time (latency).

    This machine's speed moves by up to 2x from one second to the next (the bare endpoint gave 2,957 to
    5,531 req/s in consecutive 1-s runs), so 10-s rounds of each gave round ratios from 39% to 65%.
    Short alternating slices see the same spells: the ratio is of the rates summed over all slices, and
    every slice pair's own ratio is kept.
    """
    numbers = asyncio.run(seeded_numbers(urls, 10_000))
    # Each slice (and each warm-up) replays its own new calls, more than it can send: a repeated CallSid
    # would be an idempotent replay, cheaper than a new call.
    calls = webhook_requests(signed_calls(secret_key, numbers, CALLS_PER_SLICE * (slices + 2)))
    batches = [calls[i * CALLS_PER_SLICE : (i + 1) * CALLS_PER_SLICE] for i in range(slices + 2)]
    # Steady state: this server process has answered every business once (a first call to a business
    # reads it from the database; later ones use the process's answering cache until it changes).
    primed = prime_every_number(
        server,
        webhook_requests(signed_calls(secret_key, numbers, len(numbers), sequential=True)),
        concurrency,
    )
    bare = [Request("GET", "/healthz")]
    run_wrk(server.base_url, bare, connections=concurrency, duration=warmup)
    run_wrk(server.base_url, batches[slices], connections=concurrency, duration=warmup, marker="<Gather")
    before = {path: server_histogram(server.base_url, path) for path in ("/healthz", ROUTE)}
    runs: dict[str, list[dict[str, float]]] = {"bare": [], "incoming_call": []}
    for batch in batches[:slices]:
        runs["bare"].append(run_wrk(server.base_url, bare, connections=concurrency, duration=SLICE_SECONDS))
        runs["incoming_call"].append(
            run_wrk(server.base_url, batch, connections=concurrency, duration=SLICE_SECONDS, marker="<Gather")
        )
    saturated = {}
    for name, path in (("bare", "/healthz"), ("incoming_call", ROUTE)):
        after = server_histogram(server.base_url, path)
        saturated[name] = {
            "path": path,
            "concurrency": concurrency,
            **summed(runs[name]),
            **server_time(before[path], after),
        }
    pairs = zip(runs["bare"], runs["incoming_call"], strict=True)
    light = [("incoming_call_light", batches[slices + 1], 1, "<Gather")]
    return {
        **saturated,
        **measure_phases(server, light, duration=duration, warmup=warmup),
        "slice_ratios": sorted(
            round(hook["requests_per_s"] / plain["requests_per_s"], 3) for plain, hook in pairs
        ),
        "tenants_called": {"numbers": len(numbers), **primed},
    }


def summed(runs: list[dict[str, float]]) -> dict[str, Any]:
    """wrk runs as one: the rate of all their requests over all their seconds; latency and client CPU
    from the median run (saturated latency is only concurrency / rate anyway)."""
    seconds = [run["requests"] / run["requests_per_s"] for run in runs]
    median = sorted(runs, key=lambda run: run["requests_per_s"])[len(runs) // 2]
    return {
        **{key: median[key] for key in ("p50_ms", "p95_ms", "p99_ms", "mean_ms", "load_generator_cpu")},
        "requests": sum(run["requests"] for run in runs),
        "failures": sum(run["failures"] for run in runs),
        "requests_per_s": sum(run["requests"] for run in runs) / sum(seconds),
        "measured": f"{len(runs)} alternating {SLICE_SECONDS:g}-s slices",
    }


def main() -> None:
    """`python -m bench.incoming_call`: only this measurement (the whole set is `make bench`)."""
    import argparse
    import json

    from bench.resolve_tenant import uvicorn_server
    from bench.run import BENCH_SECRET, create_bench_database
    from voxi.cli.seed import SeedPlan, seed_tenants
    from voxi.core.logging import configure_logging
    from voxi.core.migrate import drop_database

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenants", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--duration", type=float, default=10.0)
    args = parser.parse_args()
    configure_logging("WARNING")
    urls, _ = create_bench_database()
    try:
        seeded = seed_tenants(urls, SeedPlan(args.tenants, 5, 5, customers_per_tenant=5))
        print(f"seeded {args.tenants:,} tenants in {seeded.seconds:.1f} s", flush=True)
        with uvicorn_server(urls.owner, BENCH_SECRET) as server:
            results = measure_incoming_calls(
                server, urls, BENCH_SECRET, concurrency=args.concurrency, duration=args.duration, warmup=2
            )
        print(json.dumps(results, indent=2))
        ratio = results["incoming_call"]["requests_per_s"] / results["bare"]["requests_per_s"]
        print(f"webhook / bare: {ratio:.1%} over all slices; each pair's: {results['slice_ratios']}")
    finally:
        drop_database(urls.owner)


if __name__ == "__main__":
    main()
