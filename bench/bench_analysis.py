"""Benchmark: `change` by deprivation quintile (crosswalk, completeness, groups) on the real store.

Target: under 1 second per call on 2 cores. Peer measured in the same run: a plain pandas group-by of
the same raw rows without crosswalk or county shares (the floor any such analysis pays).

    DEVOLUTION_STORE=/tmp/t1.duckdb .venv/bin/python bench/bench_analysis.py
"""

from __future__ import annotations

import time

TARGET_SECONDS = 1.0


def best_of(fn, n=5):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    from devolution.analysis.change import change
    from devolution.store import Store

    with Store(read_only=True) as store:
        ours = best_of(lambda: change("nce_total_service_expenditure", 2010, 2017, "deprivation", store=store))

        def peer():
            rows = store.observations("nce_total_service_expenditure", years=[2010, 2017])
            pop = store.observations("population", years=[2011, 2017])
            return rows.groupby("year")["value"].sum() / pop.groupby("year")["value"].sum()

        floor = best_of(peer)
    print(f"change by deprivation: {ours * 1000:.0f} ms (target < {TARGET_SECONDS * 1000:.0f} ms: "
          f"{'met' if ours < TARGET_SECONDS else 'MISSED'}); plain pandas group-by peer: {floor * 1000:.0f} ms "
          f"({ours / floor:.1f}x)")


if __name__ == "__main__":
    main()
