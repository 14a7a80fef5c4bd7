"""The real Realtime connector: the official `openai` SDK's `client.realtime.connect(...)`.

The SDK opens the session (URL, model, auth headers, handshake); the bridge then reads and writes
frames straight on the `websockets` connection it opened. The bridge already speaks the GA JSON (see
`codec`), so the SDK's per-event model validation is not wanted, and its raw paths exist for its
reconnect feature: sending queues frames and looks up the current anyio task on every call (~6% of the
bridge's CPU at 200 calls), and `recv_bytes` adds a debug log call and reconnect bookkeeping to every
frame. Reconnect is left off: a dropped session forwards the caller instead (a half-remembered
conversation is worse).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from openai import AsyncOpenAI
from websockets.exceptions import ConnectionClosed

from voxi.voice.realtime.transport import RealtimeUpstream, UpstreamClosed


class OpenAIRealtimeConnector:
    """Connects to `{websocket_base_url or base_url→ws}/realtime?model=…` with the API key."""

    def __init__(self, api_key: str, base_url: str, websocket_base_url: str | None = None) -> None:
        self._client = AsyncOpenAI(
            api_key=api_key or "unset", base_url=base_url, websocket_base_url=websocket_base_url or None
        )

    @asynccontextmanager
    async def connect(self, model: str) -> AsyncIterator[RealtimeUpstream]:
        try:
            connection = await self._client.realtime.connect(model=model).enter()
        except Exception as exc:  # refused, handshake rejected, timed out: all mean "no AI for this call"
            raise UpstreamClosed(f"could not open a Realtime session: {exc}") from exc
        try:
            yield connection._connection  # the SDK's websockets connection (see above)
        finally:
            with contextlib.suppress(ConnectionClosed, OSError):  # already gone
                await connection.close()


def build_realtime_connector(api_key: str, base_url: str, websocket_base_url: str) -> OpenAIRealtimeConnector:
    return OpenAIRealtimeConnector(api_key, base_url, websocket_base_url or None)
