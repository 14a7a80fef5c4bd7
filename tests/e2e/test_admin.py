from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.e2e.pages import log_in

pytestmark = pytest.mark.e2e


def test_admin_search_narrows_the_tenants_by_name_and_by_number(page: Page, make_tenant):
    tag = uuid.uuid4().hex[:6]
    rooter = make_tenant(f"Rooter {tag} Plumbing", "+17372220101")
    sparks = make_tenant(f"Sparks {tag} Electric", "+17373330202")
    log_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    expect(page).to_have_url(re.compile(r"/admin/ui/tenants$"))
    rows = page.locator(".tenant-row")
    expect(rows.filter(has_text=rooter.name)).to_have_count(1)
    expect(rows.filter(has_text=sparks.name)).to_have_count(1)

    search = page.get_by_role("searchbox")
    search.press_sequentially(f"rooter {tag}")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(rooter.name)

    search.fill("")
    search.press_sequentially("(737) 333-0202")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(sparks.name)
    expect(rows).to_contain_text("+17373330202")
    # HTMX swapped the rows in place: no navigation happened.
    expect(page).to_have_url(re.compile(r"/admin/ui/tenants$"))


def test_a_business_owner_cannot_open_the_admin_pages(page: Page, make_tenant):
    acme = make_tenant("Acme Septic")
    log_in(page, acme.owner_email, acme.owner_password)
    response = page.goto("/admin/ui/tenants")
    assert response is not None and response.status == 404
    expect(page.get_by_text("Page not found.")).to_be_visible()
    expect(page.get_by_text(acme.name)).to_have_count(0)
