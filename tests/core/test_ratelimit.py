from __future__ import annotations

import socket
import uuid

import pytest

from voxi.core.errors import RateLimited
from voxi.core.ratelimit import RateLimiter


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.2).close()
    except OSError:
        return False
    return True


@pytest.mark.parametrize("redis_url", ["", "redis://127.0.0.1:6379/0"])
async def test_limit_counts_per_key(redis_url):
    if redis_url and not _redis_up():
        pytest.skip("no Redis at 127.0.0.1:6379")
    limiter = RateLimiter(redis_url)
    key = uuid.uuid4().hex
    await limiter.hit("2/minute", "login", key)
    await limiter.hit("2/minute", "login", key)
    with pytest.raises(RateLimited):
        await limiter.hit("2/minute", "login", key)
    await limiter.hit("2/minute", "login", key + "-other")  # another key has its own budget
