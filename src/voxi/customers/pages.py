"""Dashboard pages: the customer list (HTMX search) and one customer with their appointments and calls."""

from __future__ import annotations

import math
import uuid
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from voxi.core.errors import NotFound
from voxi.customers import repository
from voxi.deps import SessionDep
from voxi.scheduling import repository as appointments
from voxi.web.deps import WebUser
from voxi.web.pages import is_htmx, login_redirect, render

router = APIRouter(include_in_schema=False)

CUSTOMERS_PER_PAGE = 25


@router.get("/customers")
async def customers_page(
    request: Request,
    viewer: WebUser,
    session: SessionDep,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Every customer, most recent callers first, searchable by name, phone or address."""
    if viewer is None:
        return login_redirect(request)
    q = q.strip()
    customers, total = await repository.search_customers(session, q, page=page, per_page=CUSTOMERS_PER_PAGE)
    context = {
        "customers": customers,
        "total": total,
        "q": q,
        "page": page,
        "pages": max(1, math.ceil(total / CUSTOMERS_PER_PAGE)),
        "tz": ZoneInfo(viewer.tenant.timezone),
    }
    template = "customers/_rows.html" if is_htmx(request) else "customers/list.html"
    return render(request, template, context)


@router.get("/customers/{customer_id}")
async def customer_page(
    request: Request, customer_id: uuid.UUID, viewer: WebUser, session: SessionDep
) -> Response:
    """One customer: contact details, their appointments and their calls."""
    if viewer is None:
        return login_redirect(request)
    customer = await repository.get(session, customer_id)
    if customer is None:
        raise NotFound("No such customer.")
    rows = await appointments.list_between(session, None, None, customer_id=customer.id)
    context = {
        "customer": customer,
        "appointments": [a for a, _ in rows],
        "calls": await repository.calls_of(session, customer),
        "tz": ZoneInfo(viewer.tenant.timezone),
    }
    template = "customers/_detail.html" if is_htmx(request) else "customers/detail.html"
    return render(request, template, context)
