"""For every tenant route that names an object: tenant B gets 404 on tenant A's object and changes nothing.

A new `/api/v1/...{id}` route fails `test_every_object_route_is_covered` until it is added to OBJECT_ROUTES.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from tests.factories.tenancy import TenantFixture, make_tenant, owner_headers


@dataclass
class ObjectRoute:
    create: Callable[[httpx.AsyncClient, dict[str, str]], Awaitable[str]]  # A's object → its id
    unchanged: Callable[[httpx.AsyncClient, dict[str, str], str], Awaitable[bool]]


async def _create_api_key(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.post("/api/v1/api-keys", headers=headers, json={"name": "A's key"})
    return response.json()["id"]


async def _api_key_still_listed(client: httpx.AsyncClient, headers: dict[str, str], key_id: str) -> bool:
    keys = (await client.get("/api/v1/api-keys", headers=headers)).json()
    return any(key["id"] == key_id for key in keys)


async def _create_call_recording(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    # Recordings only arrive through ElevenLabs' post-call job; write one the way the job does.
    from tests.factories.voice import make_call_with_recording

    tenant_id = (await client.get("/api/v1/business", headers=headers)).json()["id"]
    return str(await make_call_with_recording(client._transport.app.state.db, tenant_id))  # type: ignore[attr-defined]


async def _recording_still_served(client: httpx.AsyncClient, headers: dict[str, str], call_id: str) -> bool:
    return (await client.get(f"/api/v1/calls/{call_id}/recording", headers=headers)).status_code == 200


async def _create_message(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.post("/api/v1/messages", headers=headers, json={"body": "Call A back"})
    return response.json()["id"]


async def _message_still_new(client: httpx.AsyncClient, headers: dict[str, str], message_id: str) -> bool:
    message = (await client.get(f"/api/v1/messages/{message_id}", headers=headers)).json()
    return message["status"] == "new"


async def _create_call(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    from tests.factories.calls import make_call

    tenant_id = (await client.get("/api/v1/business", headers=headers)).json()["id"]
    return str(await make_call(client._transport.app.state.db, tenant_id))  # type: ignore[attr-defined]


async def _call_still_there(client: httpx.AsyncClient, headers: dict[str, str], call_id: str) -> bool:
    return (await client.get(f"/api/v1/calls/{call_id}", headers=headers)).json()["outcome"] == "info"


_booking_hours = itertools.count(24, 3)


async def _create_appointment(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    hour = next(_booking_hours)  # 3 hours apart: one crew cannot take two overlapping 2-hour jobs
    start = (datetime.now(UTC) + timedelta(hours=hour)).replace(minute=0, second=0, microsecond=0)
    body = {
        "service": "AC repair",
        "startsAt": start.isoformat(),
        "customerName": "Ann A",
        "customerPhone": f"+1512555{hour % 10000:04d}",
    }
    response = await client.post("/api/v1/appointments", headers=headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def _still_booked(client: httpx.AsyncClient, headers: dict[str, str], appointment_id: str) -> bool:
    appointment = (await client.get(f"/api/v1/appointments/{appointment_id}", headers=headers)).json()
    return appointment["status"] == "booked"


async def _create_customer(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    appointment_id = await _create_appointment(client, headers)
    appointment = (await client.get(f"/api/v1/appointments/{appointment_id}", headers=headers)).json()
    return appointment["customer"]["id"]


async def _customer_still_named(client: httpx.AsyncClient, headers: dict[str, str], customer_id: str) -> bool:
    return (await client.get(f"/api/v1/customers/{customer_id}", headers=headers)).json()["name"] == "Ann A"


OBJECT_ROUTES: dict[tuple[str, str], ObjectRoute] = {
    ("GET", "/api/v1/appointments/{appointment_id}"): ObjectRoute(_create_appointment, _still_booked),
    ("PATCH", "/api/v1/appointments/{appointment_id}"): ObjectRoute(_create_appointment, _still_booked),
    ("DELETE", "/api/v1/appointments/{appointment_id}"): ObjectRoute(_create_appointment, _still_booked),
    ("GET", "/api/v1/customers/{customer_id}"): ObjectRoute(_create_customer, _customer_still_named),
    ("PATCH", "/api/v1/customers/{customer_id}"): ObjectRoute(_create_customer, _customer_still_named),
    ("GET", "/api/v1/calls/{call_id}"): ObjectRoute(_create_call, _call_still_there),
    ("GET", "/api/v1/messages/{message_id}"): ObjectRoute(_create_message, _message_still_new),
    ("PATCH", "/api/v1/messages/{message_id}"): ObjectRoute(_create_message, _message_still_new),
    ("DELETE", "/api/v1/api-keys/{key_id}"): ObjectRoute(_create_api_key, _api_key_still_listed),
    ("GET", "/api/v1/calls/{call_id}/recording"): ObjectRoute(
        _create_call_recording, _recording_still_served
    ),
}


def _object_routes(app) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/v1/") and "{" in path
        for method in operations
    }


def test_every_object_route_is_covered(app):
    assert _object_routes(app) == set(OBJECT_ROUTES)


async def test_tenant_b_gets_404_on_tenant_a_objects_and_changes_nothing(client, db, settings):
    # Top plan: every gated feature's routes are reachable, so the 404 comes from isolation alone.
    a: TenantFixture = await make_tenant(db, plan="ENTERPRISE")
    b: TenantFixture = await make_tenant(db, plan="ENTERPRISE")
    a_headers, b_headers = owner_headers(settings, a), owner_headers(settings, b)
    for (method, path), spec in OBJECT_ROUTES.items():
        object_id = await spec.create(client, a_headers)
        url = path.replace(path[path.index("{") : path.index("}") + 1], object_id)
        response = await client.request(
            method, url, headers=b_headers, json={} if method in ("PATCH", "PUT") else None
        )
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["error"]["code"] == "not_found"
        assert await spec.unchanged(client, a_headers, object_id), (method, path)


async def test_singleton_routes_show_each_tenant_only_itself(client, db, settings):
    a, b = await make_tenant(db, name="Alpha Air"), await make_tenant(db, name="Bravo Plumbing")
    seen_by_b = (await client.get("/api/v1/business", headers=owner_headers(settings, b))).json()
    assert seen_by_b["name"] == "Bravo Plumbing" and seen_by_b["id"] == str(b.id)
    await client.patch("/api/v1/business", headers=owner_headers(settings, b), json={"name": "Bravo Renamed"})
    seen_by_a = (await client.get("/api/v1/business", headers=owner_headers(settings, a))).json()
    assert seen_by_a["name"] == "Alpha Air"
    assert (await client.get("/api/v1/api-keys", headers=owner_headers(settings, b))).json() == []
