"""Dashboard pages: upcoming appointments, a week grid with HTMX week navigation, the calendar feed URL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from voxi.deps import SessionDep, SettingsDep
from voxi.scheduling.calendar import ensure_calendar_token, rotate_calendar_token
from voxi.scheduling.models import AppointmentStatus
from voxi.scheduling.schemas import AppointmentOut
from voxi.scheduling.staff import list_appointments
from voxi.web.browser_session import flash
from voxi.web.deps import CsrfProtected, WebUser
from voxi.web.pages import is_htmx, login_redirect, render

router = APIRouter(include_in_schema=False)

UPCOMING_DAYS = 14


@dataclass(frozen=True)
class WeekDay:
    day: date
    appointments: list[AppointmentOut]


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


@router.get("/appointments")
async def appointments_page(
    request: Request,
    viewer: WebUser,
    session: SessionDep,
    settings: SettingsDep,
    week: Annotated[date | None, Query()] = None,
) -> Response:
    """Upcoming appointments and a week view in the business's timezone; HTMX gets only the week."""
    if viewer is None:
        return login_redirect(request)
    tz = ZoneInfo(viewer.tenant.timezone)
    today = datetime.now(tz).date()
    monday = _week_start(week or today)
    shown = await list_appointments(
        session, _local_midnight(monday, tz), _local_midnight(monday + timedelta(days=7), tz)
    )
    days = [
        WeekDay(
            monday + timedelta(days=i),
            [a for a in shown if a.starts_at.astimezone(tz).date() == monday + timedelta(days=i)],
        )
        for i in range(7)
    ]
    context = {"days": days, "monday": monday, "tz": tz, "today": today, "timedelta": timedelta}
    if is_htmx(request):
        return render(request, "appointments/_week.html", context)
    upcoming = await list_appointments(
        session,
        datetime.now(UTC),
        datetime.now(UTC) + timedelta(days=UPCOMING_DAYS),
        AppointmentStatus.BOOKED,
    )
    token = await ensure_calendar_token(session, viewer.tenant)
    feed_url = f"{settings.voxi_base_url}/calendar/{token}.ics"
    return render(request, "appointments/list.html", {**context, "upcoming": upcoming, "feed_url": feed_url})


@router.post("/appointments/calendar-token")
async def rotate_feed(
    request: Request, _csrf: CsrfProtected, viewer: WebUser, session: SessionDep
) -> Response:
    """Replace the calendar feed URL; calendars subscribed to the old one stop updating."""
    if viewer is None:
        return login_redirect(request)
    await rotate_calendar_token(session, viewer.tenant)
    flash(request, "New calendar link created. Subscribe to it again in your calendar app.")
    return RedirectResponse("/appointments", status_code=303)
