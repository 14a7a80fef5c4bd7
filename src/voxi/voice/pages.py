"""Dashboard "Test your AI": a typed call to the business's own number, logged as a test call."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from voxi.calls.models import CallLog
from voxi.core.errors import NotFound
from voxi.deps import SessionDep
from voxi.telephony.models import PhoneNumber
from voxi.voice.simulator import end_test_call, start_test_call, test_call_turn
from voxi.web.deps import CsrfProtected, WebUser
from voxi.web.pages import login_redirect, render

router = APIRouter(include_in_schema=False)


def _render_call(
    request: Request, call: CallLog | None, *, number: str | None, ended: bool = False
) -> Response:
    return render(request, "voice/_call.html", {"call": call, "number": number, "ended": ended})


@router.get("/test-call")
async def test_call_page(request: Request, viewer: WebUser, session: SessionDep) -> Response:
    """Type to your receptionist as a caller would: same number, tools and call log as a real call."""
    if viewer is None:
        return login_redirect(request)
    number = await session.scalar(
        select(PhoneNumber.e164)
        .where(PhoneNumber.released_at.is_(None))
        .order_by(PhoneNumber.created_at)
        .limit(1)
    )
    return render(request, "voice/test_call.html", {"call": None, "number": number, "ended": False})


@router.post("/test-call/start")
async def start(
    request: Request,
    viewer: WebUser,
    _csrf: CsrfProtected,
    session: SessionDep,
    number: Annotated[str, Form(max_length=32)] = "",
    caller: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Dial the business's number as a test caller; answers the greeting."""
    if viewer is None:
        return login_redirect(request)
    owned = await session.scalar(select(PhoneNumber.e164).where(PhoneNumber.e164 == number))
    if owned is None:
        raise NotFound("That is not one of your numbers.")
    brain = request.app.state.providers.brain
    started = await start_test_call(session, brain, to_number=owned, from_number=caller or "+15555550100")
    return _render_call(request, started.call, number=owned, ended=started.reply.action != "continue")


@router.post("/test-call/say")
async def say(
    request: Request,
    viewer: WebUser,
    _csrf: CsrfProtected,
    session: SessionDep,
    call_sid: Annotated[str, Form(max_length=64)],
    text: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """The test caller's next line and the receptionist's answer."""
    if viewer is None:
        return login_redirect(request)
    turn = await test_call_turn(session, request.app.state.providers.brain, call_sid, text)
    return _render_call(request, turn.call, number=turn.call.to_number, ended=turn.reply.action != "continue")


@router.post("/test-call/end")
async def end(
    request: Request,
    viewer: WebUser,
    _csrf: CsrfProtected,
    session: SessionDep,
    call_sid: Annotated[str, Form(max_length=64)],
) -> Response:
    """Hang up the test call."""
    if viewer is None:
        return login_redirect(request)
    call = await end_test_call(session, call_sid)
    if call is None or not call.is_test:
        raise NotFound("This test call does not exist.")
    return _render_call(request, call, number=call.to_number, ended=True)
