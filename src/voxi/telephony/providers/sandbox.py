"""`SandboxTelephony`: numbers in the fictional +1 AREA 555-0100…0199 range, held in the database.

A number is taken when it is routed to a business (`number_routes`) or held by the sandbox's own
account (`sandbox_numbers`), so the stock is shared by every process and survives restarts.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict
from typing import Any

import structlog
from sqlalchemy import delete, or_, select, union
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from voxi.core.errors import BadRequest, NotFound
from voxi.telephony.area_codes import AREA_CODES, nearby_area_codes
from voxi.telephony.models import NumberRoute, SandboxCall, SandboxNumber
from voxi.telephony.providers.base import (
    AvailableNumber,
    NoNumbersAvailable,
    NumberWebhooks,
    OwnedNumber,
)

log = structlog.get_logger(__name__)

SANDBOX_NUMBER = re.compile(r"^\+1(\d{3})55501(\d{2})$")
NEARBY_SUGGESTIONS = 3
NEARBY_PROBES = 12  # how many nearby codes to check for stock before giving up on suggestions


def sandbox_numbers_in(area_code: str) -> list[str]:
    return [f"+1{area_code}55501{n:02d}" for n in range(100)]


class SandboxTelephony:
    """Behaves like Twilio for signup, number operations and calls, with no account needed."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        # Live-call redirects, by call sid: what a Twilio call would now be playing.
        self.redirects: dict[str, str] = {}

    async def _taken(self, session: AsyncSession, area_codes: list[str]) -> set[str]:
        def in_range(column: Any) -> Any:
            return or_(*(column.like(f"+1{code}55501%") for code in area_codes))

        routed = select(NumberRoute.e164).where(in_range(NumberRoute.e164))
        held = select(SandboxNumber.e164).where(in_range(SandboxNumber.e164))
        return set(await session.scalars(union(routed, held)))

    async def _nearby_with_stock(self, session: AsyncSession, area_code: str) -> list[str]:
        candidates = nearby_area_codes(area_code)[:NEARBY_PROBES]
        taken = await self._taken(session, candidates)
        with_stock = [c for c in candidates if any(n not in taken for n in sandbox_numbers_in(c))]
        return with_stock[:NEARBY_SUGGESTIONS]

    async def search_available(self, area_code: str, *, limit: int = 5) -> list[AvailableNumber]:
        """Free numbers in `area_code`; raises NoNumbersAvailable (with nearby codes) when there are none."""
        async with self._sessions() as session:
            place = AREA_CODES.get(area_code)
            taken = await self._taken(session, [area_code]) if place else set()
            free = [n for n in sandbox_numbers_in(area_code) if n not in taken] if place else []
            if not free:
                raise NoNumbersAvailable(area_code, await self._nearby_with_stock(session, area_code))
        assert place is not None  # noqa: S101 - free numbers exist only for a known code
        return [AvailableNumber(e164, place.city, place.state) for e164 in free[:limit]]

    async def purchase(self, e164: str, *, webhooks: NumberWebhooks) -> OwnedNumber:
        match = SANDBOX_NUMBER.match(e164)
        if match is None or match.group(1) not in AREA_CODES:
            raise BadRequest(f"{e164} is not a sandbox number (+1 AREA 555-01xx).")
        async with self._sessions() as session:
            if await session.get(NumberRoute, e164) is not None:
                raise NoNumbersAvailable(
                    match.group(1), await self._nearby_with_stock(session, match.group(1))
                )
            sid = "PN" + secrets.token_hex(16)
            # A concurrent or retried purchase of a number already ours returns it (retry-safe).
            await session.execute(
                insert(SandboxNumber)
                .values(e164=e164, sid=sid, **asdict(webhooks))
                .on_conflict_do_nothing(index_elements=["e164"])
            )
            number = await session.get_one(SandboxNumber, e164)
            _point(number, webhooks)
            await session.commit()
            return _owned(number)

    async def update_webhooks(self, sid: str, *, webhooks: NumberWebhooks) -> OwnedNumber:
        async with self._sessions() as session:
            number = await session.scalar(select(SandboxNumber).where(SandboxNumber.sid == sid))
            if number is None:
                raise NotFound(f"The sandbox has no number {sid}.")
            _point(number, webhooks)
            await session.commit()
            return _owned(number)

    async def release(self, sid: str) -> None:
        async with self._sessions() as session:
            await session.execute(delete(SandboxNumber).where(SandboxNumber.sid == sid))
            await session.commit()

    async def list_owned(self) -> list[OwnedNumber]:
        async with self._sessions() as session:
            numbers = await session.scalars(select(SandboxNumber).order_by(SandboxNumber.e164))
            return [_owned(n) for n in numbers]

    async def redirect_call(self, call_sid: str, twiml: str) -> None:
        log.info("sandbox_call_redirected", call_sid=call_sid)
        self.redirects[call_sid] = twiml

    async def place_call(self, *, to: str, from_: str, twiml: str, status_callback: str | None = None) -> str:
        """Records the call in `sandbox_calls` (shown at /dev/outbox); nobody's phone rings."""
        sid = "CA" + secrets.token_hex(16)
        async with self._sessions() as session:
            session.add(
                SandboxCall(
                    sid=sid, to_number=to, from_number=from_, twiml=twiml, status_callback=status_callback
                )
            )
            await session.commit()
        log.info("sandbox_call_placed", call_sid=sid)
        return sid


def _point(number: SandboxNumber, webhooks: NumberWebhooks) -> None:
    for column, url in asdict(webhooks).items():  # the fields are named like the columns
        setattr(number, column, url)


def _owned(number: SandboxNumber) -> OwnedNumber:
    return OwnedNumber(number.e164, number.sid, number.voice_url, number.status_callback, number.sms_url)
