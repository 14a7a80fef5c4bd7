"""Area codes a new business can pick: the catalogue, probed at the telephony provider, cached briefly."""

from __future__ import annotations

import asyncio
import time

from voxi.signup.schemas import AreaCode
from voxi.telephony.area_codes import AREA_CODES
from voxi.telephony.providers.base import NoNumbersAvailable, Telephony

CACHE_SECONDS = 300.0
PROBE_CONCURRENCY = 8


class AreaCodeStock:
    """One per app: the provider is asked about every code at most once per `CACHE_SECONDS`."""

    def __init__(self, telephony: Telephony, *, ttl: float = CACHE_SECONDS) -> None:
        self._telephony = telephony
        self._ttl = ttl
        self._cached: tuple[float, list[AreaCode]] | None = None
        self._lock = asyncio.Lock()

    async def available(self) -> list[AreaCode]:
        async with self._lock:
            if self._cached is None or time.monotonic() - self._cached[0] > self._ttl:
                self._cached = (time.monotonic(), await self._probe())
            return self._cached[1]

    def forget(self) -> None:
        self._cached = None

    async def _probe(self) -> list[AreaCode]:
        gate = asyncio.Semaphore(PROBE_CONCURRENCY)

        async def has_stock(code: str) -> bool:
            async with gate:
                try:
                    return bool(await self._telephony.search_available(code, limit=1))
                except NoNumbersAvailable:
                    return False

        codes = sorted(AREA_CODES.values(), key=lambda a: (a.state, a.city, a.code))
        stocked = await asyncio.gather(*(has_stock(a.code) for a in codes))
        return [
            AreaCode(area_code=a.code, city=a.city, state=a.state)
            for a, ok in zip(codes, stocked, strict=True)
            if ok
        ]
