"""The bridge's transport with both sockets in memory: orderings the end-to-end tests cannot force."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

from starlette.websockets import WebSocketDisconnect

from tests.voice.test_realtime_session import CONFIG, audio
from voxi.voice.realtime.session import BridgeSession
from voxi.voice.realtime.transport import Bridge


class HungUpTwilio:
    """Twilio's socket just after the caller hung up: its `stop` is not read yet, and sending fails."""

    def __init__(self) -> None:
        self.sends = 0

    async def receive_text(self) -> str:
        await asyncio.Event().wait()  # the other pump reaches the closed socket first
        raise AssertionError("unreachable")

    async def send_text(self, text: str) -> None:
        self.sends += 1
        raise WebSocketDisconnect(1006)


class SpeakingUpstream:
    """A Realtime session that starts speaking at once."""

    def __init__(self) -> None:
        delta = {"type": "response.output_audio.delta", "item_id": "item_1", "delta": audio(20)}
        self._events = [json.dumps(delta).encode()] * 3

    async def send(self, text: str) -> None:
        pass

    async def recv(self) -> bytes:
        if self._events:
            return self._events.pop(0)
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def close(self) -> None:
        pass


class Connector:
    def __init__(self, upstream: SpeakingUpstream) -> None:
        self.upstream = upstream

    @contextlib.asynccontextmanager
    async def connect(self, model: str) -> AsyncIterator[SpeakingUpstream]:
        yield self.upstream


class Ports:
    def __init__(self) -> None:
        self.forwarded = False

    async def run_tool(self, name, arguments, tool_call_id):  # type: ignore[no-untyped-def]
        raise AssertionError("no tool is called")

    async def record_turn(self, role, text) -> None:  # type: ignore[no-untyped-def]
        pass

    async def carry_out(self, action) -> None:  # type: ignore[no-untyped-def]
        raise AssertionError("nothing is carried out")

    async def forward_caller(self) -> None:
        self.forwarded = True


async def test_audio_that_meets_a_hung_up_caller_ends_the_call_as_a_hang_up():
    twilio, ports = HungUpTwilio(), Ports()
    bridge = Bridge(twilio, BridgeSession("MZ0001", CONFIG), ports)  # type: ignore[arg-type]

    ending = await asyncio.wait_for(bridge.run(Connector(SpeakingUpstream())), 5)

    assert ending == bridge.ending == "hangup"
    assert twilio.sends == 1  # the first frame found the caller gone; nothing more was tried
    assert not ports.forwarded  # a caller who hung up is not called back through forwarding
    assert not bridge.tasks and all(task.done() for task in bridge.finished)
