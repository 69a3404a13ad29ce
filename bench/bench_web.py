"""Web speed: p95 latency of a heavy endpoint (/api/series, /map.json) with 50 concurrent clients on
loopback, against a peer measured in the same run (a static file served by the same server).

Target: p95 under 250 ms for /api/series at 50 concurrent clients (cached after the first call).
The clients are :mod:`http_load` (asyncio, one process, asking without pause; they accept gzip as
browsers do). Run: DEVOLUTION_STORE=/tmp/t1.duckdb .venv/bin/python bench/bench_web.py
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from http_load import Connection, event_loop, get  # noqa: E402
from tests.web.conftest import Server  # noqa: E402

CLIENTS, REQUESTS, TIME_LIMIT, TARGET_MS = 50, 1000, 60.0, 250.0


async def measure(url: str, path: str) -> tuple[float, float, int]:
    """p50 and p95 in ms over REQUESTS requests by CLIENTS clients (stops at TIME_LIMIT)."""
    times: list[float] = []
    deadline, raw = time.monotonic() + TIME_LIMIT, get(path)

    async def client(n: int) -> None:
        connection = await Connection(url).open()
        for _ in range(n):
            if time.monotonic() > deadline:
                break
            start = time.perf_counter()
            status, _, body = await connection.send(raw)
            assert status == 200, body[:200]
            times.append((time.perf_counter() - start) * 1000)
        connection.close()

    await asyncio.gather(*(client(REQUESTS // CLIENTS) for _ in range(CLIENTS)))
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], len(times)


def main() -> None:
    store = Path(os.environ.get("DEVOLUTION_STORE", "/tmp/t1.duckdb"))
    server = Server(store, Path(tempfile.mkdtemp()) / "bench.sqlite").start()
    loop = event_loop()
    try:
        heavy = {"series (population, all years)": "/api/series/population?limit=5000",
                 "map.json (NCE per resident)": "/map.json?measure=nce_total_service_expenditure"}
        peer = {"peer: static file (style.css)": "/static/style.css"}
        for label, path in {**heavy, **peer}.items():
            httpx.get(server.url + path, timeout=60)  # warm the cache
            p50, p95, n = loop.run_until_complete(measure(server.url, path))
            verdict = "" if label.startswith("peer") else (" (target < %.0f ms: %s)" % (TARGET_MS, "met" if p95 < TARGET_MS else "MISSED"))
            print(f"{label:36s} n={n:5d}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms{verdict}")
    finally:
        loop.close()
        server.stop()


if __name__ == "__main__":
    main()
