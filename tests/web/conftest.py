from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest


@pytest.fixture
async def visitor(app) -> AsyncIterator[httpx.AsyncClient]:
    """A client that behaves like a visitor: HTTPS (the session cookie is Secure) and asks for HTML."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="https://testserver", headers={"Accept": "text/html"}
    ) as client:
        yield client
