"""The media bridge under load (DESIGN.md §5): added latency per 20 ms audio frame and CPU per call.

One uvicorn worker process runs Voxi with VOICE_ENGINE=openai; this process (on uvloop, like the
server) plays N fake Twilio media streams (a 20 ms μ-law frame every 20 ms, marks echoed like Twilio)
and the fake OpenAI Realtime server (a 20 ms audio delta every 20 ms per call). Each frame carries its
send time in its first bytes, so latency is measured by the process that sent it. The same run
measures a plain websocket relay (bench/plain_relay.py, same uvicorn) as the baseline; "added" is
bridge minus relay at each percentile. Measuring starts once every call is talking (set-up is not
per-frame work). CPU is the server process's CPU time over the measured window, divided by calls.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import psutil
import uvloop
import websockets
from tests.live_server import free_port, live_server

from bench.resolve_tenant import percentiles
from voxi.calls.service import open_call
from voxi.core.db import Database, DatabaseUrls, activate_tenant
from voxi.core.settings import Settings
from voxi.core.tenant_context import tenant_context
from voxi.tenancy.schemas import NewTenant
from voxi.tenancy.service import create_tenant
from voxi.voice.realtime.stream_auth import StreamGrant, sign_stream
from voxi.voice.realtime.twiml import stream_key

FRAME_MS = 20
FRAME_BYTES = 8 * FRAME_MS
P99_ADDED_TARGET_MS = 2.0
CALLS_TARGET = 200
SETUP_TIMEOUT_S = 60.0
BUSINESS_NUMBER = "+15125550142"


def frame() -> str:
    """A 20 ms μ-law frame whose first 8 bytes are its send time (perf_counter, this process)."""
    return base64.b64encode(struct.pack(">d", time.perf_counter()) + b"\xff" * (FRAME_BYTES - 8)).decode()


async def paced(stop: asyncio.Event | None = None) -> AsyncIterator[None]:
    """Every 20 ms on a fixed schedule (sleep drift would otherwise slow the frame rate)."""
    next_at = time.perf_counter()
    while stop is None or not stop.is_set():
        yield
        next_at += FRAME_MS / 1000
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))


def sent_at(payload: str) -> float:
    return float(struct.unpack(">d", base64.b64decode(payload[:12])[:8])[0])


@dataclass
class Samples:
    inbound: list[float] = field(default_factory=list)  # Twilio → upstream
    outbound: list[float] = field(default_factory=list)  # upstream → Twilio
    recording: bool = False
    failures: int = 0
    expected_calls: int = 0
    answered: set[str] = field(default_factory=set)  # calls whose first audio has arrived
    all_answered: asyncio.Event = field(default_factory=asyncio.Event)

    def answer(self, stream_sid: str) -> None:
        self.answered.add(stream_sid)
        if len(self.answered) >= self.expected_calls:
            self.all_answered.set()


class FakeUpstream:
    """The fake Realtime server; for the relay baseline it receives Twilio's own messages verbatim."""

    def __init__(self, samples: Samples) -> None:
        self.samples = samples
        self.port = 0

    async def handle(self, ws: Any) -> None:
        sender: asyncio.Task[None] | None = None
        try:
            async for message in ws:
                event = json.loads(message)
                audio = event.get("audio") if event.get("type") == "input_audio_buffer.append" else None
                if audio is None and event.get("event") == "media":
                    audio = event["media"]["payload"]
                if audio is not None and self.samples.recording:
                    self.samples.inbound.append(time.perf_counter() - sent_at(audio))
                if sender is None:  # first message (session.update, or the relayed `start`)
                    sender = asyncio.create_task(self._speak(ws))
        except websockets.ConnectionClosed:
            pass
        finally:
            if sender is not None:
                sender.cancel()

    async def _speak(self, ws: Any) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for _ in paced():
                await ws.send(
                    json.dumps({"type": "response.output_audio.delta", "item_id": "item_1", "delta": frame()})
                )


async def fake_call(
    url: str, call_sid: str, params: dict[str, str], samples: Samples, stop: asyncio.Event
) -> None:
    stream_sid = "MZ" + uuid.uuid4().hex
    try:
        async with websockets.connect(url, compression=None, max_size=None) as ws:
            start = {
                "event": "start",
                "streamSid": stream_sid,
                "start": {"streamSid": stream_sid, "callSid": call_sid, "customParameters": params},
            }
            await ws.send(json.dumps({"event": "connected"}))
            await ws.send(json.dumps(start))
            reader = asyncio.create_task(_listen(ws, stream_sid, samples))
            async for _ in paced(stop):
                message = {"event": "media", "streamSid": stream_sid, "media": {"payload": frame()}}
                await ws.send(json.dumps(message))
            await ws.send(json.dumps({"event": "stop", "streamSid": stream_sid}))
            reader.cancel()
    except (OSError, websockets.WebSocketException):
        samples.failures += 1


async def _listen(ws: Any, stream_sid: str, samples: Samples) -> None:
    with contextlib.suppress(websockets.ConnectionClosed):
        async for message in ws:
            event = json.loads(message)
            payload = (event.get("media") or {}).get("payload") or event.get("delta")
            if payload is not None:
                samples.answer(stream_sid)
                if samples.recording:
                    samples.outbound.append(time.perf_counter() - sent_at(payload))
            if event.get("event") == "mark":  # Twilio echoes a mark once it has played the audio
                await ws.send(json.dumps({"event": "mark", "streamSid": stream_sid, "mark": event["mark"]}))


async def drive(
    url: str,
    calls: list[tuple[str, dict[str, str]]],
    samples: Samples,
    pid: int,
    warmup: float,
    duration: float,
) -> dict[str, Any]:
    stop = asyncio.Event()
    tasks = []
    for call_sid, params in calls:
        tasks.append(asyncio.create_task(fake_call(url, call_sid, params, samples, stop)))
        await asyncio.sleep(FRAME_MS / 1000 / max(1, len(calls) // 10))  # spread frame phases
    # Call set-up (database, session.update) is not per-frame work: measure once every call is talking.
    started = time.perf_counter()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(samples.all_answered.wait(), SETUP_TIMEOUT_S)
    setup_seconds = time.perf_counter() - started
    await asyncio.sleep(warmup)
    server, me = psutil.Process(pid), psutil.Process()
    cpu0, my0, t0 = sum(server.cpu_times()[:2]), sum(me.cpu_times()[:2]), time.perf_counter()
    samples.recording = True
    await asyncio.sleep(duration)
    samples.recording = False
    elapsed = time.perf_counter() - t0
    server_cpu = (sum(server.cpu_times()[:2]) - cpu0) / elapsed
    generator_cpu = (sum(me.cpu_times()[:2]) - my0) / elapsed
    stop.set()
    await asyncio.gather(*tasks)
    return {
        "calls": len(calls),
        "answered": len(samples.answered),
        "setup_seconds": setup_seconds,
        "inbound": percentiles(samples.inbound),
        "outbound": percentiles(samples.outbound),
        "frames": len(samples.inbound) + len(samples.outbound),
        "expected_frames": int(2 * len(calls) * duration * 1000 / FRAME_MS),
        "server_cpu_cores": server_cpu,
        "server_cpu_per_call_pct": 100 * server_cpu / len(calls),
        "generator_cpu_cores": generator_cpu,
        "failures": samples.failures,
    }


async def prepare_calls(urls: DatabaseUrls, count: int) -> list[StreamGrant]:
    """One business and `count` logged calls."""
    db = Database(urls, pool_size=2)
    try:
        data = NewTenant.model_validate(
            {
                "name": "Bench Heating",
                "owner_name": "Bench Owner",
                "owner_email": f"bench-{uuid.uuid4().hex[:6]}@example.com",
                "owner_password": "bench-password-123",
                "phone_number": BUSINESS_NUMBER,
            }
        )
        async with db.cross_tenant("bench: media bridge") as session:
            tenant = await create_tenant(session, data)
            await session.commit()
        calls = []
        with tenant_context(tenant.id):
            async with db.sessions() as session:
                await activate_tenant(session, tenant.id)
                for _ in range(count):
                    sid = "CA" + uuid.uuid4().hex
                    call = await open_call(
                        session,
                        call_sid=sid,
                        from_number="+15125550199",
                        to_number=BUSINESS_NUMBER,
                        engine="openai",
                    )
                    calls.append(StreamGrant(tenant.id, call.id, sid))
                await session.commit()
        return calls
    finally:
        await db.dispose()


@contextlib.contextmanager
def relay_server(upstream: str) -> Iterator[tuple[str, int]]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.plain_relay:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    command += ["--log-level", "warning", "--no-access-log", "--ws", "websockets-sansio"]  # as `voxi serve`
    env = {**os.environ, "RELAY_UPSTREAM": upstream, "PYTHONPATH": os.getcwd()}
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            deadline = time.monotonic() + 30
            while True:
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                        break
                if time.monotonic() > deadline or process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"relay did not start:\n{log.read()}")
                time.sleep(0.1)
            yield f"ws://127.0.0.1:{port}/relay", process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # still draining websockets: the numbers are already taken
                process.kill()
                process.wait()


@contextlib.asynccontextmanager
async def upstream_server(samples: Samples) -> AsyncIterator[FakeUpstream]:
    fake = FakeUpstream(samples)
    server = await websockets.serve(fake.handle, "127.0.0.1", 0, compression=None, max_size=None)
    fake.port = server.sockets[0].getsockname()[1]
    try:
        yield fake
    finally:
        server.close()
        await server.wait_closed()


def _pid_on_port(base_url: str) -> int:
    port = int(base_url.rsplit(":", 1)[1])
    for conn in psutil.net_connections("tcp"):
        if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN and conn.pid:
            return conn.pid
    raise RuntimeError(f"no process listens on {base_url}")


def signed(grants: list[StreamGrant], settings: Settings) -> list[tuple[str, dict[str, str]]]:
    """Stream parameters as the TwiML carries them, signed now (they expire within a minute)."""
    key = stream_key(settings)
    return [(grant.call_sid, sign_stream(key, grant)) for grant in grants]


async def _level(
    kind: str, grants: list[StreamGrant], owner_url: str, settings: Settings, args: Any
) -> dict[str, Any]:
    samples = Samples(expected_calls=len(grants))
    calls = signed(grants, settings)
    secret = settings.voxi_secret_key
    async with upstream_server(samples) as fake:
        if kind == "relay":
            with relay_server(f"ws://127.0.0.1:{fake.port}/v1/realtime") as (url, pid):
                return await drive(url, calls, samples, pid, args.bridge_warmup, args.bridge_duration)
        env = {
            "DATABASE_URL": owner_url,
            "VOXI_SECRET_KEY": secret,
            "VOICE_ENGINE": "openai",
            "OPENAI_API_KEY": "sk-bench",
            "OPENAI_BASE_URL": f"http://127.0.0.1:{fake.port}/v1",
        }
        with live_server(env) as base:
            pid = await asyncio.to_thread(_pid_on_port, base)
            url = base.replace("http://", "ws://") + "/twilio/media-stream"
            return await drive(url, calls, samples, pid, args.bridge_warmup, args.bridge_duration)


def measure_media_bridge(urls: DatabaseUrls, settings: Settings, args: Any) -> dict[str, Any]:
    levels = [int(n) for n in args.bridge_calls.split(",")]
    calls = asyncio.run(prepare_calls(urls, max(levels)))
    results: dict[str, Any] = {}
    for n in levels:
        for kind in ("relay", "bridge"):
            results[f"{kind}_{n}"] = uvloop.run(_level(kind, calls[:n], urls.owner, settings, args))
            print(f"media bridge: {kind} at {n} calls measured", flush=True)
    return results


def verdicts(results: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, bridge in results.items():
        if not key.startswith("bridge_"):
            continue
        n = bridge["calls"]
        relay = results[f"relay_{n}"]
        added = {
            direction: {q: bridge[direction][q] - relay[direction][q] for q in ("p50_ms", "p99_ms")}
            for direction in ("inbound", "outbound")
        }
        complete = (
            bridge["frames"] >= 0.95 * bridge["expected_frames"]
            and not bridge["failures"]
            and bridge["answered"] == n
        )
        out[n] = {
            "added": added,
            "p99_ok": all(a["p99_ms"] <= P99_ADDED_TARGET_MS for a in added.values()),
            "kept_up": complete,
        }
    return out


def table(results: dict[str, Any], verdict: dict[str, Any]) -> str:
    rows = [
        "| calls | path | in p50 / p99 (ms) | out p50 / p99 (ms) | frames (got/expected) "
        "| server CPU (cores) | CPU per call | added p99 in / out (ms) | result |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for n, v in verdict.items():
        for kind in ("relay", "bridge"):
            r = results[f"{kind}_{n}"]
            added = v["added"]
            extra = (
                f"{added['inbound']['p99_ms']:+.2f} / {added['outbound']['p99_ms']:+.2f}"
                if kind == "bridge"
                else "baseline"
            )
            verdict_text = ("PASS" if v["p99_ok"] and v["kept_up"] else "MISS") if kind == "bridge" else "–"
            rows.append(
                f"| {n} | {kind} | {r['inbound']['p50_ms']:.2f} / {r['inbound']['p99_ms']:.2f} "
                f"| {r['outbound']['p50_ms']:.2f} / {r['outbound']['p99_ms']:.2f} "
                f"| {r['frames']:,}/{r['expected_frames']:,} | {r['server_cpu_cores']:.2f} "
                f"| {r['server_cpu_per_call_pct']:.2f}% | {extra} | {verdict_text} |"
            )
    rows.append("")
    rows.append(
        f"Targets: added p99 ≤ {P99_ADDED_TARGET_MS:g} ms per frame; "
        f"≥ {CALLS_TARGET} concurrent calls per worker "
        "(kept up = ≥95% of frames delivered, no failed call). The load generator shares the 2 cores: "
        + ", ".join(f"{k} {r['generator_cpu_cores']:.2f} cores" for k, r in results.items())
        + "."
    )
    return "\n".join(rows)
