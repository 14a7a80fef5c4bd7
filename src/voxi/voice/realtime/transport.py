"""The bridge's transport: websocket I/O between Twilio's media stream and the Realtime API.

`BridgeSession` decides; this module reads both sockets, hands events to it and carries out its
actions. Every task it starts (the two socket pumps, tool runs, the transcript writer, a call
redirect) is tracked and cancelled when the call ends, and the upstream is closed. A dropped
upstream forwards the caller (never dead air).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Coroutine
from contextlib import AbstractAsyncContextManager
from typing import Any, Literal, Protocol

import structlog
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.exceptions import ConnectionClosed

from voxi.agent.tools.base import ToolResult
from voxi.voice.realtime import codec
from voxi.voice.realtime.session import (
    Action,
    BridgeSession,
    CarryOut,
    HangUp,
    RecordTurn,
    RunTool,
    SendRealtime,
    SendTwilio,
)

log = structlog.get_logger(__name__)

# How long the transcript writer may take to save the last turns once the call has ended.
TRANSCRIPT_FLUSH_SECONDS = 2.0

Ending = Literal["hangup", "upstream_closed", "carried_out"]


class UpstreamClosed(Exception):
    """No Realtime session could be opened."""


class RealtimeUpstream(Protocol):
    """One open Realtime session, as raw JSON text frames: the SDK's `websockets` connection itself.

    `send` and `recv` raise `ConnectionClosed` once the session is gone. The bridge calls them directly,
    with no wrapper to translate that: a wrapper is one more coroutine on every frame.
    """

    async def send(self, message: str) -> None: ...

    async def recv(self) -> bytes | str: ...

    async def close(self) -> None: ...


class RealtimeConnector(Protocol):
    """Opens Realtime sessions (the OpenAI SDK in production, the same SDK against a fake in tests)."""

    def connect(self, model: str) -> AbstractAsyncContextManager[RealtimeUpstream]: ...


class CallPorts(Protocol):
    """What the bridge needs from the rest of Voxi for one call (database, tools, phone provider)."""

    async def run_tool(self, name: str, arguments: dict[str, Any], tool_call_id: str) -> ToolResult: ...

    async def record_turn(self, role: Literal["caller", "agent", "tool"], text: str) -> None: ...

    async def carry_out(self, action: CarryOut) -> None:
        """Transfer or end the live call through the phone provider's REST API."""

    async def forward_caller(self) -> None:
        """The AI is gone: send the caller to the business's own phone (or voicemail)."""


class Bridge:
    """One call: Twilio websocket ⇄ BridgeSession ⇄ Realtime upstream."""

    def __init__(self, twilio: WebSocket, session: BridgeSession, ports: CallPorts) -> None:
        self.twilio = twilio
        self.session = session
        self.ports = ports
        self.tasks: set[asyncio.Task[Any]] = set()
        self.finished: list[asyncio.Task[Any]] = []  # every task this call ran, for inspection
        self.ending: Ending | None = None
        self._upstream: RealtimeUpstream | None = None
        self._turns: asyncio.Queue[RecordTurn | None] = asyncio.Queue()
        self._carried_out = asyncio.Event()

    async def run(self, connector: RealtimeConnector) -> Ending:
        try:
            async with connector.connect(self.session.config.model) as upstream:
                self._upstream = upstream
                self.ending = await self._relay()
                await self._stop_tasks()
        except (UpstreamClosed, ConnectionClosed):
            self.ending = "upstream_closed"
        except OSError as exc:  # could not connect at all
            log.warning("realtime_connect_failed", error=str(exc))
            self.ending = "upstream_closed"
        finally:
            await self._stop_tasks()
        if self.ending == "upstream_closed":
            await self._forward_caller()
        return self.ending or "hangup"

    async def _relay(self) -> Ending:
        writer = self._spawn(self._write_turns(), "transcript")
        await self._execute(self.session.open())
        pumps = {
            self._spawn(self._pump_twilio(), "twilio"),
            self._spawn(self._pump_upstream(), "upstream"),
            self._spawn(self._carried_out.wait(), "carry-out"),
        }
        done, _ = await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        first = next(iter(done))
        ending: Ending = first.result() if first.get_name() != "carry-out" else "carried_out"
        # Let the writer save what was said before everything is cancelled.
        self._turns.put_nowait(None)
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(writer), TRANSCRIPT_FLUSH_SECONDS)
        return ending

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro, name=name)
        self.tasks.add(task)
        self.finished.append(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def _stop_tasks(self) -> None:
        pending = [task for task in self.tasks if not task.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _pump_twilio(self) -> Ending:
        assert self._upstream is not None  # noqa: S101 - set before the pumps start
        while True:
            try:
                text = await self.twilio.receive_text()
            except (WebSocketDisconnect, RuntimeError):
                return "hangup"
            event = codec.parse_twilio(text)
            if isinstance(event, codec.TwilioMedia):  # the hot path: the caller's audio goes up as is
                await self._upstream.send(codec.audio_append(event.payload))
                continue
            if event is None:
                continue
            actions = self.session.on_twilio(event, time.monotonic())
            if any(isinstance(action, HangUp) for action in actions):
                return "hangup"
            await self._execute(actions)

    async def _pump_upstream(self) -> Ending:
        assert self._upstream is not None  # noqa: S101 - set before the pumps start
        while True:
            try:
                raw = await self._upstream.recv()
            except ConnectionClosed:
                return "upstream_closed"
            event = codec.parse_realtime(raw)
            try:
                if isinstance(event, codec.AudioDelta):  # the hot path: the model's audio goes to the caller
                    for frame in self.session.on_audio(event, time.monotonic()):
                        await self.twilio.send_text(frame)
                elif event is not None:
                    if isinstance(event, codec.RealtimeError):
                        log.warning("realtime_error", code=event.code, message=event.message)
                    await self._execute(self.session.on_realtime(event, time.monotonic()))
            except WebSocketDisconnect:  # audio for a caller whose hang-up the other pump has not read yet
                return "hangup"

    async def _execute(self, actions: list[Action]) -> None:
        for action in actions:
            if isinstance(action, SendRealtime):
                assert self._upstream is not None  # noqa: S101 - only sent while connected
                await self._upstream.send(action.text)
            elif isinstance(action, SendTwilio):
                await self.twilio.send_text(action.text)
            elif isinstance(action, RecordTurn):
                self._turns.put_nowait(action)
            elif isinstance(action, RunTool):
                self._spawn(self._run_tool(action), f"tool:{action.name}")
            elif isinstance(action, CarryOut):
                self._spawn(self._carry_out(action), "redirect")

    async def _run_tool(self, call: RunTool) -> None:
        result = await self.ports.run_tool(call.name, call.arguments, call.call_id)
        await self._execute(self.session.on_tool_result(call.call_id, call.name, result))

    async def _carry_out(self, action: CarryOut) -> None:
        try:
            await self.ports.carry_out(action)
        finally:
            self._carried_out.set()

    async def _write_turns(self) -> None:
        # One writer keeps the transcript in spoken order and database writes off the audio path.
        while (turn := await self._turns.get()) is not None:
            try:
                await self.ports.record_turn(turn.role, turn.text)
            except Exception:  # a lost transcript line must not end the call
                log.exception("transcript_write_failed")

    async def _forward_caller(self) -> None:
        try:
            await self.ports.forward_caller()
        except Exception:
            log.exception("forward_after_upstream_loss_failed")


class BridgeRegistry:
    """The bridges running in this process (for metrics, graceful shutdown and tests)."""

    def __init__(self) -> None:
        self.active: set[Bridge] = set()
        self.last: Bridge | None = None

    @contextlib.asynccontextmanager
    async def track(self, bridge: Bridge) -> AsyncIterator[Bridge]:
        self.active.add(bridge)
        self.last = bridge
        try:
            yield bridge
        finally:
            self.active.discard(bridge)
