"""Protocol-level fakes for the media bridge: an OpenAI Realtime server and a Twilio media-stream client.

Both speak the real wire formats over real websockets on 127.0.0.1, so the bridge's transport, the
`openai` SDK's connection and uvicorn's websocket handling all run as in production.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import uvicorn
import websockets
from websockets.asyncio.server import ServerConnection

Scenario = Callable[["FakeRealtimeServer", ServerConnection], Awaitable[None]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def mulaw(ms: int, byte: int = 0xFF) -> str:
    return base64.b64encode(bytes([byte]) * (8 * ms)).decode()


class FakeRealtimeServer:
    """`wss://api.openai.com/v1/realtime` on 127.0.0.1: records client events, plays a scenario."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.received: list[dict[str, Any]] = []
        self.connections = 0
        self.requests: list[str] = []
        self.closed = asyncio.Event()
        self.port = 0
        self._server: Any = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.received if event["type"] == kind]

    async def next_event(self, ws: ServerConnection, kind: str) -> dict[str, Any]:
        """Read (and record) client events until one of `kind` arrives."""
        while True:
            event = json.loads(await ws.recv())
            self.received.append(event)
            if event["type"] == kind:
                return event

    async def send(self, ws: ServerConnection, event: dict[str, Any]) -> None:
        await ws.send(json.dumps(event))

    async def _handle(self, ws: ServerConnection) -> None:
        self.connections += 1
        self.requests.append(ws.request.path if ws.request else "")
        try:
            await self.scenario(self, ws)
            async for message in ws:  # after the script: keep recording until the bridge hangs up
                self.received.append(json.loads(message))
        except websockets.ConnectionClosed:
            pass
        finally:
            self.closed.set()

    async def __aenter__(self) -> FakeRealtimeServer:
        self._server = await websockets.serve(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        await self._server.wait_closed()


async def greet(server: FakeRealtimeServer, ws: ServerConnection) -> None:
    """What every scenario starts with: the session is configured, the greeting requested."""
    update = await server.next_event(ws, "session.update")
    await server.send(ws, {"type": "session.updated", "session": update["session"]})
    await server.next_event(ws, "response.create")


class FakeTwilio:
    """Twilio's side of a media stream: `connected`, `start` with the TwiML's parameters, media, marks."""

    def __init__(self, ws: Any, stream_sid: str = "MZ0001") -> None:
        self.ws = ws
        self.stream_sid = stream_sid
        self.received: list[dict[str, Any]] = []
        self.marks: list[str] = []  # marks not yet "played"
        self.close_code: int | None = None
        self._reader = asyncio.create_task(self._read())
        self.got = asyncio.Condition()

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(cls, url: str, stream_sid: str = "MZ0001") -> AsyncIterator[FakeTwilio]:
        async with websockets.connect(url) as ws:
            twilio = cls(ws, stream_sid)
            try:
                yield twilio
            finally:
                twilio._reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await twilio._reader

    async def _read(self) -> None:
        try:
            async for message in self.ws:
                event = json.loads(message)
                async with self.got:
                    self.received.append(event)
                    if event["event"] == "mark":
                        self.marks.append(event["mark"]["name"])
                    self.got.notify_all()
        except websockets.ConnectionClosed:
            pass
        self.close_code = self.ws.close_code
        async with self.got:
            self.got.notify_all()

    async def start(self, call_sid: str, parameters: dict[str, str]) -> None:
        await self.ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        await self.ws.send(
            json.dumps(
                {
                    "event": "start",
                    "sequenceNumber": "1",
                    "streamSid": self.stream_sid,
                    "start": {
                        "accountSid": "AC123",
                        "streamSid": self.stream_sid,
                        "callSid": call_sid,
                        "tracks": ["inbound"],
                        "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
                        "customParameters": parameters,
                    },
                }
            )
        )

    async def media(self, payload: str, timestamp: int = 0) -> None:
        await self.ws.send(
            json.dumps(
                {
                    "event": "media",
                    "streamSid": self.stream_sid,
                    "media": {
                        "track": "inbound",
                        "chunk": "1",
                        "timestamp": str(timestamp),
                        "payload": payload,
                    },
                }
            )
        )

    async def play(self, count: int) -> None:
        """Twilio has played the audio before the next `count` marks: echo them back."""
        for _ in range(count):
            name = self.marks.pop(0)
            await self.ws.send(
                json.dumps({"event": "mark", "streamSid": self.stream_sid, "mark": {"name": name}})
            )

    async def stop(self) -> None:
        await self.ws.send(json.dumps({"event": "stop", "streamSid": self.stream_sid, "stop": {}}))

    async def wait_for(self, check: Callable[[], bool], seconds: float = 5.0) -> None:
        async def waiting() -> None:
            async with self.got:
                await self.got.wait_for(check)

        await asyncio.wait_for(waiting(), seconds)

    def of_event(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.received if event["event"] == kind]


@contextlib.asynccontextmanager
async def serve_app(app: Any) -> AsyncIterator[str]:
    """The ASGI app on a real uvicorn server in this event loop; yields its ws:// base."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"ws://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
