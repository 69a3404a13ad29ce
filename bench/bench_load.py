"""How long `devo data load` takes on all of ../shared/data, and how fast `devo` starts.

Targets (issue #2): loading everything under 30 s; `devo --help` under 0.5 s.
Peers, measured in the same run: reading the same CSV files with plain pandas (no checks, no
store), and starting a bare Python interpreter.
Run: .venv/bin/python bench/bench_load.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from devolution.store import Store

DATA = Path(os.environ.get("DEVOLUTION_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
LOAD_TARGET, START_TARGET = 30.0, 0.5


def time_load() -> float:
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "bench.duckdb") as store:
        start = time.perf_counter()
        store.load(DATA)
        return time.perf_counter() - start


def time_pandas_read() -> float:
    start = time.perf_counter()
    for path in sorted(DATA.glob("*.csv")):
        pd.read_csv(path, dtype=str)
    return time.perf_counter() - start


def time_command(args: list[str], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    load, peer = time_load(), time_pandas_read()
    print(f"load all of {DATA}: {load:.2f} s (target < {LOAD_TARGET:.0f} s: "
          f"{'met' if load < LOAD_TARGET else 'MISSED'}); peer, plain pandas.read_csv of the same CSVs "
          f"without checks or store: {peer:.2f} s; ratio {load / peer:.1f}x")
    devo = str(Path(sys.executable).with_name("devo"))
    start, bare = time_command([devo, "--help"]), time_command([sys.executable, "-c", "pass"])
    print(f"`devo --help`: {start * 1000:.0f} ms (target < {START_TARGET * 1000:.0f} ms: "
          f"{'met' if start < START_TARGET else 'MISSED'}); peer, bare `python -c pass`: {bare * 1000:.0f} ms")


if __name__ == "__main__":
    main()
