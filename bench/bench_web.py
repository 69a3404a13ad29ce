"""Web speed: p95 latency of a heavy endpoint (/api/series, /map.json) with 50 concurrent clients on
loopback, against a peer measured in the same run (a static file served by the same server).

Target: p95 under 250 ms for /api/series at 50 concurrent clients (cached after the first call).
Run: DEVOLUTION_STORE=/tmp/t1.duckdb .venv/bin/python bench/bench_web.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.web.conftest import Server  # noqa: E402

CLIENTS, REQUESTS, TIME_LIMIT, TARGET_MS = 50, 1000, 60.0, 250.0


def measure(url: str) -> tuple[float, float, int]:
    """p50 and p95 in ms over REQUESTS requests by CLIENTS threads (stops at TIME_LIMIT)."""
    times: list[float] = []
    deadline = time.monotonic() + TIME_LIMIT

    def worker(n: int) -> None:
        with httpx.Client(timeout=30) as client:
            for _ in range(n):
                if time.monotonic() > deadline:
                    return
                start = time.perf_counter()
                assert client.get(url).status_code == 200
                times.append((time.perf_counter() - start) * 1000)

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(worker, [REQUESTS // CLIENTS] * CLIENTS))
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], len(times)


def main() -> None:
    store = Path(os.environ.get("DEVOLUTION_STORE", "/tmp/t1.duckdb"))
    server = Server(store, Path(tempfile.mkdtemp()) / "bench.sqlite").start()
    try:
        heavy = {"series (population, all years)": "/api/series/population?limit=5000",
                 "map.json (NCE per resident)": "/map.json?measure=nce_total_service_expenditure"}
        peer = {"peer: static file (style.css)": "/static/style.css"}
        for label, path in {**heavy, **peer}.items():
            httpx.get(server.url + path, timeout=60)  # warm the cache
            p50, p95, n = measure(server.url + path)
            verdict = "" if label.startswith("peer") else (" (target < %.0f ms: %s)" % (TARGET_MS, "met" if p95 < TARGET_MS else "MISSED"))
            print(f"{label:36s} n={n:5d}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms{verdict}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
