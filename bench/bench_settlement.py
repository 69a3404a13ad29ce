"""Time business rates retention and the settlement for every authority, data in memory.

Targets: one year for all authorities under 2 ms; 10,000 variants (local share x levy rate cap, a
leading axis of numpy arrays) under 2 s on 2 cores. Peers measured in the same run: a pandas
version of one year, and a per-variant Python loop over the same numpy rules.
Per-authority baselines are not in the shared data, so the amounts are drawn at random around the
real 2017-18 SFA of each authority in the CSP file (the speed does not depend on the values).
Run: DEVOLUTION_DATA=/work/shared/data .venv/bin/python bench/bench_settlement.py
"""

from __future__ import annotations

import os
import time
import timeit
from pathlib import Path

import numpy as np
import pandas as pd

from devolution.rules.pipeline import groups, retention_arrays
from devolution.rules.settlement import settlement_funding_assessment

DATA = Path(os.environ.get("DEVOLUTION_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
ONE_YEAR_TARGET, SWEEP_TARGET, VARIANTS = 2e-3, 2.0, 10_000


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
    start = time.perf_counter()
    swept = one_year(x, group, n_groups, shares, caps)
    sweep = time.perf_counter() - start
    subset = 200
    start = time.perf_counter()
    for i in range(subset):
        one_year(x, group, n_groups, float(shares[i, 0]), float(caps[i, 0]))
    loop = (time.perf_counter() - start) / subset * VARIANTS
    assert np.allclose(swept["levy"][subset - 1], one_year(x, group, n_groups, float(shares[subset - 1, 0]),
                                                             float(caps[subset - 1, 0]))["levy"])
    print(f"{VARIANTS:,} variants x {n} authorities (leading axis): {sweep:.3f} s (target {SWEEP_TARGET:.0f} s, "
          f"{'met' if sweep < SWEEP_TARGET else 'MISSED'}); per-variant loop peer {loop:.3f} s "
          f"(timed on {subset} variants, scaled; {loop / sweep:.1f}x slower)")


if __name__ == "__main__":
    main()
