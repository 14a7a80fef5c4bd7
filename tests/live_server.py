"""A real Voxi server — uvicorn in a subprocess on 127.0.0.1 — for browser tests and benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

TRACEBACK = "Traceback (most recent call last)"
STARTUP_TIMEOUT_SECONDS = 90  # generous: a loaded 2-core machine once needed 31 s to import the app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(
    env: dict[str, str], *, port: int | None = None, app: str = "voxi.app:create_app"
) -> Iterator[str]:
    """Run the app factory `app` with `env` added to ours; yield its base URL once /healthz answers."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        # websockets<16 (pinned by openai[realtime]) makes uvicorn's "auto" pick its deprecated legacy module.
        "--ws",
        "websockets-sansio",
    ]
    full_env = {**os.environ, "VOXI_ENV": "test", "LOG_LEVEL": "WARNING", **env}
    # Its own cwd keeps a developer's .env out; its log is shown if start-up fails.
    with tempfile.TemporaryDirectory() as cwd, tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(command, env=full_env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            _wait_until_healthy(url, process, log)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
            _report_tracebacks(log)


def _report_tracebacks(log: tempfile._TemporaryFileWrapper[str]) -> None:
    """An error the server only logged (a test or bench saw nothing wrong) still reaches stderr."""
    log.seek(0)
    text = log.read()
    if TRACEBACK in text:
        first = text.index(TRACEBACK)
        count = text.count(TRACEBACK)
        print(
            f"the server logged {count} traceback(s); the first:\n{text[first : first + 4000]}",
            file=sys.stderr,
        )


def _wait_until_healthy(
    url: str, process: subprocess.Popen[str], log: tempfile._TemporaryFileWrapper[str]
) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the server exited during start-up:\n{log.read()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer /healthz within {STARTUP_TIMEOUT_SECONDS}s")
