"""A real Voxi server (uvicorn, fresh database) for the browser tests, driven by Debian's Chromium.

Everything here is synchronous: these tests run in their own pytest invocation (`pytest tests/e2e`)
and never touch the async fixtures of the root conftest.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import ConsoleMessage, Page

from tests.database import create_test_database, destroy_test_database
from tests.live_server import free_port
from tests.live_server import live_server as running_server

ADMIN_EMAIL = "ops@voxi.test"
ADMIN_PASSWORD = "operator-password-123"
OWNER_PASSWORD = "correct-horse-battery"


@dataclass(frozen=True)
class LiveServer:
    url: str


@dataclass(frozen=True)
class SeededTenant:
    name: str
    phone_number: str
    owner_email: str
    owner_password: str = OWNER_PASSWORD


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    urls = create_test_database()
    port = free_port()
    env = {
        "DATABASE_URL": urls.owner,
        "VOXI_SECRET_KEY": f"e2e-secret-{uuid.uuid4().hex}",
        "VOXI_BASE_URL": f"http://127.0.0.1:{port}",
        "VOXI_ADMIN_EMAIL": ADMIN_EMAIL,
        "VOXI_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    try:
        with running_server(env, port=port) as url:
            yield LiveServer(url)
    finally:
        destroy_test_database(urls)


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    return live_server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": shutil.which("chromium"),
        # Keeps Chromium from resolving (and phoning) anything but the local server.
        "args": ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"],
    }


@pytest.fixture(scope="session")
def admin_token(live_server: LiveServer) -> str:
    # One token for the session: logins are rate-limited per address and email.
    body = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    response = httpx.post(f"{live_server.url}/api/auth/token", json=body)
    response.raise_for_status()
    return response.json()["token"]


@pytest.fixture
def make_tenant(live_server: LiveServer, admin_token: str):
    """Create a business through the admin API, as an operator would; a new number and owner each time."""

    def create(name: str, phone_number: str | None = None) -> SeededTenant:
        unique = uuid.uuid4().hex[:8]
        number = phone_number or f"+1512{int(unique, 16) % 10_000_000:07d}"
        body = {
            "name": name,
            "industry": "plumbing",
            "plan": "STARTER",
            "timezone": "America/Chicago",
            "phoneNumber": number,
            "ownerName": "Pat Owner",
            "ownerEmail": f"owner-{unique}@example.com",
            "ownerPassword": OWNER_PASSWORD,
        }
        headers = {"Authorization": f"Bearer {admin_token}"}
        response = httpx.post(f"{live_server.url}/admin/tenants", json=body, headers=headers)
        assert response.status_code == 201, response.text
        return SeededTenant(name, number, body["ownerEmail"])

    return create


@pytest.fixture(autouse=True)
def no_broken_scripts(page: Page) -> Iterator[None]:
    """Fail a test whose page threw a script error or had something refused by the CSP."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield
    assert not problems, problems
