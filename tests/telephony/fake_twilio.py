"""A local fake of the Twilio REST API (the parts Voxi uses), served by uvicorn on 127.0.0.1.

Twilio's async SDK uses aiohttp, which respx cannot see, so the real SDK talks HTTP to this server.
"""

from __future__ import annotations

import itertools
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

PREFIX = "/2010-04-01/Accounts/{account}"


@dataclass
class FakeTwilio:
    stock: dict[str, list[str]] = field(default_factory=dict)  # area code → numbers for sale
    owned: dict[str, dict] = field(default_factory=dict)  # sid → record
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)  # method, path, params
    calls: dict[str, str] = field(default_factory=dict)  # call sid → twiml (redirected or placed)
    placed: list[dict[str, str]] = field(default_factory=list)  # params of each outbound call created
    fail_next: int = 0  # answer the next N requests with a 500
    _sids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    base_url: str = ""

    def _record(self, sid: str, e164: str, params: dict[str, str]) -> dict:
        return {
            "sid": sid,
            "phone_number": e164,
            "voice_url": params.get("VoiceUrl"),
            "voice_method": params.get("VoiceMethod", "POST"),
            "status_callback": params.get("StatusCallback"),
            "sms_url": params.get("SmsUrl"),
            "sms_method": params.get("SmsMethod", "POST"),
        }

    def app(self) -> Starlette:
        async def remember(request: Request) -> dict[str, str] | Response:
            params = dict(request.query_params) | dict(await request.form())
            self.requests.append((request.method, request.url.path, params))
            if self.fail_next:
                self.fail_next -= 1
                return JSONResponse(
                    {"code": 20500, "message": "Internal error", "status": 500}, status_code=500
                )
            return params

        def page(key: str, items: list[dict]) -> JSONResponse:
            return JSONResponse({key: items, "next_page_uri": None, "page": 0, "page_size": 50, "uri": "/"})

        async def available(request: Request) -> Response:
            params = await remember(request)
            if isinstance(params, Response):
                return params
            numbers = self.stock.get(params.get("AreaCode", ""), [])[: int(params.get("PageSize", 50))]
            items = [{"phone_number": n, "locality": "Austin", "region": "TX"} for n in numbers]
            return page("available_phone_numbers", items)

        async def incoming(request: Request) -> Response:
            params = await remember(request)
            if isinstance(params, Response):
                return params
            if request.method == "GET":
                wanted = params.get("PhoneNumber")
                items = [r for r in self.owned.values() if wanted in (None, r["phone_number"])]
                return page("incoming_phone_numbers", items)
            sid = f"PN{next(self._sids):032d}"
            e164 = params["PhoneNumber"]
            for numbers in self.stock.values():
                if e164 in numbers:
                    numbers.remove(e164)
            self.owned[sid] = self._record(sid, e164, params)
            return JSONResponse(self.owned[sid], status_code=201)

        async def one_number(request: Request) -> Response:
            params = await remember(request)
            if isinstance(params, Response):
                return params
            sid = request.path_params["sid"]
            if sid not in self.owned:
                return JSONResponse({"code": 20404, "message": "Not found", "status": 404}, status_code=404)
            if request.method == "DELETE":
                del self.owned[sid]
                return Response(status_code=204)
            record = self.owned[sid]
            self.owned[sid] = self._record(sid, record["phone_number"], {**params})
            return JSONResponse(self.owned[sid])

        async def call(request: Request) -> Response:
            params = await remember(request)
            if isinstance(params, Response):
                return params
            self.calls[request.path_params["sid"]] = params["Twiml"]
            return JSONResponse({"sid": request.path_params["sid"], "status": "in-progress"})

        async def create_call(request: Request) -> Response:
            params = await remember(request)
            if isinstance(params, Response):
                return params
            sid = f"CA{next(self._sids):032d}"
            self.placed.append(params)
            self.calls[sid] = params["Twiml"]
            record = {"sid": sid, "to": params["To"], "from": params["From"], "status": "queued"}
            return JSONResponse(record, status_code=201)

        return Starlette(
            routes=[
                Route(PREFIX + "/AvailablePhoneNumbers/US/Local.json", available, methods=["GET"]),
                Route(PREFIX + "/IncomingPhoneNumbers.json", incoming, methods=["GET", "POST"]),
                Route(PREFIX + "/IncomingPhoneNumbers/{sid}.json", one_number, methods=["POST", "DELETE"]),
                Route(PREFIX + "/Calls.json", create_call, methods=["POST"]),
                Route(PREFIX + "/Calls/{sid}.json", call, methods=["POST"]),
            ]
        )


@contextmanager
def serve_fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(fake.app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.01)
    fake.base_url = f"http://127.0.0.1:{port}"
    try:
        yield fake
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()
