"""Rate limits (login, signup, public webhooks) on the `limits` library; Redis when REDIS_URL is set."""

from __future__ import annotations

from limits import parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from voxi.core.errors import RateLimited


class RateLimiter:
    def __init__(self, redis_url: str = "") -> None:
        storage: Storage = (
            RedisStorage(f"async+{redis_url}", implementation="redispy") if redis_url else MemoryStorage()
        )
        self._limiter = MovingWindowRateLimiter(storage)

    async def hit(self, limit: str, *keys: str) -> None:
        """Count one attempt against `limit` (e.g. "10/minute") for `keys`; raise RateLimited past it."""
        if not await self._limiter.hit(parse(limit), *keys):
            raise RateLimited()
