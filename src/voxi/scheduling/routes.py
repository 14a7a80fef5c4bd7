from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from voxi.deps import CurrentTenant, DatabaseDep, SessionDep
from voxi.scheduling import staff
from voxi.scheduling.calendar import calendar_feed, tenant_for_token
from voxi.scheduling.models import AppointmentStatus
from voxi.scheduling.schemas import AppointmentIn, AppointmentOut, AppointmentPatch

router = APIRouter(prefix="/api/v1/appointments", tags=["appointments"])
calendar_router = APIRouter(tags=["calendar"])


@router.get("", response_model=list[AppointmentOut])
async def list_appointments(
    _tenant: CurrentTenant,
    session: SessionDep,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
    status: AppointmentStatus | None = None,
) -> list[AppointmentOut]:
    """Appointments starting in [from, to), in time order (at most 500)."""
    return await staff.list_appointments(session, start, end, status)


@router.post("", response_model=AppointmentOut, status_code=201)
async def create_appointment(
    data: AppointmentIn, tenant: CurrentTenant, session: SessionDep
) -> AppointmentOut:
    """Book an appointment (a crew must be free; hours and notice are the business's own call)."""
    return await staff.create_appointment(session, tenant, data)


@router.get("/{appointment_id}", response_model=AppointmentOut)
async def get_appointment(
    appointment_id: uuid.UUID, _tenant: CurrentTenant, session: SessionDep
) -> AppointmentOut:
    """One appointment with its customer."""
    return await staff.appointment_view(session, appointment_id)


@router.patch("/{appointment_id}", response_model=AppointmentOut)
async def update_appointment(
    appointment_id: uuid.UUID, patch: AppointmentPatch, tenant: CurrentTenant, session: SessionDep
) -> AppointmentOut:
    """Reschedule (startsAt), change the status, address or notes."""
    return await staff.update_appointment(session, tenant, appointment_id, patch)


@router.delete("/{appointment_id}", response_model=AppointmentOut)
async def cancel_appointment(
    appointment_id: uuid.UUID, tenant: CurrentTenant, session: SessionDep
) -> AppointmentOut:
    """Cancel an appointment (kept, with status canceled); its crew is free again."""
    return await staff.update_appointment(
        session, tenant, appointment_id, AppointmentPatch(status="canceled")
    )


@calendar_router.get("/calendar/{token}.ics", response_class=Response)
async def calendar(token: str, db: DatabaseDep, session: SessionDep) -> Response:
    """The business's appointments as an iCalendar feed (the token in the URL is the credential)."""
    tenant = await tenant_for_token(db, token)
    body = await calendar_feed(session, tenant)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Cache-Control": "private, max-age=300",
            "Content-Disposition": 'inline; filename="voxi.ics"',
        },
    )
