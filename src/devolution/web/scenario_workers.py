"""Scenario computations in worker processes, one per core, spoken to over pipes by the server's
event loop itself, so a computation never competes with the loop for the GIL and its answer
returns as soon as the loop next looks.

Why not ``concurrent.futures.ProcessPoolExecutor`` (used first): its hand-off runs on helper
threads in the server (a feeder thread writes the call, a manager thread reads the answer), and
each must take the GIL from the event loop's thread, which is busy whenever clients are. With five
clients browsing, a 15 ms computation took 40-55 ms to come back (measured: 4-19 ms to reach the
worker, 9-54 ms to return). Here each worker is a child process whose stdin and stdout are the
loop's pipes: a call is written and its answer read by the loop, no thread in between.

Protocol: a call is the pickled ``(name, args)`` of one of ``CALLS``, framed by its length (4
bytes); the answer, framed the same way, is the pickled ``(True, bytes)`` (the answer as JSON) or
``(False, exception)`` (raised again in the server); answers are gzip-compressed JSON. Each worker opens the store read-only
(DuckDB allows several read-only processes) and keeps its own :class:`scenarios.recompute.Memory`. A
worker leaves when its stdin closes (the server stopped or died); one that overruns the time limit
or dies is killed and replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import os
import pickle
import signal
import sys
from pathlib import Path

import orjson

#: Per worker process: the store and what runs keep between them (``scenarios.recompute.Memory``).
_held: dict = {}
HEADER = 4
#: The module a worker process runs (``-m``): not this one, which the package has imported by then.
ENTRY = "devolution.web.scenario_workers_main"


def _plain(value):
    """What orjson cannot write itself (numpy arrays and scalars it can): anything with ``tolist``."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON")


def encode(result: dict) -> bytes:
    """An answer as gzip-compressed JSON: what the server keeps and sends. A fifth of the size,
    so it crosses the worker's pipe in one piece (64 kB) and the network faster; level 1, as 6
    saves another 10% for three times the work. orjson: a sixth of ``json``'s time here."""
    data = orjson.dumps(result, default=_plain, option=orjson.OPT_SERIALIZE_NUMPY)
    return gzip.compress(data, compresslevel=1, mtime=0)


def with_charts(result: dict) -> dict:
    """The two charts the scenario page draws, added to an answer."""
    from devolution.scenarios.recompute import distribution_values
    from devolution.web import charts

    result["charts"] = {
        "england": charts.fan(result["england"], f"England: funding gap, {result['scenario']} "
                                                 f"({result['draws']:,} draws)", "Funding gap, £m (cash)"),
        "distribution": charts.histogram(distribution_values(result["places"]),
                                         f"Change in each council's gap, {result['year']}, against "
                                         f"current policy", "Change in gap, £ per resident (cash)"),
    }
    return result


# ------------------------------------------------------------------------------- in a worker

def recompute(raw: dict, time_limit: float) -> bytes:
    """The page's knobs' scenario against current policy, encoded."""
    from devolution.scenarios import recompute as recomputation

    return encode(with_charts(recomputation.recompute(raw, store=_held["store"], memory=_held["memory"], time_limit=time_limit)))


def run(body: dict, max_draws: int, time_limit: float) -> bytes:
    """A scenario in the file format against its baseline, encoded."""
    from devolution.scenarios.recompute import run_request

    return encode(with_charts(run_request(body, max_draws, store=_held["store"], memory=_held["memory"],
                                          time_limit=time_limit)))


#: What the server may ask a worker to do: nothing else is called.
CALLS = {"recompute": recompute, "run": run}


def _frame(value) -> bytes:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(HEADER, "big") + data


def _answer(name: str, args: tuple) -> bytes:
    try:
        return _frame((True, CALLS[name](*args)))
    except Exception as exc:  # handed to the server, which answers 4xx/503 for the known kinds
        try:
            return _frame((False, exc))
        except Exception:  # an exception that does not pickle: its words
            return _frame((False, RuntimeError(f"{type(exc).__name__}: {exc}")))


def main(store_path: str) -> None:
    """A worker: answer calls on stdin until it closes."""
    from devolution.scenarios.recompute import Memory
    from devolution.store import Store

    calls, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the answers
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C stops the server, which closes our stdin
    store = Store(Path(store_path) if store_path else None, read_only=True)
    _held.update(store=store, memory=Memory())
    try:
        while (head := calls.read(HEADER)) and len(head) == HEADER:
            name, args = pickle.loads(calls.read(int.from_bytes(head, "big")))
            answers.write(_answer(name, args))
            answers.flush()
    finally:
        _held.clear()
        store.close()  # before the interpreter winds down (DuckDB objects left to the end are reported as leaks)


# ------------------------------------------------------------------------------- in the server

class WorkerDied(RuntimeError):
    """A worker stopped before answering (the caller answers 503; the worker is replaced)."""


class Worker:
    """One worker process and its pipes."""

    def __init__(self, process: asyncio.subprocess.Process):
        self.process = process

    @classmethod
    async def start(cls, store_path: Path | None) -> "Worker":
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", ENTRY, str(store_path or ""),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        return cls(process)

    async def call(self, name: str, args: tuple) -> tuple[bool, object]:
        """``(True, answer)`` or ``(False, the exception the call raised)``."""
        try:
            self.process.stdin.write(_frame((name, args)))
            await self.process.stdin.drain()
            head = await self.process.stdout.readexactly(HEADER)
            return pickle.loads(await self.process.stdout.readexactly(int.from_bytes(head, "big")))
        except (asyncio.IncompleteReadError, ConnectionError, RuntimeError) as exc:  # RuntimeError: pipe closed
            raise WorkerDied(f"the computation stopped unexpectedly ({type(exc).__name__}): try again") from None

    def kill(self) -> None:
        """Stop it now (by pid: this works after the loop that owns its pipes has closed)."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, getattr(signal, "SIGKILL", signal.SIGTERM))  # Windows has no SIGKILL

    async def stop(self, grace: float = 5.0) -> None:
        """Close its stdin (it leaves after the call in hand) and wait; killed after ``grace`` s."""
        with contextlib.suppress(Exception):
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), grace)
        except (asyncio.TimeoutError, RuntimeError):
            self.kill()


class Pool:
    """``size`` workers started on first use on the running event loop; a call takes an idle
    worker (waiting for one if all are busy) and gives it back after."""

    def __init__(self, store_path: Path | None, size: int):
        self.store_path, self.size = store_path, size
        self.loop = asyncio.get_running_loop()
        self.idle: asyncio.Queue[Worker | None] = asyncio.Queue()
        self.workers: set[Worker] = set()
        for _ in range(size):
            self.idle.put_nowait(None)  # a slot: a worker starts when the slot is first used

    async def call(self, name: str, *args, timeout: float) -> bytes:
        """The worker's answer to ``name(*args)``; its exception raised here. Over ``timeout``
        seconds: :class:`asyncio.TimeoutError` and the worker is killed (it would keep computing)."""
        worker = await self.idle.get()
        if worker is not None and worker.process.returncode is not None:  # died while idle: a new one
            self.workers.discard(worker)
            worker = None
        try:
            if worker is None:
                worker = await Worker.start(self.store_path)
                self.workers.add(worker)
            async with asyncio.timeout(timeout):  # no task in between (wait_for would add one)
                ok, value = await worker.call(name, args)
        except BaseException:  # overran, died or cancelled mid-call: its pipes are out of step
            if worker is not None:
                worker.kill()
                self.workers.discard(worker)
            worker = None
            raise
        finally:
            self.idle.put_nowait(worker)
        if not ok:
            raise value
        return value

    async def close(self) -> None:
        workers, self.workers = list(self.workers), set()
        await asyncio.gather(*(w.stop() for w in workers), return_exceptions=True)

    def kill(self) -> None:
        """Stop every worker now (when the loop that owns the pipes is gone)."""
        for worker in self.workers:
            worker.kill()
        self.workers = set()

