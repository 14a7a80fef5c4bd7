from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from tests.factories.admin import admin_headers, make_platform_admin
from tests.factories.tenancy import make_tenant, owner_headers
from voxi.admin.models import AuditLog
from voxi.calls.models import CallLog
from voxi.customers.models import Customer
from voxi.scheduling.models import Appointment
from voxi.tenancy.models import Tenant, TenantUsage

NEW_TENANT = {
    "name": "Bluebonnet Plumbing",
    "industry": "plumbing",
    "plan": "PROFESSIONAL",
    "timezone": "America/Chicago",
    "phoneNumber": "(737) 555-0142",
    "ownerName": "Rosa Diaz",
    "ownerEmail": "Rosa@Bluebonnet.example",
    "ownerPassword": "pipes-and-valves-42",
}

ADMIN_ROUTES = [
    ("POST", "/admin/tenants", NEW_TENANT),
    ("GET", "/admin/tenants", None),
    ("GET", "/admin/tenants/{id}", None),
    ("PATCH", "/admin/tenants/{id}", {"plan": "ENTERPRISE"}),
    ("DELETE", "/admin/tenants/{id}", None),
    ("POST", "/admin/tenants/{id}/api-keys", {"name": "zapier"}),
    ("GET", "/admin/tenants/{id}/usage", None),
    ("GET", "/admin/metrics", None),
]


@pytest.fixture
async def admin(db, settings):
    user = await make_platform_admin(db, "ops@voxi.test")
    return admin_headers(settings, user.id)


async def audit_rows(db, action: str) -> list[AuditLog]:
    async with db.cross_tenant("test reads audit") as session:
        return list(
            await session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id))
        )


async def seed(db, *rows: object) -> None:
    async with db.cross_tenant("test seed") as session:
        session.add_all(rows)
        await session.commit()


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ROUTES)
async def test_admin_routes_refuse_owners_and_anonymous_callers(client, db, settings, method, path, body):
    acme = await make_tenant(db)
    url = path.format(id=acme.id)
    as_owner = await client.request(method, url, json=body, headers=owner_headers(settings, acme))
    assert as_owner.status_code == 403, as_owner.text
    assert as_owner.json()["error"]["code"] == "forbidden"
    anonymous = await client.request(method, url, json=body)
    assert anonymous.status_code == 401
    async with db.cross_tenant("test check") as session:
        assert (await session.get(Tenant, acme.id)).plan == "STARTER"
        assert await session.scalar(select(Tenant.id).where(Tenant.name == NEW_TENANT["name"])) is None


async def test_expired_admin_token_is_refused(client, db, settings):
    user = await make_platform_admin(db)
    response = await client.get(
        "/admin/metrics", headers=admin_headers(settings, user.id, ttl=timedelta(minutes=-1))
    )
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


async def test_create_tenant_gives_the_owner_a_working_login(client, db, admin):
    response = await client.post("/admin/tenants", headers=admin, json=NEW_TENANT)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["name"] == "Bluebonnet Plumbing"
    assert (body["plan"], body["status"], body["industry"]) == ("PROFESSIONAL", "TRIAL", "plumbing")
    assert body["ownerEmail"] == "rosa@bluebonnet.example"
    assert body["phoneNumbers"] == ["+17375550142"]
    assert body["config"]["greeting"] == "Thanks for calling Bluebonnet Plumbing!"
    assert body["deactivatedAt"] is None

    login = await client.post(
        "/api/auth/token", json={"email": "rosa@bluebonnet.example", "password": NEW_TENANT["ownerPassword"]}
    )
    assert login.status_code == 200, login.text
    business = await client.get(
        "/api/v1/business", headers={"Authorization": f"Bearer {login.json()['token']}"}
    )
    assert business.status_code == 200
    assert business.json()["id"] == body["id"]

    [audit] = await audit_rows(db, "tenant.create")
    assert (audit.actor, str(audit.tenant_id)) == ("ops@voxi.test", body["id"])
    assert audit.details["owner_email"] == "rosa@bluebonnet.example"
    assert NEW_TENANT["ownerPassword"] not in json.dumps(audit.details)


async def test_create_refuses_taken_email_and_routed_number(client, db, admin):
    acme = await make_tenant(db)
    same_email = await client.post(
        "/admin/tenants", headers=admin, json={**NEW_TENANT, "ownerEmail": acme.owner_email}
    )
    assert same_email.status_code == 409
    assert "ownerEmail" in same_email.json()["error"]["fields"]
    same_number = await client.post(
        "/admin/tenants", headers=admin, json={**NEW_TENANT, "phoneNumber": acme.phone_number}
    )
    assert same_number.status_code == 409
    async with db.cross_tenant("test check") as session:
        assert await session.scalar(select(Tenant.id).where(Tenant.name == NEW_TENANT["name"])) is None
    assert await audit_rows(db, "tenant.create") == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phoneNumber", "call me"),
        ("timezone", "Mars/Olympus"),
        ("industry", "roofing"),
        ("ownerEmail", "rosa"),
    ],
)
async def test_create_rejects_invalid_fields(client, admin, field, value):
    response = await client.post("/admin/tenants", headers=admin, json={**NEW_TENANT, field: value})
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == [field]


async def test_list_pages_newest_first_and_filters(client, db, admin):
    tenants = [await make_tenant(db, name=f"Shop {n}") for n in range(3)]
    await make_tenant(db, name="Pro Shop", plan="PROFESSIONAL", status="ACTIVE")

    first = (await client.get("/admin/tenants?perPage=2", headers=admin)).json()
    assert (first["total"], first["page"], first["perPage"]) == (4, 1, 2)
    assert [t["name"] for t in first["items"]] == ["Pro Shop", "Shop 2"]
    second = (await client.get("/admin/tenants?perPage=2&page=2", headers=admin)).json()
    assert [t["name"] for t in second["items"]] == ["Shop 1", "Shop 0"]
    assert second["items"][1]["ownerEmail"] == tenants[0].owner_email
    assert second["items"][1]["phoneNumbers"] == [tenants[0].phone_number]

    pro = (await client.get("/admin/tenants?plan=PROFESSIONAL&status=ACTIVE", headers=admin)).json()
    assert [t["name"] for t in pro["items"]] == ["Pro Shop"]
    trial = (await client.get("/admin/tenants?status=TRIAL", headers=admin)).json()
    assert trial["total"] == 3


async def test_list_rejects_bad_paging(client, admin):
    for query in ("page=0", "perPage=101", "status=GONE"):
        response = await client.get(f"/admin/tenants?{query}", headers=admin)
        assert response.status_code == 422, query


async def test_search_by_name_and_by_number(client, db, admin):
    await make_tenant(db, name="Lone Star HVAC", phone_number="+15125550101")
    await make_tenant(db, name="100%_Cool Air", phone_number="+12145550199")
    await make_tenant(db, name="100 Cool Air", phone_number="+17135550123")

    async def names(q: str) -> list[str]:
        response = await client.get("/admin/tenants", params={"q": q}, headers=admin)
        assert response.status_code == 200, response.text
        return sorted(t["name"] for t in response.json()["items"])

    assert await names("lone star") == ["Lone Star HVAC"]
    assert await names("100%_") == ["100%_Cool Air"]
    assert await names("512-555-0101") == ["Lone Star HVAC"]
    assert await names("(512) 555 0101") == ["Lone Star HVAC"]
    assert await names("5550101") == ["Lone Star HVAC"]
    assert await names("555") == []


async def test_get_tenant_and_missing_or_malformed_ids(client, db, admin):
    acme = await make_tenant(db, name="Acme Electric", industry="electrical")
    response = await client.get(f"/admin/tenants/{acme.id}", headers=admin)
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["ownerEmail"]) == ("Acme Electric", acme.owner_email)
    assert body["config"]["services"][0]["name"] == "Troubleshooting"
    missing = await client.get(f"/admin/tenants/{uuid.uuid4()}", headers=admin)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert (await client.get("/admin/tenants/not-a-uuid", headers=admin)).status_code == 422


async def test_patch_changes_fields_and_is_audited(client, db, admin):
    acme = await make_tenant(db)
    response = await client.patch(
        f"/admin/tenants/{acme.id}",
        headers=admin,
        json={"name": "Acme HVAC", "plan": "ENTERPRISE", "timezone": "America/Denver", "industry": "hvac"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["plan"], body["timezone"]) == ("Acme HVAC", "ENTERPRISE", "America/Denver")
    [audit] = await audit_rows(db, "tenant.update")
    assert audit.details["changes"] == {
        "name": {"from": acme.tenant.name, "to": "Acme HVAC"},
        "plan": {"from": "STARTER", "to": "ENTERPRISE"},
        "timezone": {"from": "America/New_York", "to": "America/Denver"},
    }
    bad = await client.patch(
        f"/admin/tenants/{acme.id}", headers=admin, json={"timezone": "Nowhere", "plan": "GOLD"}
    )
    assert bad.status_code == 422
    assert set(bad.json()["error"]["fields"]) == {"timezone", "plan"}
    missing = await client.patch(f"/admin/tenants/{uuid.uuid4()}", headers=admin, json={"plan": "ENTERPRISE"})
    assert missing.status_code == 404


async def test_delete_deactivates_keeps_data_and_patch_reactivates(client, db, settings, admin):
    acme = await make_tenant(db)
    deleted = await client.delete(f"/admin/tenants/{acme.id}", headers=admin)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["status"] == "SUSPENDED"
    deactivated_at = deleted.json()["deactivatedAt"]
    assert deactivated_at is not None

    again = await client.delete(f"/admin/tenants/{acme.id}", headers=admin)
    assert again.status_code == 200
    assert again.json()["deactivatedAt"] == deactivated_at
    [audit] = await audit_rows(db, "tenant.deactivate")
    assert audit.details == {"previous_status": "TRIAL"}

    kept = (await client.get(f"/admin/tenants/{acme.id}", headers=admin)).json()
    assert (kept["status"], kept["deactivatedAt"]) == ("SUSPENDED", deactivated_at)
    assert kept["ownerEmail"] == acme.owner_email
    assert kept["phoneNumbers"] == [acme.phone_number]

    reactivated = await client.patch(f"/admin/tenants/{acme.id}", headers=admin, json={"status": "ACTIVE"})
    assert (reactivated.json()["status"], reactivated.json()["deactivatedAt"]) == ("ACTIVE", None)
    assert (await client.delete(f"/admin/tenants/{uuid.uuid4()}", headers=admin)).status_code == 404


async def test_api_key_works_for_its_tenant_only(client, db, admin):
    acme = await make_tenant(db, name="Acme Heating")
    other = await make_tenant(db, name="Other Heating")
    response = await client.post(f"/admin/tenants/{acme.id}/api-keys", headers=admin, json={"name": "zapier"})
    assert response.status_code == 201, response.text
    key = response.json()["key"]
    assert response.json()["name"] == "zapier"

    business = await client.get("/api/v1/business", headers={"X-API-Key": key})
    assert business.status_code == 200
    assert business.json()["name"] == "Acme Heating"
    pointed_elsewhere = key.replace(acme.id.hex, other.id.hex)
    assert (await client.get("/api/v1/business", headers={"X-API-Key": pointed_elsewhere})).status_code == 401

    [audit] = await audit_rows(db, "tenant.api_key.create")
    assert audit.tenant_id == acme.id
    assert audit.details["name"] == "zapier"
    secret = key.split("_", 2)[2]
    assert secret not in json.dumps(audit.details)
    missing = await client.post(f"/admin/tenants/{uuid.uuid4()}/api-keys", headers=admin, json={"name": "x"})
    assert missing.status_code == 404


async def test_usage_counts_this_months_rows_and_lists_rollups(client, db, admin):
    acme = await make_tenant(db)
    other = await make_tenant(db)
    now = datetime.now(UTC)
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last_month = month_start - timedelta(hours=1)

    def call(tenant_id, sid, started_at, seconds):
        return CallLog(
            tenant_id=tenant_id,
            call_sid=sid,
            from_number="+15125550000",
            to_number="+15125550001",
            engine="simulator",
            started_at=started_at,
            duration_seconds=seconds,
        )

    crews = iter(range(1, 10))

    def appointment(tenant_id, created_at):
        return Appointment(
            tenant_id=tenant_id,
            service="AC repair",
            starts_at=now,
            ends_at=now + timedelta(hours=2),
            crew=next(crews),  # one crew cannot take two overlapping jobs (exclusion constraint)
            created_at=created_at,
        )

    await seed(
        db,
        call(acme.id, "CA1", now, 60),
        call(acme.id, "CA2", now, 95),
        call(acme.id, "CA3", last_month, 300),
        call(other.id, "CA4", now, 999),
        appointment(acme.id, now),
        appointment(acme.id, now),
        appointment(acme.id, last_month),
        appointment(other.id, now),
        *(Customer(tenant_id=acme.id, phone=f"+1512555020{n}") for n in range(3)),
        Customer(tenant_id=other.id, phone="+15125550299"),
        TenantUsage(tenant_id=acme.id, period_start=datetime(2024, 1, 1).date(), calls=10, call_seconds=600),
        TenantUsage(
            tenant_id=acme.id,
            period_start=datetime(2024, 2, 1).date(),
            calls=12,
            call_seconds=720,
            sms_sent=4,
            telephony_cost_cents=150,
            ai_cost_cents=90,
        ),
        TenantUsage(tenant_id=other.id, period_start=datetime(2024, 2, 1).date(), calls=99),
    )

    response = await client.get(f"/admin/tenants/{acme.id}/usage", headers=admin)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["currentMonth"] == {
        "periodStart": month_start.date().isoformat(),
        "calls": 2,
        "callSeconds": 155,
        "appointments": 2,
    }
    assert body["customers"] == 3
    assert [(m["periodStart"], m["calls"]) for m in body["months"]] == [
        ("2024-02-01", 12),
        ("2024-01-01", 10),
    ]
    assert body["months"][0] == {
        "periodStart": "2024-02-01",
        "calls": 12,
        "callSeconds": 720,
        "smsSent": 4,
        "telephonyCostCents": 150,
        "aiCostCents": 90,
    }


async def test_usage_is_zero_for_a_quiet_tenant(client, db, admin):
    acme = await make_tenant(db)
    body = (await client.get(f"/admin/tenants/{acme.id}/usage", headers=admin)).json()
    assert (body["currentMonth"]["calls"], body["currentMonth"]["callSeconds"]) == (0, 0)
    assert (body["currentMonth"]["appointments"], body["customers"], body["months"]) == (0, 0, [])
    assert (await client.get(f"/admin/tenants/{uuid.uuid4()}/usage", headers=admin)).status_code == 404


async def test_metrics_count_the_platform(client, db, admin):
    await make_tenant(db, plan="PROFESSIONAL")
    await make_tenant(db, status="ACTIVE")
    three_days_ago = await make_tenant(db, status="ACTIVE", plan="ENTERPRISE", phone_number=None)
    too_old = await make_tenant(db, status="CANCELED")
    today = datetime.now(UTC)
    async with db.cross_tenant("test backdates signups") as session:
        await session.execute(
            update(Tenant).where(Tenant.id == three_days_ago.id).values(created_at=today - timedelta(days=3))
        )
        await session.execute(
            update(Tenant).where(Tenant.id == too_old.id).values(created_at=today - timedelta(days=45))
        )
        await session.commit()

    response = await client.get("/admin/metrics", headers=admin)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["tenantsByStatus"] == {
        "PENDING": 0,
        "TRIAL": 1,
        "ACTIVE": 2,
        "PAST_DUE": 0,
        "SUSPENDED": 0,
        "CANCELED": 1,
    }
    assert body["tenantsByPlan"] == {"STARTER": 2, "PROFESSIONAL": 1, "ENTERPRISE": 1}
    signups = body["signupsPerDay"]
    assert len(signups) == 30
    assert list(signups)[-1] == today.date().isoformat()
    assert signups[today.date().isoformat()] == 2
    assert signups[(today - timedelta(days=3)).date().isoformat()] == 1
    assert sum(signups.values()) == 3
    assert body["totalUsers"] == 5  # four owners and the admin
    assert body["activeNumbers"] == 3
