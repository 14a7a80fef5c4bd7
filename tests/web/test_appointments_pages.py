"""Appointments and customers pages: A sees its own, B gets 404, logged out redirects, HTMX fragments."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.browser import csrf_of, log_in
from tests.factories.scheduling import ALWAYS_OPEN, make_bookable_tenant
from tests.factories.tenancy import OWNER_PASSWORD, owner_headers


async def _book(client, settings, fixture, name: str, phone: str, when: datetime) -> dict:
    body = {
        "service": "AC repair",
        "startsAt": when.isoformat(),
        "customerName": name,
        "customerPhone": phone,
        "address": "12 Oak St",
    }
    response = await client.post("/api/v1/appointments", headers=owner_headers(settings, fixture), json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _tomorrow_noon() -> datetime:
    return (datetime.now(UTC) + timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)


async def test_appointments_page_lists_upcoming_week_view_and_feed_url(visitor, client, db, settings):
    acme = await make_bookable_tenant(db, timezone="UTC", hours=ALWAYS_OPEN, name="Acme Air")
    bolt = await make_bookable_tenant(db, timezone="UTC", hours=ALWAYS_OPEN, name="Bolt Electric")
    when = _tomorrow_noon()
    await _book(client, settings, acme, "Maria Garcia", "+15125550147", when)
    await _book(client, settings, bolt, "Bolt Customer", "+15125550148", when)
    await log_in(visitor, acme.owner_email, OWNER_PASSWORD)

    page = await visitor.get("/appointments")
    assert page.status_code == 200
    assert "Maria Garcia" in page.text and "Bolt Customer" not in page.text
    feed = re.search(
        r'id="feed-url" type="text" readonly value="(https://voxi.test/calendar/[^"]+\.ics)"', page.text
    )
    assert feed, "the calendar feed address is shown"
    assert (await client.get(feed.group(1).removeprefix("https://voxi.test"))).status_code == 200

    monday = when.date() - timedelta(days=when.weekday())
    next_week = await visitor.get(
        f"/appointments?week={monday + timedelta(days=7)}", headers={"HX-Request": "true"}
    )
    assert next_week.status_code == 200 and "<html" not in next_week.text
    assert "Week of" in next_week.text and "Maria Garcia" not in next_week.text
    this_week = await visitor.get(f"/appointments?week={monday}", headers={"HX-Request": "true"})
    assert "Maria Garcia" in this_week.text

    rotated = await visitor.post("/appointments/calendar-token", data={"csrf_token": csrf_of(page.text)})
    assert rotated.status_code == 303
    assert (await client.get(feed.group(1).removeprefix("https://voxi.test"))).status_code == 404


async def test_customers_pages_search_detail_and_isolation(visitor, client, db, settings):
    acme = await make_bookable_tenant(db, timezone="UTC", hours=ALWAYS_OPEN)
    bolt = await make_bookable_tenant(db, timezone="UTC", hours=ALWAYS_OPEN)
    mine = await _book(client, settings, acme, "Maria Garcia", "+15125550147", _tomorrow_noon())
    await _book(client, settings, acme, "Tom Lee", "+15125550999", _tomorrow_noon() + timedelta(hours=3))
    theirs = await _book(client, settings, bolt, "Bolt Customer", "+15125550148", _tomorrow_noon())
    await log_in(visitor, acme.owner_email, OWNER_PASSWORD)

    listing = await visitor.get("/customers")
    assert (
        "Maria Garcia" in listing.text and "Tom Lee" in listing.text and "Bolt Customer" not in listing.text
    )
    rows = await visitor.get("/customers?q=garcia", headers={"HX-Request": "true"})
    assert "<html" not in rows.text and "Maria Garcia" in rows.text and "Tom Lee" not in rows.text

    detail = await visitor.get(f"/customers/{mine['customer']['id']}")
    assert detail.status_code == 200 and "Maria Garcia" in detail.text and "AC repair" in detail.text
    fragment = await visitor.get(f"/customers/{mine['customer']['id']}", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "Maria Garcia" in fragment.text
    foreign = await visitor.get(f"/customers/{theirs['customer']['id']}")
    assert foreign.status_code == 404 and "Bolt Customer" not in foreign.text


async def test_logged_out_visitors_are_sent_to_login(visitor, db):
    for path in ("/appointments", "/customers", "/customers/00000000-0000-0000-0000-000000000001"):
        response = await visitor.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    htmx = await visitor.get("/appointments?week=2026-03-09", headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"].startswith("/login?next=")
