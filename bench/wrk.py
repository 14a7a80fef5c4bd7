"""HTTP load from `wrk` (Debian's package: C, one thread), so the load generator does not set the pace.

A Python client tops out near 700 requests/s on this machine, far below what a bare endpoint serves, which
made every "endpoint / bare" ratio look better than it is. wrk replays a list of prepared requests (each
one distinct: new CallSids, different API keys) round-robin over `connections` keep-alive connections,
and reports latency percentiles and the responses that were not 2xx or lacked an expected marker.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

WRK = "wrk"

# Reads `args[1]`: one request per line, "METHOD\tPATH\tBODY\tName=Value\t…". Prints one JSON line with
# the totals when done; a response that is not 2xx/3xx counts as bad.
_SCRIPT = r"""
local requests, count, index = {}, 0, 0
local bad = 0
local threads = {}

function setup(thread) table.insert(threads, thread) end

function init(args)
  for line in io.lines(args[1]) do
    local fields = {}
    for value in (line .. "\t"):gmatch("([^\t]*)\t") do table.insert(fields, value) end
    local headers = {}
    for i = 4, #fields do
      local name, value = fields[i]:match("^([^=]+)=(.*)$")
      if name then headers[name] = value end
    end
    count = count + 1
    requests[count] = wrk.format(fields[1], fields[2], headers, fields[3] ~= "" and fields[3] or nil)
  end
end

function request()
  index = index % count + 1
  return requests[index]
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do failed = failed + (thread:get("bad") or 0) end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "bad_responses": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %f}\n',
    summary.requests, summary.duration / 1e6, failed + e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean))
end
"""


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def line(self) -> str:
        fields = [self.method, self.path, self.body, *(f"{k}={v}" for k, v in self.headers.items())]
        if any("\t" in value or "\n" in value for value in fields):
            raise ValueError("wrk request fields cannot hold tabs or newlines")
        return "\t".join(fields)


# Added when a marker is given: a 2xx whose body lacks it counts as bad too. (Only then: wrk reads whole
# bodies for a script with a response function, which costs the load generator CPU.)
_CHECK_BODY = r"""
function response(status, headers, body)
  if status < 300 and not body:find(MARKER, 1, true) then bad = bad + 1 end
end
"""


def require_wrk() -> str:
    path = shutil.which(WRK)
    if path is None:
        raise RuntimeError("wrk is not installed: `make bench` installs Debian's wrk package")
    return path


def run_wrk(
    base_url: str, requests: list[Request], *, connections: int, duration: float, marker: str = ""
) -> dict[str, float]:
    """Replay `requests` for `duration` seconds over `connections` connections; latencies in ms."""
    with tempfile.TemporaryDirectory() as work:
        script, lines = Path(work) / "replay.lua", Path(work) / "requests.tsv"
        script.write_text(_SCRIPT + (_CHECK_BODY.replace("MARKER", json.dumps(marker)) if marker else ""))
        lines.write_text("\n".join(request.line() for request in requests) + "\n")
        command = [
            require_wrk(), "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--timeout", "10s",
            "-s", str(script), base_url + requests[0].path, "--", str(lines),
        ]  # fmt: skip
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    totals = json.loads(output.strip().splitlines()[-1])
    return {
        "requests": totals["requests"],
        "failures": totals["bad_responses"] + totals["socket_errors"],
        "requests_per_s": totals["requests"] / totals["seconds"],
        "p50_ms": totals["p50_us"] / 1000,
        "p95_ms": totals["p95_us"] / 1000,
        "p99_ms": totals["p99_us"] / 1000,
        "mean_ms": totals["mean_us"] / 1000,
        # wrk's own CPU (cores): how much of the machine the load generator took from the server.
        "load_generator_cpu": (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        / totals["seconds"],
    }
