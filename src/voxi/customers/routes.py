from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from voxi.core.errors import NotFound
from voxi.core.schemas import Page
from voxi.customers import repository
from voxi.customers.schemas import CustomerDetail, CustomerOut, CustomerPatch
from voxi.deps import CurrentTenant, SessionDep
from voxi.scheduling import repository as appointments
from voxi.scheduling.staff import appointment_out

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])


@router.get("", response_model=Page[CustomerOut])
async def list_customers(
    _tenant: CurrentTenant,
    session: SessionDep,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200, alias="perPage")] = 50,
) -> Page[CustomerOut]:
    """Customers, most recent callers first; `q` searches name, phone, email and address."""
    rows, total = await repository.search_customers(session, q.strip(), page=page, per_page=per_page)
    items = [CustomerOut.model_validate(c) for c in rows]
    return Page[CustomerOut](items=items, total=total, page=page, per_page=per_page)


async def _detail(session: SessionDep, customer_id: uuid.UUID) -> CustomerDetail:
    customer = await repository.get(session, customer_id)
    if customer is None:
        raise NotFound("No such customer.")
    rows = await appointments.list_between(session, None, None, customer_id=customer.id)
    return CustomerDetail.model_validate(
        {
            **CustomerOut.model_validate(customer).model_dump(),
            "appointments": [appointment_out(a, c) for a, c in rows],
        }
    )


@router.get("/{customer_id}", response_model=CustomerDetail)
async def get_customer(customer_id: uuid.UUID, _tenant: CurrentTenant, session: SessionDep) -> CustomerDetail:
    """One customer with their appointments."""
    return await _detail(session, customer_id)


@router.patch("/{customer_id}", response_model=CustomerDetail)
async def update_customer(
    customer_id: uuid.UUID, patch: CustomerPatch, _tenant: CurrentTenant, session: SessionDep
) -> CustomerDetail:
    """Correct a customer's name, email, address or notes (the phone is their identity)."""
    customer = await repository.get(session, customer_id)
    if customer is None:
        raise NotFound("No such customer.")
    for field, value in patch.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(customer, field, value.strip())
    await session.flush()
    return await _detail(session, customer_id)
