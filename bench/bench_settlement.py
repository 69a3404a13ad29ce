"""Time business rates retention and the settlement for every authority, data in memory.

Targets: one year for all authorities under 2 ms; 10,000 variants (local share x levy rate cap, a
leading axis of numpy arrays) under 0.2 s on 2 cores (issue #20), on the first run (fresh memory)
and repeated. Measured in the same run: the floor (writing the sweep's nine result arrays, 272 MB,
into fresh memory, which any sweep returning them pays), and three peers: a pandas version of one
year, the previous sweep (every group summed by a dense authorities x groups 0/1 matrix product,
levy and safety net attributed through group arrays gathered back), and a per-variant Python loop
over the same numpy rules.
Per-authority baselines are not in the shared data, so the amounts are drawn at random around the
real 2017-18 SFA of each authority in the CSP file (the speed does not depend on the values).

Profile of the first run (issue #20; perf record on the sweep alone, 2 cores shared, load 2.4-4):
each block of 512 variants made its nine results and ~15 temporaries as fresh arrays, then copied
the results into the nine (10,000 x 396) arrays: 74,000 page faults (290 MB of pages, the results
plus the temporaries of the first blocks on each thread) where the results alone need 272 MB, 54%
of the samples in the kernel zeroing new pages (clear_page_erms; the whole process: 0.84 s system
time of 1.5 s).
Now the nine results are allocated once and every rule writes its block of rows into them (``out=``),
the pools' members are summed by ``np.add.reduceat`` over their runs of columns (no keys built),
and the rate's division is unmasked: 7,000-9,000 page faults, the first run's samples 69% zeroing
the results' own pages (the floor) and 30% arithmetic. Same run, load 3.9: first run 2.37 s before,
0.27 s now (floor 0.08 s); repeated 0.50 s before, 0.24 s now. Load 1.9: first run 0.38-0.63 s
before, 0.10-0.15 s now (floor 0.05-0.39 s); repeated 0.13-0.14 s before, 0.09-0.10 s now. One thread, the blocks in turn
(cProfile, tottime over 20 blocks incl. the first touch of the results): levy rate 78 ms, levy 58,
tariff and top-up 52, gathers of pool members 38, retained 38, income 38, growth kept 36, pool
sums 34, writing members back 29, safety net 24.
Run: DEVOLUTION_DATA=/work/shared/data .venv/bin/python bench/bench_settlement.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import timeit
from pathlib import Path

import numpy as np
import pandas as pd

from devolution.rules.pipeline import groups, retention_arrays
from devolution.rules.settlement import settlement_funding_assessment

DATA = Path(os.environ.get("DEVOLUTION_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
ONE_YEAR_TARGET, SWEEP_TARGET, VARIANTS = 2e-3, 0.2, 10_000


def inputs():
    csp = pd.read_csv(DATA / "core_spending_power_components_2015_16_to_2020_21.csv")
    sfa = csp.loc[csp["year_start"] == 2017, "sfa"].to_numpy(float) * 1e6
    rng = np.random.default_rng(0)
    n = len(sfa)
    bfl = sfa * rng.uniform(0.5, 0.9, n)
    brb = bfl * rng.uniform(0.3, 3.0, n)
    ndri = 2 * brb * rng.uniform(0.9, 1.2, n)
    pool = np.where(rng.uniform(size=n) < 0.3, rng.integers(0, 20, n), -1)
    return dict(brb=brb, bfl=bfl, ndri=ndri, tier=np.ones(n), rsg=sfa - bfl, pool=pool)


def one_year(x, group, n_groups, share=0.5, cap=0.5):
    out = retention_arrays(x["brb"], x["bfl"], x["ndri"], x["tier"], group, n_groups, 0.5, share, cap, 0.925)
    out["sfa"] = settlement_funding_assessment(x["rsg"], x["bfl"])
    return out


def one_year_pandas(frame, share=0.5, cap=0.5):
    f = frame.copy()
    f["brb_s"] = f["brb"] * share / 0.5
    f["tariff"] = (f["brb_s"] - f["bfl"]).clip(lower=0)
    f["top_up"] = (f["bfl"] - f["brb_s"]).clip(lower=0)
    f["retained"] = f["ndri"] * share * f["tier"] - f["tariff"] + f["top_up"]
    g = f.groupby("group")[["brb_s", "bfl", "retained"]].sum()
    g["rate"] = (1 - g["bfl"] / g["brb_s"]).clip(0, cap)
    g["levy"] = g["rate"] * (g["retained"] - g["bfl"]).clip(lower=0)
    g["net"] = (0.925 * g["bfl"] - g["retained"]).clip(lower=0)
    f["sfa"] = f["rsg"] + f["bfl"]
    return f, g


def main():
    x = inputs()
    group, n_groups = groups(x["pool"])
    n = len(x["bfl"])
    loops = 200
    ours = min(timeit.repeat(lambda: one_year(x, group, n_groups), number=loops, repeat=5)) / loops
    frame = pd.DataFrame({k: v for k, v in x.items() if k != "pool"}).assign(group=group)
    peer = min(timeit.repeat(lambda: one_year_pandas(frame), number=20, repeat=3)) / 20
    print(f"one year, {n} authorities: {ours * 1e3:.3f} ms (target {ONE_YEAR_TARGET * 1e3:.0f} ms, "
          f"{'met' if ours < ONE_YEAR_TARGET else 'MISSED'}); pandas peer {peer * 1e3:.3f} ms ({peer / ours:.1f}x slower)")

    shares = np.repeat(np.linspace(0.5, 1.0, 100), 100)[:, None]
    caps = np.tile(np.linspace(0.0, 0.5, 100), 100)[:, None]
    first, swept = timed(lambda: one_year(x, group, n_groups, shares, caps))
    repeated = min(timed(lambda: one_year(x, group, n_groups, shares, caps))[0] for _ in range(5))
    shape = swept["levy"].shape
    floor = cold_floor(shape)
    dense = min(timed(lambda: dense_sweep(x, group, n_groups, shares, caps))[0] for _ in range(2))
    plain = dense_sweep(x, group, n_groups, shares, caps)
    agree = all(np.allclose(swept[k], plain[k], rtol=1e-12, atol=1e-6) for k in plain)
    subset = 200
    start = time.perf_counter()
    for i in range(subset):
        one_year(x, group, n_groups, float(shares[i, 0]), float(caps[i, 0]))
    loop = (time.perf_counter() - start) / subset * VARIANTS
    assert np.allclose(swept["levy"][subset - 1], one_year(x, group, n_groups, float(shares[subset - 1, 0]),
                                                             float(caps[subset - 1, 0]))["levy"])
    print(f"{VARIANTS:,} variants x {n} authorities (leading axis): {first:.3f} s first run, {repeated:.3f} s "
          f"repeated (target {SWEEP_TARGET} s: {'met' if first < SWEEP_TARGET else 'MISSED'} on the first run, "
          f"{'met' if repeated < SWEEP_TARGET else 'MISSED'} repeated)")
    print(f"  floor: writing its nine result arrays ({9 * swept['levy'].nbytes / 2**20:,.0f} MB) into a fresh "
          f"process's memory {floor:.3f} s (the first run is {first / floor:.1f}x it; memory already touched: "
          f"the repeated runs)")
    print(f"  peer, the previous sweep (dense group sums): {dense:.3f} s ({dense / repeated:.1f}x slower); "
          f"every result within 1e-12: {agree}")
    print(f"  peer, per-variant loop (timed on {subset} variants, scaled): {loop:.3f} s ({loop / repeated:.1f}x slower)")
    if not agree:
        raise SystemExit("the sweep and the dense peer differ")


def cold_floor(shape) -> float:
    """Seconds to write nine arrays of ``shape`` into a fresh process's memory (timed inside it)."""
    code = ("import time, numpy as np; start = time.perf_counter(); arrays = [np.empty(%r) for _ in range(9)]; "
            "[a.fill(1.0) for a in arrays]; print(time.perf_counter() - start)" % (tuple(shape),))
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def dense_sweep(x, group, n_groups, shares, caps, base=0.5, threshold=0.925):
    """The previous sweep: every group (pools and authorities alone) summed by a dense 0/1 matrix
    product, levy and safety net attributed through group arrays gathered back."""
    member = (group[:, None] == np.arange(n_groups)).astype(float)
    brb = x["brb"] * (shares / base)
    tariff, top_up = np.maximum(brb - x["bfl"], 0.0), np.maximum(x["bfl"] - brb, 0.0)
    retained = x["ndri"] * shares * x["tier"] - tariff + top_up
    g_bfl, g_ret = np.broadcast_to(x["bfl"], brb.shape) @ member, retained @ member
    ratio = np.ones(g_bfl.shape)
    g_brb = brb @ member
    np.divide(g_bfl, g_brb, out=ratio, where=g_brb > 0)
    rate = np.clip(1.0 - ratio, 0.0, caps)
    g_levy = rate * np.maximum(g_ret - g_bfl, 0.0)
    g_net = np.maximum(threshold * g_bfl - g_ret, 0.0)
    up, down = np.maximum(retained - x["bfl"], 0.0), np.maximum(x["bfl"] - retained, 0.0)
    out = {"levy_rate": np.take(rate, group, axis=-1)}
    for name, amount, basis in (("levy", g_levy, up), ("safety_net", g_net, down)):
        total = np.take(basis @ member, group, axis=-1)
        share = np.zeros(basis.shape)
        np.divide(basis, total, out=share, where=total > 0)
        out[name] = np.take(amount, group, axis=-1) * share
    out["growth_kept"] = retained - x["bfl"] - out["levy"] + out["safety_net"]
    return out


if __name__ == "__main__":
    main()
