"""Dashboard pages show stored UTC instants in the business's own timezone, DST included."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from tests.browser import log_in
from tests.factories.calls import make_call
from tests.factories.scheduling import ALWAYS_OPEN, make_bookable_tenant
from tests.factories.tenancy import OWNER_PASSWORD, make_tenant, owner_headers
from voxi.calls.models import CallLog
from voxi.web.timefmt import local_time

WINTER = datetime(2026, 1, 15, 17, 27, tzinfo=UTC)  # 11:27 AM CST (UTC-6)
SUMMER = datetime(2026, 7, 15, 17, 27, tzinfo=UTC)  # 12:27 PM CDT (UTC-5)


async def _call_at(db, tenant_id: uuid.UUID, started_at: datetime) -> uuid.UUID:
    call_id = await make_call(db, tenant_id)
    async with db.cross_tenant("test: pin the call's start") as session:
        await session.execute(update(CallLog).where(CallLog.id == call_id).values(started_at=started_at))
        await session.commit()
    return call_id


async def test_calls_show_in_the_business_timezone_on_dashboard_and_calls(visitor, db):
    chicago = await make_tenant(db, timezone="America/Chicago")
    winter = await _call_at(db, chicago.id, WINTER)
    await _call_at(db, chicago.id, SUMMER)
    await log_in(visitor, chicago.owner_email, OWNER_PASSWORD)

    for path in ("/dashboard", "/calls"):
        page = await visitor.get(path)
        assert page.status_code == 200
        assert "Jan 15, 11:27 AM CST" in page.text, path
        assert "Jul 15, 12:27 PM CDT" in page.text, path
        assert "17:27" not in page.text and "5:27 PM" not in page.text, path

    rows = await visitor.get("/calls", headers={"HX-Request": "true"})
    assert "<html" not in rows.text and "Jan 15, 11:27 AM CST" in rows.text
    detail = await visitor.get(f"/calls/{winter}")
    assert "Jan 15, 2026, 11:27 AM CST" in detail.text and "17:27" not in detail.text


async def test_same_instant_reads_differently_per_business(visitor, db):
    tokyo = await make_tenant(db, timezone="Asia/Tokyo")
    await _call_at(db, tokyo.id, WINTER)
    await log_in(visitor, tokyo.owner_email, OWNER_PASSWORD)
    assert "Jan 16, 2:27 AM JST" in (await visitor.get("/calls")).text


async def test_appointments_show_in_the_business_timezone_across_dst(visitor, client, db, settings):
    chicago = await make_bookable_tenant(db, timezone="America/Chicago", hours=ALWAYS_OPEN, horizon_days=800)
    year = datetime.now(UTC).year + 1  # both bookings in the future, one in each offset
    winter = datetime(year, 1, 14, 17, 0, tzinfo=UTC)  # 11:00 AM CST
    summer = datetime(year, 7, 14, 17, 0, tzinfo=UTC)  # 12:00 PM CDT
    for when, phone in ((winter, "+15125550147"), (summer, "+15125550148")):
        body = {
            "service": "AC repair",
            "startsAt": when.isoformat(),
            "customerName": "Maria Garcia",
            "customerPhone": phone,
            "address": "12 Oak St",
        }
        booked = await client.post(
            "/api/v1/appointments", headers=owner_headers(settings, chicago), json=body
        )
        assert booked.status_code == 201, booked.text
        assert booked.json()["startsAt"].startswith(when.strftime("%Y-%m-%dT17:00"))  # API stays UTC
    await log_in(visitor, chicago.owner_email, OWNER_PASSWORD)

    for when, shown in ((winter, "11:00 AM CST"), (summer, "12:00 PM CDT")):
        monday = when.date() - timedelta(days=when.weekday())
        week = await visitor.get(f"/appointments?week={monday}")
        assert week.status_code == 200
        assert shown in week.text and "Maria Garcia" in week.text


def test_local_time_filter_edge_cases():
    assert local_time(None, "America/Chicago") == ""
    assert local_time(WINTER.replace(tzinfo=None), "America/Chicago") == "Jan 15, 11:27 AM CST"
    assert local_time(SUMMER, None) == "Jul 15, 5:27 PM UTC"
    assert local_time(SUMMER, "Not/AZone") == "Jul 15, 5:27 PM UTC"
    assert local_time(SUMMER, "America/Chicago", "%Y-%m-%d %H:%M %Z") == "2026-07-15 12:27 CDT"
