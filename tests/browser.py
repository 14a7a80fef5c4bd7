"""What a browser does against the in-process app: read a form's CSRF token, log in."""

from __future__ import annotations

import re

import httpx


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


async def log_in(visitor: httpx.AsyncClient, email: str, password: str, **extra: str) -> httpx.Response:
    page = await visitor.get("/login")
    form = {"email": email, "password": password, "csrf_token": csrf_of(page.text), **extra}
    return await visitor.post("/login", data=form)
