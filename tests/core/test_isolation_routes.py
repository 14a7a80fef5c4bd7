"""For every tenant route that names an object: tenant B gets 404 on tenant A's object and changes nothing.

A new `/api/v1/...{id}` route fails `test_every_object_route_is_covered` until it is added to OBJECT_ROUTES.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

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


OBJECT_ROUTES: dict[tuple[str, str], ObjectRoute] = {
    ("DELETE", "/api/v1/api-keys/{key_id}"): ObjectRoute(_create_api_key, _api_key_still_listed),
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
    a: TenantFixture = await make_tenant(db)
    b: TenantFixture = await make_tenant(db)
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
