"""Bad input and failures get clear 4xx/5xx JSON errors; never a stack trace."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import insert

from tests.factories.tenancy import make_tenant, owner_headers
from voxi.auth.models import User
from voxi.deps import SessionDep


async def test_oversized_bodies_are_413(client, db, settings):
    acme = await make_tenant(db)
    big = "x" * (settings.max_body_bytes + 1)
    declared = await client.patch("/api/v1/business", headers=owner_headers(settings, acme), content=big)
    assert declared.status_code == 413
    assert declared.json()["error"]["code"] == "payload_too_large"

    async def chunks():
        for _ in range(settings.max_body_bytes // 65536 + 2):
            yield b"x" * 65536

    streamed = await client.post(
        "/api/auth/token", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413


async def test_invalid_ids_and_fields_are_422_with_fields(client, db, settings):
    acme = await make_tenant(db)
    headers = owner_headers(settings, acme)
    bad_id = await client.delete("/api/v1/api-keys/not-a-uuid", headers=headers)
    assert bad_id.status_code == 422
    assert "key_id" in bad_id.json()["error"]["fields"]
    bad = await client.patch(
        "/api/v1/business",
        headers=headers,
        json={"timezone": "Mars/Olympus", "businessHours": {"mon": [["18:00", "09:00"]]}},
    )
    assert bad.status_code == 422
    assert set(bad.json()["error"]["fields"]) == {"timezone", "businessHours"}
    not_json = await client.post("/api/auth/token", content="{", headers={"content-type": "application/json"})
    assert not_json.status_code == 422


async def test_unknown_route_is_json_404_and_browser_gets_a_page(client):
    api = await client.get("/api/v1/nothing-here")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    page = await client.get("/nothing-here", headers={"accept": "text/html"})
    assert page.status_code == 404 and "<html" in page.text


async def test_unexpected_errors_never_leak_a_trace(app, client):
    router = APIRouter()

    @router.get("/api/boom")
    async def boom() -> None:
        raise RuntimeError("secret internal detail")

    app.include_router(router)
    response = await client.get("/api/boom")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "secret" not in response.text and "Traceback" not in response.text


async def test_health_readiness_metrics_and_docs(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert (
        ready.status_code == 200
        and ready.json()["migrations"]["current"] == ready.json()["migrations"]["head"]
    )
    assert "voxi_http_requests_total" in (await client.get("/metrics")).text
    schema = (await client.get("/openapi.json")).json()
    assert {"/api/auth/token", "/api/v1/business", "/api/v1/api-keys"} <= set(schema["paths"])
    assert (await client.get("/docs")).status_code == 200


async def test_responses_carry_security_headers_and_request_id(client):
    response = await client.get("/healthz", headers={"x-request-id": "req-123"})
    assert response.headers["x-request-id"] == "req-123"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_a_unique_key_race_is_a_409_not_a_500(app, client, db):
    router = APIRouter()

    @router.post("/api/race")
    async def race(session: SessionDep) -> None:
        for _ in range(2):
            await session.execute(insert(User).values(email="same@example.com", name="x", password_hash="h"))

    app.include_router(router)
    response = await client.post("/api/race")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


async def test_the_call_audio_webhook_has_its_own_larger_limit(client, settings):
    body = b"x" * (settings.max_body_bytes + 1)
    # Past the general limit but within the audio webhook's: it reaches the route (and its signature check).
    response = await client.post("/api/elevenlabs/post-call", content=body)
    assert response.status_code == 401
    too_big = await client.post(
        "/api/elevenlabs/post-call",
        content=b"x",
        headers={"content-length": str(settings.max_audio_webhook_bytes + 1)},
    )
    assert too_big.status_code == 413
