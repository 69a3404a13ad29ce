"""A light HTTP/1.1 load generator for the web benchmarks: clients on keep-alive connections in
one asyncio loop, each request encoded once, each response read by its Content-Length.

Why not httpx in threads (what the benchmarks used first): on this 2-core machine 49 httpx threads
spent 1.2 cores of CPU while the server they measured spent 0.5, so the latencies they reported
were mostly their own wait for the GIL. This client spends a small fraction of that per request
(it prints its own CPU next to the server's), so the latency measured is the server's.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from urllib.parse import urlsplit


def post(path: str, body) -> bytes:
    """A POST of ``body`` as JSON, ready to send on a keep-alive connection; like a browser it
    accepts gzip."""
    data = json.dumps(body).encode()
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Accept-Encoding: gzip\r\nContent-Length: {len(data)}\r\n\r\n").encode() + data


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n\r\n".encode()


class Connection:
    """One keep-alive connection; :meth:`send` returns (status, headers, body)."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.reader = self.writer = None

    async def open(self) -> "Connection":
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def send(self, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        self.writer.write(raw)
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:] if line)}
        if "content-length" not in headers:
            raise RuntimeError(f"no Content-Length in the answer (status {status}): this client reads no other framing")
        return status, headers, await self.reader.readexactly(int(headers["content-length"]))

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) of a process so far: this one by default."""
    if pid is None:
        return time.process_time()
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def event_loop() -> asyncio.AbstractEventLoop:
    """uvloop when installed (as uvicorn uses it), else asyncio's own."""
    try:
        import uvloop

        return uvloop.new_event_loop()
    except ImportError:
        return asyncio.new_event_loop()
