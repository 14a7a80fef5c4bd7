"""`make bench`: the DESIGN.md §5 measurements that can be taken so far, beside their targets.

A fresh database on BENCH_DATABASE_URL's (else TEST_DATABASE_URL's) server, else the embedded
server under `.voxi/bench`; seeded with `voxi bench seed`'s code; dropped afterwards. Prints a
markdown table and writes the numbers to `bench/results/<timestamp>.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bench import call_logs, media_bridge, scheduling, tenant_scaling
from bench.incoming_call import measure_incoming_calls
from bench.resolve_tenant import create_api_keys, measure_http, measure_in_process, uvicorn_server
from bench.signup import measure_signup, signup_rows, signup_verdict
from voxi.cli.seed import SeedPlan, seed_tenants
from voxi.core.bootstrap import role_password, urls_from_settings
from voxi.core.db import DatabaseUrls
from voxi.core.embedded import start_embedded_postgres
from voxi.core.logging import configure_logging
from voxi.core.migrate import drop_database, migrate
from voxi.core.settings import Settings

RESULTS = Path(__file__).parent / "results"
BENCH_SECRET = "bench-secret-key-0123456789abcdef0123456789"  # noqa: S105 - a throwaway database
P99_TARGET_MS = 25.0
THROUGHPUT_RATIO_TARGET = 0.5
CLIENT_BOUND = 0.8  # share of a core above which the load generator, not the server, sets the pace


def create_bench_database() -> tuple[DatabaseUrls, Settings]:
    """A migrated database whose role passwords derive from BENCH_SECRET, as the server subprocess expects."""
    name = f"voxi_bench_{uuid.uuid4().hex[:8]}"
    server = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if server:
        owner = make_url(server).set(drivername="postgresql+psycopg", database=name).render_as_string(False)
    else:
        owner = start_embedded_postgres(Path(".voxi/bench"), name)
    settings = Settings(_env_file=None, voxi_env="test", voxi_secret_key=BENCH_SECRET, database_url=owner)
    urls = urls_from_settings(settings)
    migrate(urls, role_password(settings))
    return urls, settings


def measure(args: argparse.Namespace) -> dict[str, Any]:
    urls, settings = create_bench_database()
    try:
        if args.media_bridge_only:
            return {"media_bridge": media_bridge.measure_media_bridge(urls, settings, args)}
        plan = SeedPlan(
            args.tenants, args.calls_per_tenant, args.appointments_per_tenant, customers_per_tenant=5
        )
        seeded = seed_tenants(urls, plan)
        print(f"seeded {args.tenants:,} tenants in {seeded.seconds:.1f} s: {seeded.rows}", flush=True)
        big_seconds = call_logs.seed_big_tenant(urls)
        print(
            f"seeded one business with {call_logs.BIG_TENANT_CALLS:,} calls in {big_seconds:.1f} s",
            flush=True,
        )
        in_process = asyncio.run(
            measure_in_process(urls, iterations=args.iterations, warmup=args.iterations // 10)
        )
        print("in-process resolution measured", flush=True)
        keys = asyncio.run(create_api_keys(urls, args.api_keys))
        with uvicorn_server(urls.owner, BENCH_SECRET) as server:
            http = measure_http(
                server, keys, concurrency=args.concurrency, duration=args.duration, warmup=2.0
            )
            incoming = measure_incoming_calls(
                server, urls, BENCH_SECRET, concurrency=args.concurrency, duration=args.duration, warmup=2
            )
            lists = call_logs.measure_call_lists(server, urls, duration=args.list_duration)
        return {
            "seed": {"rows": seeded.rows, "seconds": seeded.seconds},
            "in_process": in_process,
            "http": http,
            "incoming_call": incoming,
            "call_lists": lists,
            "signup": measure_signup(
                urls, BENCH_SECRET, sequential=args.signups, concurrent=args.concurrent_signups
            ),
            "media_bridge": media_bridge.measure_media_bridge(urls, settings, args),
            "scheduling": asyncio.run(
                scheduling.measure_scheduling(
                    urls, iterations=args.scheduling_iterations, warmup=args.scheduling_iterations // 10
                )
            ),
        }
    finally:
        drop_database(urls.owner)


def measure_all(args: argparse.Namespace) -> dict[str, Any]:
    results = measure(args)
    if args.scaling_steps and not args.media_bridge_only:
        steps = [int(n) for n in args.scaling_steps.split(",")]
        results["tenant_scaling"] = tenant_scaling.measure_scaling(steps, iterations=args.scaling_iterations)
    return results


def verdicts(results: dict[str, Any]) -> dict[str, Any]:
    bridge = {"media_bridge": media_bridge.verdicts(results["media_bridge"])}
    if "http" not in results:  # --media-bridge-only
        return bridge
    http, calls = results["http"], results["incoming_call"]
    ratio = http["business"]["requests_per_s"] / http["bare"]["requests_per_s"]
    call_ratio = calls["incoming_call"]["requests_per_s"] / calls["bare"]["requests_per_s"]
    return {
        **bridge,
        "signup_p95": signup_verdict(results["signup"]),
        "scheduling": scheduling.verdicts(results["scheduling"]),
        "call_lists_p95": call_logs.verdict(results["call_lists"]),
        "incoming_call_ratio": call_ratio,
        "incoming_call_ratio_ok": call_ratio >= THROUGHPUT_RATIO_TARGET,
        "incoming_call_light_server_p99": calls["incoming_call_light"].get("server_p99_le_ms", 1e9)
        <= P99_TARGET_MS,
        "throughput_ratio": ratio,
        "in_process_p99": results["in_process"]["p99_ms"] <= P99_TARGET_MS,
        "light_load_p99": http["business_light"]["p99_ms"] <= P99_TARGET_MS,
        "ratio": ratio >= THROUGHPUT_RATIO_TARGET,
        **(
            {"tenant_scaling": tenant_scaling.verdicts(results["tenant_scaling"])}
            if "tenant_scaling" in results
            else {}
        ),
    }


def table(results: dict[str, Any], verdict: dict[str, Any], args: argparse.Namespace) -> str:
    bridge = media_bridge.table(results["media_bridge"], verdict["media_bridge"])
    if "http" not in results:  # --media-bridge-only
        return bridge
    tables = [_webhook_table(results, verdict, args), bridge]
    if "tenant_scaling" in results:
        tables.append("\n".join(tenant_scaling.rows(results["tenant_scaling"])))
    return "\n\n".join(tables)


def _webhook_table(results: dict[str, Any], verdict: dict[str, Any], args: argparse.Namespace) -> str:
    a, http, load = results["in_process"], results["http"], results["load_average"]
    bare, business, light = http["bare"], http["business"], http["business_light"]
    p99 = f"p99 ≤ {P99_TARGET_MS:g} ms"

    def mark(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    def row(what: str, r: dict[str, Any], rate: str, server: str, target: str, result: str) -> str:
        return (
            f"| {what} | {r['p50_ms']:.2f} / {r['p95_ms']:.2f} / {r['p99_ms']:.2f} | {rate} | {server} "
            f"| {target} | {result} |"
        )

    def http_row(what: str, r: dict[str, Any], target: str, result: str) -> str:
        share = r.get("server_share_within_25ms")
        server = f"p99 ≤ {r['server_p99_le_ms']:g} ms; {share:.1%} ≤ 25 ms" if share is not None else "n/a"
        what = f"{what}, c={r['concurrency']}, {r.get('measured', f'{args.duration:g} s')}"
        return row(what, r, f"{r['requests_per_s']:,.0f}", server, target, result)

    business_api = f"`GET /api/v1/business` by X-API-Key ({args.api_keys} tenants' keys)"
    rows = [
        "| measurement | p50 / p95 / p99 (ms) | req/s | server time (app histogram) | target | result |",
        "|---|---|---|---|---|---|",
        row(
            f"(a) resolve number, bind tenant, load Tenant + TenantConfig; in-process, {args.tenants:,} "
            f"tenants, n={a['iterations']:,} ({a['unknown_numbers']} unknown numbers)",
            a,
            "–",
            "–",
            p99,
            mark(verdict["in_process_p99"]),
        ),
        http_row("(b) bare `GET /healthz`", bare, "baseline", "–"),
        http_row(f"(b) {business_api}", business, "(saturated: latency ≈ c / rate)", "–"),
        http_row(f"(b) {business_api}, light load", light, f"client {p99}", mark(verdict["light_load_p99"])),
        f"| (b) throughput business / bare | – | {verdict['throughput_ratio']:.0%} | – "
        f"| ≥ {THROUGHPUT_RATIO_TARGET:.0%} | {mark(verdict['ratio'])} |",
        *incoming_call_rows(results["incoming_call"], verdict, http_row, mark),
        *signup_rows(results["signup"]),
        *scheduling.rows(results["scheduling"]),
        *call_logs.rows(results["call_lists"]),
    ]
    notes = [
        "",
        "(a) is the incoming call's tenant work alone; (b) the tenant API's business endpoint: API-key",
        "lookup, tenant, config, numbers, a `last_used_at` write at most once a minute per key, a commit.",
        "(c) is the incoming-call webhook itself: signature, number → tenant, business + config, CallLog",
        "insert, Twilio speech greeting, TwiML; every request a new call to one of the seeded numbers.",
        "(e) is the tenant API's calls list and transcript search (each answer also counts its matches).",
        "HTTP load comes from wrk (C, one thread), which shares the 2 cores with the server and",
        f"PostgreSQL (its CPU: bare {bare['load_generator_cpu']:.0%}, business "
        f"{business['load_generator_cpu']:.0%} of one core).",
        f"Failures: bare {bare['failures']}, business {business['failures']}, light {light['failures']}. "
        f"Load average before/after: {load['before']:.2f} / {load['after']:.2f} on {os.cpu_count()} CPUs.",
    ]
    if bare["load_generator_cpu"] > CLIENT_BOUND:
        notes.append("The bare rate may be capped by the load generator (near a full core): the ratios then")
        notes.append("overstate the endpoints' share of the server's capacity.")
    return "\n".join(rows + notes)


def incoming_call_rows(calls: dict[str, Any], verdict: dict[str, Any], http_row: Any, mark: Any) -> list[str]:
    bare, loaded, light = calls["bare"], calls["incoming_call"], calls["incoming_call_light"]
    webhook = f"`POST /twilio/voice` ({calls['tenants_called']['numbers']:,} tenants' numbers)"
    ratios = calls["slice_ratios"]
    spread = f"{ratios[len(ratios) // 10]:.0%}–{ratios[len(ratios) * 9 // 10]:.0%}"
    measured = f"all slices' rates (each pair's ratio, 10th–90th percentile: {spread})"
    return [
        http_row("(c) bare `GET /healthz`", bare, "baseline", "–"),
        http_row(f"(c) {webhook}", loaded, "(saturated: latency ≈ c / rate)", "–"),
        http_row(
            f"(c) {webhook}, light load",
            light,
            f"server p99 ≤ {P99_TARGET_MS:g} ms",
            mark(verdict["incoming_call_light_server_p99"]),
        ),
        f"| (c) throughput webhook / bare, {measured} | – "
        f"| {verdict['incoming_call_ratio']:.0%} | – "
        f"| ≥ {THROUGHPUT_RATIO_TARGET:.0%} | {mark(verdict['incoming_call_ratio_ok'])} |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenants", type=int, default=10_000)
    # 90 calls each + one business with 100,000 = 1,000,000 transcripts at 10,000 tenants.
    parser.add_argument("--calls-per-tenant", type=int, default=90)
    parser.add_argument("--appointments-per-tenant", type=int, default=100)  # 1M at 10,000 tenants
    parser.add_argument("--iterations", type=int, default=5_000)
    parser.add_argument("--scheduling-iterations", type=int, default=1_000)
    parser.add_argument("--api-keys", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--list-duration", type=float, default=5.0, help="seconds per calls-list query")
    parser.add_argument("--signups", type=int, default=50, help="sequential signups to time")
    parser.add_argument("--concurrent-signups", type=int, default=20, help="signups sent 4 at a time")
    parser.add_argument(
        "--bridge-calls", default="50,100,200", help="media bridge: concurrent fake calls per level"
    )
    parser.add_argument(
        "--bridge-slice", type=float, default=2.0, help="media bridge: measured seconds per slice"
    )
    parser.add_argument(
        "--bridge-rounds",
        type=int,
        default=15,
        help="media bridge: rounds per level (the relay, the control and the bridge each talk one slice)",
    )
    parser.add_argument("--bridge-warmup", type=float, default=2.0, help="media bridge: seconds per set")
    parser.add_argument("--media-bridge-only", action="store_true", help="measure only the media bridge")
    parser.add_argument(
        "--scaling-steps", default="1000,10000,100000", help="tenant counts for cost vs tenants ('' to skip)"
    )
    parser.add_argument(
        "--scaling-iterations", type=int, default=200, help="tenant scaling: iterations per step and round"
    )
    args = parser.parse_args()

    configure_logging("WARNING")  # no per-session audit lines between the progress messages
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    results = measure_all(args)
    results["load_average"] = {"before": load_before, "after": os.getloadavg()[0]}
    verdict = verdicts(results)
    report = table(results, verdict, args)
    print(report)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{stamp}.json"
    document = {
        "args": vars(args),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "results": results,
        "verdicts": verdict,
        "seconds": time.perf_counter() - started,
    }
    path.write_text(json.dumps(document, indent=2))
    print(f"\nresults written to {path} ({document['seconds']:.0f} s in all)")


if __name__ == "__main__":
    main()
