"""The bench's baseline: the thinnest possible websocket relay (no parsing, no state), on the same uvicorn.

`RELAY_UPSTREAM` is the upstream websocket URL. Whatever the bridge costs beyond this is its own work.
"""

from __future__ import annotations

import asyncio
import contextlib
import os

import websockets
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect


async def relay(websocket: WebSocket) -> None:
    await websocket.accept()
    async with websockets.connect(os.environ["RELAY_UPSTREAM"], compression=None, max_size=None) as upstream:

        async def down() -> None:
            async for message in upstream:
                await websocket.send_text(message if isinstance(message, str) else message.decode())

        async def up() -> None:
            with contextlib.suppress(WebSocketDisconnect):
                while True:
                    await upstream.send(await websocket.receive_text())

        tasks = [asyncio.create_task(down()), asyncio.create_task(up())]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def healthz(_request: object) -> PlainTextResponse:
    return PlainTextResponse("ok")


def create_app() -> Starlette:
    return Starlette(routes=[WebSocketRoute("/relay", relay), Route("/healthz", healthz)])
