"""The appointments API and the iCalendar feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from tests.factories.scheduling import ALWAYS_OPEN, make_bookable_tenant
from tests.factories.tenancy import owner_headers
from voxi.core.db import activate_tenant
from voxi.scheduling.calendar import ensure_calendar_token
from voxi.tenancy.models import Tenant


def future(hours: int) -> str:
    start = (datetime.now(UTC) + timedelta(days=2, hours=hours)).replace(minute=0, second=0, microsecond=0)
    return start.isoformat().replace("+00:00", "Z")


async def test_create_list_reschedule_and_cancel_through_the_api(client, db, settings):
    acme = await make_bookable_tenant(db, timezone="UTC", hours=ALWAYS_OPEN)
    headers = owner_headers(settings, acme)
    body = {
        "service": "AC repair",
        "startsAt": future(0),
        "customerName": "Maria Garcia",
        "customerPhone": "(512) 555-0147",
        "address": "12 Oak St",
    }
    created = await client.post("/api/v1/appointments", headers=headers, json=body)
    assert created.status_code == 201, created.text
    appointment = created.json()
    assert appointment["customer"]["phone"] == "+15125550147" and appointment["status"] == "booked"

    clash = await client.post("/api/v1/appointments", headers=headers, json={**body, "customerPhone": None})
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "slot_unavailable"

    listed = await client.get(
        "/api/v1/appointments", headers=headers, params={"from": future(-1), "to": future(1)}
    )
    assert [a["id"] for a in listed.json()] == [appointment["id"]]
    empty = await client.get("/api/v1/appointments", headers=headers, params={"from": future(5)})
    assert empty.json() == []

    moved = await client.patch(
        f"/api/v1/appointments/{appointment['id']}",
        headers=headers,
        json={"startsAt": future(3), "notes": "Gate code 42"},
    )
    assert moved.status_code == 200
    assert moved.json()["startsAt"] == future(3) and moved.json()["notes"] == "Gate code 42"

    canceled = await client.delete(f"/api/v1/appointments/{appointment['id']}", headers=headers)
    assert canceled.json()["status"] == "canceled"
    rebooked_time = await client.post(
        "/api/v1/appointments", headers=headers, json={**body, "startsAt": future(3)}
    )
    assert rebooked_time.status_code == 201  # the cancelled booking no longer holds the crew

    back_on = f"/api/v1/appointments/{appointment['id']}"
    refused = await client.patch(back_on, headers=headers, json={"status": "booked"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "slot_unavailable"
    assert (await client.get(back_on, headers=headers)).json()["status"] == "canceled"
    await client.delete(f"/api/v1/appointments/{rebooked_time.json()['id']}", headers=headers)
    restored = await client.patch(back_on, headers=headers, json={"status": "booked"})
    assert restored.status_code == 200 and restored.json()["status"] == "booked"

    customer = await client.get(f"/api/v1/customers/{appointment['customer']['id']}", headers=headers)
    assert customer.json()["name"] == "Maria Garcia"
    assert {a["status"] for a in customer.json()["appointments"]} == {"canceled", "booked"}


async def test_bad_input_is_a_422_with_camel_case_fields(client, db, settings):
    acme = await make_bookable_tenant(db)
    headers = owner_headers(settings, acme)
    bad_phone = await client.post(
        "/api/v1/appointments",
        headers=headers,
        json={"service": "AC repair", "startsAt": future(0), "customerPhone": "12"},
    )
    assert bad_phone.status_code == 422 and "customerPhone" in bad_phone.json()["error"]["fields"]
    unknown = await client.post(
        "/api/v1/appointments", headers=headers, json={"service": "Roofing", "startsAt": future(0)}
    )
    assert unknown.status_code == 422 and "service" in unknown.json()["error"]["fields"]


async def test_customers_list_searches_and_patch_changes_the_name(client, db, settings):
    acme = await make_bookable_tenant(db, timezone="UTC", hours=ALWAYS_OPEN)
    headers = owner_headers(settings, acme)
    for hours, (name, phone) in enumerate((("Maria Garcia", "+15125550147"), ("Tom Lee", "+15125550999"))):
        body = {
            "service": "AC repair",
            "startsAt": future(hours * 2),
            "customerName": name,
            "customerPhone": phone,
        }
        assert (await client.post("/api/v1/appointments", headers=headers, json=body)).status_code == 201
    found = (await client.get("/api/v1/customers", headers=headers, params={"q": "garc"})).json()
    assert found["total"] == 1 and found["items"][0]["name"] == "Maria Garcia"
    by_phone = (await client.get("/api/v1/customers", headers=headers, params={"q": "555-0999"})).json()
    assert [c["name"] for c in by_phone["items"]] == ["Tom Lee"]
    patched = await client.patch(
        f"/api/v1/customers/{by_phone['items'][0]['id']}", headers=headers, json={"name": "Tommy Lee"}
    )
    assert patched.json()["name"] == "Tommy Lee"


async def test_the_calendar_feed_parses_and_shows_only_this_business(client, db, settings):
    acme = await make_bookable_tenant(db, timezone="America/Chicago", hours=ALWAYS_OPEN, name="Acme Air")
    bolt = await make_bookable_tenant(db, timezone="UTC", hours=ALWAYS_OPEN)
    start = future(0)
    body = {
        "service": "AC repair",
        "startsAt": start,
        "customerName": "Maria",
        "customerPhone": "+15125550147",
        "address": "12 Oak St",
    }
    await client.post("/api/v1/appointments", headers=owner_headers(settings, acme), json=body)
    await client.post(
        "/api/v1/appointments",
        headers=owner_headers(settings, bolt),
        json={**body, "customerName": "Bolt's customer"},
    )
    async with db.sessions() as session:
        await activate_tenant(session, acme.id)
        tenant = await session.get(Tenant, acme.id)
        token = await ensure_calendar_token(session, tenant)
        assert await ensure_calendar_token(session, tenant) == token  # created once, then reused
        await session.commit()

    response = await client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-TIMEZONE"]) == "America/Chicago"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "AC repair — Maria"
    assert str(event["LOCATION"]) == "12 Oak St"
    assert event.decoded("DTSTART") == datetime.fromisoformat(start)
    assert event.decoded("DTSTART").tzinfo is not None and event["DTSTART"].to_ical().endswith(b"Z")
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=1)  # the service lasts 1 hour

    assert (await client.get("/calendar/not-a-real-token.ics")).status_code == 404


async def test_arrival_window_and_buffer_from_the_business_api_keep_the_crew_busy(client, db, settings):
    acme = await make_bookable_tenant(db, timezone="UTC", hours=ALWAYS_OPEN)
    headers = owner_headers(settings, acme)
    service = {"name": "Install", "durationMinutes": 60, "arrivalWindowMinutes": 60, "bufferMinutes": 30}
    patched = await client.patch("/api/v1/business", headers=headers, json={"services": [service]})
    assert patched.status_code == 200, patched.text
    assert patched.json()["config"]["services"] == [service]
    first = await client.post(
        "/api/v1/appointments", headers=headers, json={"service": "Install", "startsAt": future(0)}
    )
    assert first.status_code == 201
    # Arrival up to 1 h late + 1 h visit + 30 min buffer: the crew is busy for 2.5 hours.
    taken = await client.post(
        "/api/v1/appointments", headers=headers, json={"service": "Install", "startsAt": future(2)}
    )
    assert taken.status_code == 409
    free = await client.post(
        "/api/v1/appointments", headers=headers, json={"service": "Install", "startsAt": future(3)}
    )
    assert free.status_code == 201
