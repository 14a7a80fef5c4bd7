from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from tests.factories.tenancy import OWNER_PASSWORD, bearer, make_tenant, owner_headers
from voxi.auth.models import Role, TenantUser
from voxi.core.tenant_context import tenant_context


async def test_token_for_right_password_opens_the_tenant_api(client, db):
    acme = await make_tenant(db, name="Acme Electric", industry="electrical")
    response = await client.post(
        "/api/auth/token", json={"email": acme.owner_email.upper(), "password": OWNER_PASSWORD}
    )
    assert response.status_code == 200, response.text
    token = response.json()["token"]
    business = await client.get("/api/v1/business", headers={"Authorization": f"Bearer {token}"})
    assert business.status_code == 200
    assert business.json()["name"] == "Acme Electric"


async def test_wrong_password_and_unknown_email_get_the_same_401(client, db):
    acme = await make_tenant(db)
    wrong = await client.post("/api/auth/token", json={"email": acme.owner_email, "password": "nope-nope"})
    unknown = await client.post(
        "/api/auth/token", json={"email": "ghost@example.com", "password": "nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json()
        == unknown.json()
        == {"error": {"code": "unauthorized", "message": "The email or password is incorrect."}}
    )


async def test_login_is_rate_limited(client, db):
    acme = await make_tenant(db)
    statuses = [
        (
            await client.post("/api/auth/token", json={"email": acme.owner_email, "password": "bad-pass"})
        ).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    right = await client.post("/api/auth/token", json={"email": acme.owner_email, "password": OWNER_PASSWORD})
    assert right.status_code == 429  # the limit holds for the right password too


async def test_expired_forged_and_malformed_tokens_are_401(client, db, settings):
    acme = await make_tenant(db)
    expired = bearer(settings, acme.owner_id, acme.id, ttl=timedelta(seconds=-5))
    response = await client.get("/api/v1/business", headers=expired)
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]
    forged_settings = settings.model_copy(update={"voxi_secret_key": "x" * 40})
    for headers in (
        bearer(forged_settings, acme.owner_id, acme.id),
        {"Authorization": "Bearer not.a.jwt"},
        {},
    ):
        assert (await client.get("/api/v1/business", headers=headers)).status_code == 401


async def test_token_of_a_removed_member_stops_working(client, db, settings):
    acme = await make_tenant(db)
    headers = owner_headers(settings, acme)
    with tenant_context(acme.id):
        async with db.sessions() as session:
            membership = await session.scalar(select(TenantUser))
            await session.delete(membership)
            await session.commit()
    assert (await client.get("/api/v1/business", headers=headers)).status_code == 401


async def test_api_keys_are_shown_once_hashed_and_revocable(client, db, settings):
    acme = await make_tenant(db, plan="ENTERPRISE")
    headers = owner_headers(settings, acme)
    created = await client.post("/api/v1/api-keys", headers=headers, json={"name": "Zapier"})
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith("vxk_") and created.json()["prefix"][-6:] in key
    listed = (await client.get("/api/v1/api-keys", headers=headers)).json()
    assert [k["name"] for k in listed] == ["Zapier"] and "key" not in listed[0]
    assert (await client.get("/api/v1/business", headers={"X-API-Key": key})).status_code == 200
    revoked = await client.delete(f"/api/v1/api-keys/{created.json()['id']}", headers=headers)
    assert revoked.status_code == 204
    assert (await client.get("/api/v1/business", headers={"X-API-Key": key})).status_code == 401


async def test_tampered_api_keys_are_rejected(client, db, settings):
    acme, other = await make_tenant(db, plan="ENTERPRISE"), await make_tenant(db)
    key = (
        await client.post("/api/v1/api-keys", headers=owner_headers(settings, acme), json={"name": "k"})
    ).json()["key"]
    pointed_elsewhere = key.replace(acme.id.hex, other.id.hex)
    for bad in (
        pointed_elsewhere,
        key[:-2] + "xx",
        "vxk_nothex_abc",
        "not-a-key",
        f"vxk_{uuid.uuid4().hex}_",
    ):
        assert (await client.get("/api/v1/business", headers={"X-API-Key": bad})).status_code == 401


async def test_staff_cannot_manage_keys_or_settings(client, db, settings):
    acme = await make_tenant(db)
    with tenant_context(acme.id):
        async with db.sessions() as session:
            membership = await session.scalar(select(TenantUser))
            membership.role = Role.STAFF
            await session.commit()
    headers = owner_headers(settings, acme)
    assert (await client.get("/api/v1/business", headers=headers)).status_code == 200
    assert (await client.post("/api/v1/api-keys", headers=headers, json={"name": "k"})).status_code == 403
    assert (
        await client.patch("/api/v1/business", headers=headers, json={"greeting": "x"})
    ).status_code == 403


async def test_a_deactivated_business_is_locked_out(client, db, settings):
    from voxi.tenancy.models import Tenant

    acme = await make_tenant(db, plan="ENTERPRISE")
    headers = owner_headers(settings, acme)
    key = (await client.post("/api/v1/api-keys", headers=headers, json={"name": "k"})).json()["key"]
    async with db.cross_tenant("test: deactivate") as session:
        tenant = await session.get(Tenant, acme.id)
        tenant.deactivated_at = tenant.created_at
        await session.commit()
    for auth in (headers, {"X-API-Key": key}):
        response = await client.get("/api/v1/api-keys", headers=auth)
        assert response.status_code == 403
        assert "deactivated" in response.json()["error"]["message"]
