"""Appointments and customers in Chromium: week view by HTMX, copying the feed link, narrowing a search."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.pages import log_in

pytestmark = pytest.mark.e2e


def _book(live_server: LiveServer, email: str, password: str, name: str, phone: str, start: datetime) -> None:
    token = httpx.post(
        f"{live_server.url}/api/auth/token", json={"email": email, "password": password}
    ).json()["token"]
    body = {
        "service": "Leak repair",
        "startsAt": start.isoformat(),
        "customerName": name,
        "customerPhone": phone,
        "address": "12 Oak St",
    }
    response = httpx.post(
        f"{live_server.url}/api/v1/appointments", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.text


def test_owner_browses_weeks_copies_the_feed_and_finds_a_customer(page: Page, make_tenant, live_server):
    acme = make_tenant(f"Acme {uuid.uuid4().hex[:6]} Plumbing")
    start = (datetime.now(UTC) + timedelta(days=1)).replace(hour=16, minute=0, second=0, microsecond=0)
    _book(live_server, acme.owner_email, acme.owner_password, "Maria Garcia", "+15125550147", start)
    _book(
        live_server,
        acme.owner_email,
        acme.owner_password,
        "Tom Lee",
        "+15125550999",
        start + timedelta(hours=3),
    )
    log_in(page, acme.owner_email, acme.owner_password)

    page.get_by_role("link", name="Appointments").click()
    expect(page).to_have_url(re.compile(r"/appointments$"))
    expect(page.locator(".appointment-row").filter(has_text="Maria Garcia")).to_have_count(1)
    # Tomorrow may be in next week (on a Sunday): open the week holding it. 16:00 UTC is the same date
    # in every US timezone.
    monday = start.date() - timedelta(days=start.weekday())
    page.goto(f"{live_server.url}/appointments?week={monday.isoformat()}")
    week = page.locator("#week-view")
    expect(week.locator(".week-appointment").filter(has_text="Maria Garcia")).to_have_count(1)

    week.get_by_role("link", name="Next week →").click()
    expect(page).to_have_url(re.compile(r"/appointments\?week=\d{4}-\d{2}-\d{2}$"))
    expect(week.locator(".week-appointment").filter(has_text="Maria Garcia")).to_have_count(0)
    expect(page.locator(".appointment-row").filter(has_text="Maria Garcia")).to_have_count(
        1
    )  # swapped in place
    week.get_by_role("link", name="← Previous week").click()
    expect(week.locator(".week-appointment").filter(has_text="Maria Garcia")).to_have_count(1)

    feed = page.get_by_label("Calendar feed address")
    expect(feed).to_have_value(re.compile(r"^http://127\.0\.0\.1:\d+/calendar/[\w-]+\.ics$"))
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#copy-feed-status")).to_have_text(re.compile(r"Copied!|Ctrl\+C"))
    ics = httpx.get(feed.input_value())
    assert ics.status_code == 200 and "SUMMARY:Leak repair — Maria Garcia" in ics.text

    page.get_by_role("link", name="Customers").click()
    rows = page.locator(".customer-row")
    expect(rows).to_have_count(2)
    page.get_by_role("searchbox").press_sequentially("garcia")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name="Maria Garcia").click()
    expect(page.get_by_role("heading", name="Maria Garcia")).to_be_visible()
    expect(page.locator(".appointment-row")).to_contain_text("Leak repair")
