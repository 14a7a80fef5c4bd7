"""`POST /api/tools/{tool}`: the tools secret, the tenant from business_id checked against the call."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select

from tests.factories.calls import make_call
from tests.factories.scheduling import ALWAYS_OPEN, make_bookable_tenant
from voxi.app import create_app
from voxi.calls.models import Message
from voxi.core.db import activate_tenant
from voxi.core.settings import Settings


def secret_headers(settings: Settings) -> dict[str, str]:
    return {"X-Voxi-Tools-Secret": settings.derived_secret("tools")}


async def test_a_tool_runs_for_the_business_named_in_the_body(client, db, settings):
    acme = await make_bookable_tenant(db, timezone="UTC", hours=ALWAYS_OPEN)
    response = await client.post(
        "/api/tools/get_business_info",
        headers=secret_headers(settings),
        json={"business_id": str(acme.id), "topic": "services", "tool_call_id": "t1"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["say"] == "We offer AC repair (1 hour)."


async def test_missing_or_wrong_secret_is_401(client, db, settings):
    acme = await make_bookable_tenant(db)
    body = {"business_id": str(acme.id)}
    missing = await client.post("/api/tools/get_business_info", json=body)
    wrong = await client.post(
        "/api/tools/get_business_info", json=body, headers={"X-Voxi-Tools-Secret": "nope"}
    )
    assert missing.status_code == wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "unauthorized"


async def test_a_configured_secret_replaces_the_derived_one(db, settings):
    configured = settings.model_copy(update={"tools_secret": "configured-tools-secret"})
    app = create_app(configured, db=db)
    acme = await make_bookable_tenant(db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        body = {"business_id": str(acme.id)}
        derived = await client.post("/api/tools/end_call", json=body, headers=secret_headers(settings))
        good = await client.post(
            "/api/tools/end_call", json=body, headers={"X-Voxi-Tools-Secret": "configured-tools-secret"}
        )
    assert derived.status_code == 401
    assert good.status_code == 200 and good.json()["action"] == "end_call"


async def test_without_a_secret_outside_development_the_route_is_unavailable(db, settings):
    production = Settings(
        _env_file=None,
        voxi_env="production",
        voxi_secret_key=settings.voxi_secret_key,
        database_url=settings.database_url,
    )
    app = create_app(production, db=db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        response = await client.post("/api/tools/end_call", json={"business_id": str(uuid.uuid4())})
    assert response.status_code == 503
    assert response.json()["error"]["message"] == "Tools are not configured: set TOOLS_SECRET."


async def test_a_call_of_another_business_or_an_unknown_business_is_404(client, db, settings):
    acme = await make_bookable_tenant(db)
    bolt = await make_bookable_tenant(db)
    bolt_call = await make_call(db, bolt.id, call_sid="CA-bolt")
    assert bolt_call
    headers = secret_headers(settings)
    mismatch = await client.post(
        "/api/tools/take_message",
        headers=headers,
        json={"business_id": str(acme.id), "call_sid": "CA-bolt", "message": "hello"},
    )
    assert mismatch.status_code == 404
    unknown = await client.post(
        "/api/tools/end_call", headers=headers, json={"business_id": str(uuid.uuid4())}
    )
    garbage = await client.post("/api/tools/end_call", headers=headers, json={"business_id": "acme"})
    assert unknown.status_code == garbage.status_code == 404
    own = await client.post(
        "/api/tools/take_message",
        headers=headers,
        json={"business_id": str(bolt.id), "call_sid": "CA-bolt", "message": "hello", "tool_call_id": "x"},
    )
    assert own.status_code == 200 and own.json()["ok"] is True


async def test_tool_level_failures_are_200_with_a_sayable_sentence_and_replays_are_stored(
    client, db, settings
):
    acme = await make_bookable_tenant(db, timezone="UTC", hours=ALWAYS_OPEN)
    await make_call(db, acme.id, call_sid="CA-acme")
    headers = secret_headers(settings)
    body = {"business_id": str(acme.id), "call_sid": "CA-acme", "tool_call_id": "tc-9", "service": "Plumbing"}
    first = await client.post("/api/tools/check_availability", headers=headers, json=body)
    assert first.status_code == 200
    assert first.json() == {
        "ok": False,
        "say": "We don't offer that service. We offer: AC repair.",
        "data": {"error": "validation_error"},
        "action": None,
        "transferTo": None,
    }
    message = {
        "business_id": str(acme.id),
        "call_sid": "CA-acme",
        "tool_call_id": "tc-10",
        "message": "Call me",
    }
    one = await client.post("/api/tools/take_message", headers=headers, json=message)
    two = await client.post("/api/tools/take_message", headers=headers, json=message)
    assert one.json() == two.json()
    async with db.sessions() as session:
        await activate_tenant(session, acme.id)
        assert list(await session.scalars(select(Message.body))) == ["Call me"]


async def test_without_a_tool_call_id_the_same_arguments_in_one_call_are_one_request(client, db, settings):
    # ElevenLabs server tools send no tool-call id: a retried booking must not book twice.
    acme = await make_bookable_tenant(db, timezone="UTC", hours=ALWAYS_OPEN)
    await make_call(db, acme.id, call_sid="CA-retry")
    headers = secret_headers(settings)
    message = {"business_id": str(acme.id), "call_sid": "CA-retry", "message": "Please call back"}
    one = await client.post("/api/tools/take_message", headers=headers, json=message)
    retried = await client.post("/api/tools/take_message", headers=headers, json=message)
    other = await client.post(
        "/api/tools/take_message", headers=headers, json={**message, "message": "And again"}
    )
    assert one.json() == retried.json() and other.json()["ok"] is True
    async with db.sessions() as session:
        await activate_tenant(session, acme.id)
        bodies = sorted(await session.scalars(select(Message.body)))
    assert bodies == ["And again", "Please call back"]
