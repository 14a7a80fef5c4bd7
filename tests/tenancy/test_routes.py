from __future__ import annotations

from sqlalchemy import event

from tests.factories.tenancy import make_tenant, owner_headers


async def test_owner_reads_their_business(client, db, settings):
    acme = await make_tenant(db, name="Acme Plumbing", industry="plumbing")
    response = await client.get("/api/v1/business", headers=owner_headers(settings, acme))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "Acme Plumbing"
    assert body["config"]["greeting"] == "Thanks for calling Acme Plumbing!"
    assert body["phoneNumbers"] == [acme.phone_number]
    assert body["config"]["services"][0]["name"] == "Leak repair"


async def test_an_api_request_reads_its_business_once(client, db, settings):
    acme = await make_tenant(db)
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.app_engine.sync_engine, "before_cursor_execute", seen)
    try:
        response = await client.get("/api/v1/business", headers=owner_headers(settings, acme))
    finally:
        event.remove(db.app_engine.sync_engine, "before_cursor_execute", seen)
    assert response.status_code == 200, response.text
    # The caller's tenant is checked once and kept for the route (one round trip, not two).
    assert sum(statement.startswith("SELECT tenants.") for statement in statements) == 1, statements


async def test_patch_changes_config_and_rejects_bad_phone(client, db, settings):
    acme = await make_tenant(db)
    headers = owner_headers(settings, acme)
    ok = await client.patch(
        "/api/v1/business",
        headers=headers,
        json={"greeting": "Hi from Acme!", "forwardingNumber": "(512) 555-0199"},
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["config"]["forwardingNumber"] == "+15125550199"
    bad = await client.patch("/api/v1/business", headers=headers, json={"emergencyNumber": "call me"})
    assert bad.status_code == 422
    assert "emergencyNumber" in bad.json()["error"]["fields"]
    again = await client.get("/api/v1/business", headers=headers)
    assert again.json()["config"]["greeting"] == "Hi from Acme!"


async def test_settings_changes_are_audited_without_values(client, db, settings):
    from sqlalchemy import select

    from voxi.admin.models import AuditLog

    acme = await make_tenant(db)
    await client.patch(
        "/api/v1/business",
        headers=owner_headers(settings, acme),
        json={"greeting": "Howdy!", "emergencyNumber": "+15125550111"},
    )
    async with db.cross_tenant("test: read audit") as session:
        entry = await session.scalar(select(AuditLog).where(AuditLog.tenant_id == acme.id))
    assert entry is not None and entry.action == "business.update"
    assert entry.actor == f"user:{acme.owner_id}"
    assert entry.details == {"fields": ["emergencyNumber", "greeting"]}


async def test_choosing_the_voice_engine_is_enterprise_only_and_empty_means_the_default(client, db, settings):
    starter = await make_tenant(db)
    refused = await client.patch(
        "/api/v1/business", headers=owner_headers(settings, starter), json={"voiceEngine": "openai"}
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "plan_required"
    assert "Enterprise" in refused.json()["error"]["message"]

    enterprise = await make_tenant(db, plan="ENTERPRISE")
    headers = owner_headers(settings, enterprise)
    chosen = await client.patch("/api/v1/business", headers=headers, json={"voiceEngine": "openai"})
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["config"]["voiceEngine"] == "openai"
    unknown = await client.patch("/api/v1/business", headers=headers, json={"voiceEngine": "siri"})
    assert unknown.status_code == 422
    cleared = await client.patch("/api/v1/business", headers=headers, json={"voiceEngine": ""})
    assert cleared.json()["config"]["voiceEngine"] is None


async def test_booking_rules_default_then_change_key_by_key_and_reject_nonsense(client, db, settings):
    acme = await make_tenant(db)
    headers = owner_headers(settings, acme)
    shown = (await client.get("/api/v1/business", headers=headers)).json()["config"]["bookingRules"]
    assert shown == {
        "minNoticeHours": 2,
        "horizonDays": 30,
        "capacity": 1,
        "slotMinutes": 60,
        "holdMinutes": 5,
    }
    first = await client.patch("/api/v1/business", headers=headers, json={"bookingRules": {"capacity": 3}})
    assert first.status_code == 200, first.text
    second = await client.patch(
        "/api/v1/business", headers=headers, json={"bookingRules": {"horizonDays": 60}}
    )
    assert second.json()["config"]["bookingRules"] == {**shown, "capacity": 3, "horizonDays": 60}
    bad = await client.patch(
        "/api/v1/business", headers=headers, json={"bookingRules": {"capacity": 0, "slotMinutes": 20}}
    )
    assert bad.status_code == 422
    assert (await client.get("/api/v1/business", headers=headers)).json()["config"]["bookingRules"][
        "capacity"
    ] == 3
