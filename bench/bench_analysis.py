"""Benchmark: `change` by deprivation quintile (crosswalk, completeness, groups) on the real store.

Target (issue #20): within 2x of the peer measured in the same run, a plain pandas group-by of the
same raw rows without crosswalk or county shares (the floor any such analysis pays: two store reads
and two sums). The first call on a freshly opened store is printed too: it builds what later calls
reuse (``Store.memo``, dropped when the store loads data: the register on the boundary year and its
crosswalk, population moved onto it, the IMD scores of its areas, and per measure, years and unit
the areas' money, people and counts in cash); a later call prices, groups and sums.

Profile (cProfile, 3 repeated calls, issue #20): each call rebuilt the crosswalk (0.10 s of 0.91 s
per profiled call), read the places, population, dwellings and IMD tables again, moved them onto
the boundaries (``to_boundaries``, 0.16 s), parsed the register's dates 12 times (6 ``in_force``,
0.13 s) and ran ``isin`` on collections of a few hundred codes 19 times (under pandas 3's string
dtype each makes an Arrow scalar of every code: 0.06 s). Now those are built once per store,
``in_force`` reads YYYY-MM-DD dates directly, membership goes through a hash table
(``places.register.among``) and each group table is one ``groupby``. What is left per call (line
timings of ``_change``, 10 calls, load 2.8): the two group tables (the groups, then England) 59%,
the deprivation quintiles 22%, notes and sources 6%, prices 4%. Same run, load 2.8: 211-225 ms
before, 13-14 ms now, 1.7-1.9x the peer's 7-8 ms (the peer's reads got quicker too: the store's
list of measure names is now read once, 11-26 ms before).

    DEVOLUTION_STORE=/tmp/t1.duckdb .venv/bin/python bench/bench_analysis.py
"""

from __future__ import annotations

import time

TARGET_RATIO = 2.0


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
        ask = lambda: change("nce_total_service_expenditure", 2010, 2017, "deprivation", store=store)  # noqa: E731
        first = best_of(ask, n=1)
        ours = best_of(ask)

        def peer():
            rows = store.observations("nce_total_service_expenditure", years=[2010, 2017])
            pop = store.observations("population", years=[2011, 2017])
            return rows.groupby("year")["value"].sum() / pop.groupby("year")["value"].sum()

        floor = best_of(peer)
    met = "met" if ours <= TARGET_RATIO * floor else "MISSED"
    print(f"change by deprivation: {ours * 1000:.0f} ms, {ours / floor:.1f}x the plain pandas group-by peer's "
          f"{floor * 1000:.0f} ms (target within {TARGET_RATIO:g}x: {met}); first call on a freshly opened store "
          f"{first * 1000:.0f} ms")


if __name__ == "__main__":
    main()
