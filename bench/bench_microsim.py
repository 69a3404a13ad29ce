"""Benchmark: property-level council tax at national scale, against a plain numpy peer.

Run:  DEVOLUTION_STORE=/tmp/t1.duckdb .venv/bin/python bench/bench_microsim.py [--dask]

Prints, for 1 and 10 million dwellings and the national stock (25,225,481), the fused numba
kernel's time, the numpy twin's time (the peer, measured in the same run), their ratio, and the
memory-bandwidth floor: bytes the kernel must read and write divided by this machine's measured
copy bandwidth (target: within 3x of the floor). Then the targets of issue #8: a full reform run
on data in memory (< 1 s on 2 cores), Parquet on disk to per-authority results (< 10 s), peak
memory (< 8 GB), and the 2.14 million hereditaments. The stocks are the synthetic stocks of
``devolution.microsim.stock`` (published counts; assumptions stated there).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numba
import numpy as np

from devolution.microsim import kernels, partitions, stock as stocks
from devolution.microsim.reforms import reform_from_options
from devolution.microsim.run import band_d_for, compare, council_tax_by_authority, rateable_value_by_authority
from devolution.store import Store


def best_of(fn, repeat=5):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


@numba.njit(parallel=True, cache=False, nogil=True, boundscheck=False)
def lookup_kernel(offsets, band, single, exempt, band_ratios, band_d, single_person_discount):
    """The council tax kernel before issue #8 (the peer in the same run): three table look-ups
    keyed by band and flags per row, four running float sums per column. Bytes as ``uint8``."""
    width = band_ratios.shape[0] * 4
    gross_t = np.empty(width)
    count_t = np.empty(width)
    charged_t = np.empty(width)
    for b in range(band_ratios.shape[0]):
        for s in range(2):
            for e in range(2):
                k = b * 4 + s * 2 + e
                gross_t[k] = band_ratios[b]
                count_t[k] = 1.0 - e
                charged_t[k] = band_ratios[b] * (1.0 - single_person_discount * s) * (1.0 - e)
    n_places = offsets.shape[0] - 1
    out = np.zeros((n_places, 5))
    for a in numba.prange(n_places):
        g0 = g1 = g2 = g3 = 0.0
        c0 = c1 = c2 = c3 = 0.0
        w0 = w1 = w2 = w3 = 0.0
        start = offsets[a]
        stop = offsets[a + 1]
        last = start + (stop - start) // 4 * 4
        for i in range(start, last, 4):
            k0 = band[i] * 4 + single[i] * 2 + exempt[i]
            k1 = band[i + 1] * 4 + single[i + 1] * 2 + exempt[i + 1]
            k2 = band[i + 2] * 4 + single[i + 2] * 2 + exempt[i + 2]
            k3 = band[i + 3] * 4 + single[i + 3] * 2 + exempt[i + 3]
            g0 += gross_t[k0]
            g1 += gross_t[k1]
            g2 += gross_t[k2]
            g3 += gross_t[k3]
            c0 += count_t[k0]
            c1 += count_t[k1]
            c2 += count_t[k2]
            c3 += count_t[k3]
            w0 += charged_t[k0]
            w1 += charged_t[k1]
            w2 += charged_t[k2]
            w3 += charged_t[k3]
        for i in range(last, stop):
            k0 = band[i] * 4 + single[i] * 2 + exempt[i]
            g0 += gross_t[k0]
            c0 += count_t[k0]
            w0 += charged_t[k0]
        charged = (w0 + w1) + (w2 + w3)
        out[a, 0] = stop - start
        out[a, 1] = (g0 + g1) + (g2 + g3)
        out[a, 2] = (c0 + c1) + (c2 + c3)
        out[a, 3] = charged
        out[a, 4] = charged * band_d[a]
    return out


def exact_sums(stock, ratios, band_d, discount):
    """Charge and Band D equivalents per authority summed exactly (math.fsum over the bands of
    integer counts times the per-dwelling values): the yardstick for the rounding of each kernel."""
    import math

    counts = kernels.council_tax_counts_numpy(stock.offsets, stock.band, stock.single_person, stock.exempt,
                                              len(ratios))
    keep = 1.0 - discount
    charged = np.array([math.fsum([float(r) * int(c1 - c2) for r, c1, c2 in zip(ratios, row[1], row[2])]
                                  + [float(r * keep) * int(c2) for r, c2 in zip(ratios, row[2])]) for row in counts])
    gross = np.array([math.fsum(float(r) * int(c) for r, c in zip(ratios, row[0])) for row in counts])
    return gross, charged


def copy_bandwidth() -> float:
    """Bytes moved per second (read + write) by a large numpy copy: the machine's memory speed."""
    src = np.ones(400_000_000 // 8)
    dst = np.empty_like(src)
    seconds = best_of(lambda: np.copyto(dst, src), repeat=5)
    return 2 * src.nbytes / seconds


def scaled(counts, band_d, n):
    """A stock of about ``n`` dwellings: every authority's band counts scaled by the same factor."""
    factor = n / counts.to_numpy().sum()
    return stocks.dwellings_from_counts(counts.index.to_numpy(dtype=object),
                                        np.round(counts.to_numpy() * factor).astype(np.int64), year=2022)


PEER = Path(__file__).parent / "openfisca_peer"


def openfisca_peer(sizes=(1_000_000, 10_000_000)) -> None:
    """OpenFisca-Core (its own venv) against our kernel on the same random dwellings."""
    import json
    import subprocess

    python = PEER / ".venv" / "bin" / "python"
    if not python.exists():
        print(f"\nOpenFisca-Core peer: skipped (create it with {PEER / 'create_venv.sh'})")
        return
    out = subprocess.run([str(python), str(PEER / "council_tax_openfisca.py"), *map(str, sizes)],
                         capture_output=True, text=True, check=True).stdout
    print(f"\nOpenFisca-Core peer (charge on every dwelling, summed by 309 authorities):")
    print(f"{'dwellings':>12} {'ours ms':>9} {'OpenFisca ms':>13} {'speed-up':>9} {'totals agree (relative gap)':>28}")
    for line in out.splitlines():
        peer = json.loads(line)
        n = peer["dwellings"]
        rng = np.random.default_rng(0)                       # the peer's inputs, drawn the same way
        place = np.sort(rng.integers(0, 309, n))
        band_d = rng.uniform(1500, 2500, 309)
        band = rng.integers(0, 8, n).astype(np.int8)
        single, exempt = rng.random(n) < 0.33, rng.random(n) < 0.03
        offsets = kernels.offsets_from_sizes(np.bincount(place, minlength=309))
        call = (offsets, band, single, exempt, np.array([6, 7, 8, 9, 11, 13, 15, 18]) / 9, band_d, 0.25)
        kernels.council_tax_sums(*call)
        ours = best_of(lambda: kernels.council_tax_sums(*call), repeat=25)
        total = kernels.council_tax_sums(*call)[:, 4].sum()
        gap = abs(total / peer["total"] - 1)                 # OpenFisca holds float variables as float32
        print(f"{n:>12,} {ours * 1e3:>9.1f} {peer['seconds'] * 1e3:>13.0f} {peer['seconds'] / ours:>8.0f}x "
              f"{'yes' if gap < 1e-6 else 'NO'} ({gap:.1e})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dask", action="store_true", help="also time the national run on a 2-worker LocalCluster")
    args = parser.parse_args()
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    print(f"numba threads: {numba.get_num_threads()}")
    with Store(read_only=True) as store:
        counts = stocks.dwelling_counts(store, 2022)
        band_d = band_d_for(store, counts.index.to_numpy(dtype=object), 2022)
    bandwidth = copy_bandwidth()
    print(f"measured copy bandwidth: {bandwidth / 1e9:.1f} GB/s (read + write)\n")
    ratios = np.array([6, 7, 8, 9, 11, 13, 15, 18]) / 9

    print("council tax sums by authority; new = integer counts (issue #8), old = table look-ups (before),")
    print("numpy = the twin; floor = bytes read (band, two flags, offsets) / copy bandwidth")
    print(f"{'dwellings':>12} {'new ms':>7} {'old ms':>7} {'numpy ms':>9} {'floor ms':>9} {'new x floor':>12} "
          f"{'old x floor':>12} {'new/old':>8} target<=3x")
    national = None
    for n in (1_000_000, 10_000_000, None):
        stock = scaled(counts, band_d, n) if n else stocks.dwellings_from_counts(
            counts.index.to_numpy(dtype=object), counts.to_numpy(), year=2022)
        if n is None:
            national = stock
        call = (stock.offsets, stock.band, stock.single_person, stock.exempt, ratios, band_d, 0.25)
        raw = (stock.offsets, stock.band.view(np.uint8), stock.single_person.view(np.uint8),
               stock.exempt.view(np.uint8), ratios, band_d, 0.25)
        kernels.council_tax_sums(*call)                                  # compile / load cache
        lookup_kernel(*raw)
        ours = best_of(lambda: kernels.council_tax_sums(*call), repeat=25)
        old = best_of(lambda: lookup_kernel(*raw), repeat=25)
        theirs = best_of(lambda: kernels.council_tax_sums_numpy(*call), repeat=2)
        moved = stock.band.nbytes + stock.single_person.nbytes + stock.exempt.nbytes + stock.offsets.nbytes
        floor = moved / bandwidth
        print(f"{len(stock):>12,} {ours * 1e3:>7.2f} {old * 1e3:>7.2f} {theirs * 1e3:>9.1f} {floor * 1e3:>9.2f} "
              f"{ours / floor:>11.2f}x {old / floor:>11.2f}x {old / ours:>7.1f}x {'PASS' if ours <= 3 * floor else 'MISS'}")

    call = (national.offsets, national.band, national.single_person, national.exempt, ratios, band_d, 0.25)
    raw = (national.offsets, national.band.view(np.uint8), national.single_person.view(np.uint8),
           national.exempt.view(np.uint8), ratios, band_d, 0.25)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    per_row = [best_of(lambda: f(*c), repeat=10) / len(national) * 1e9
               for f, c in ((kernels.council_tax_sums, call), (lookup_kernel, raw))]
    numba.set_num_threads(threads)
    print(f"one thread, national: new {per_row[0]:.3f} ns a row, old {per_row[1]:.3f} ns a row "
          f"(floor, both cores: {3 / bandwidth * 1e9:.3f} ns a row)")
    gross, charged = exact_sums(national, ratios, band_d, 0.25)
    for name, sums in (("new", kernels.council_tax_sums(*call)), ("old", lookup_kernel(*raw)),
                       ("numpy", kernels.council_tax_sums_numpy(*call))):
        gap = max(np.max(np.abs(sums[:, 1] / gross - 1)), np.max(np.abs(sums[:, 3] / charged - 1)))
        print(f"  {name:>5}: largest relative gap to the exact sums (Band D equivalents, chargeable): {gap:.1e}")

    reform = reform_from_options(2022, single_person=0.3, new_bands=["21/9:0.4", "24/9:0.2"])
    compare(national, band_d, 2022, reform)
    full = best_of(lambda: compare(national, band_d, 2022, reform), repeat=3)
    spd_only = reform_from_options(2022, single_person=0.3)
    simple = best_of(lambda: compare(national, band_d, 2022, spd_only), repeat=3)
    print(f"\nfull reform run in memory, 25.2m dwellings (baseline + reform, by authority):")
    print(f"  single person discount 30%:                 {simple:6.3f} s  target < 1 s  "
          f"{'PASS' if simple < 1 else 'MISS'}")
    print(f"  + two new bands above H (rebanding 150k H): {full:6.3f} s  target < 1 s  {'PASS' if full < 1 else 'MISS'}")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "dwellings"
        partitions.write_dwellings(national, root)
        heredits = stocks.hereditaments_for(national.codes, np.diff(national.offsets))
        partitions.write_hereditaments(heredits, Path(tmp) / "hereditaments")
        del national
        start = time.perf_counter()
        stock = partitions.read_dwellings(root, year=2022)
        council_tax_by_authority(stock, band_d, 2022, reform)
        heredits = partitions.read_hereditaments(Path(tmp) / "hereditaments")
        rateable_value_by_authority(heredits)
        disk = time.perf_counter() - start
        print(f"\nParquet on disk -> per-authority results (25.2m dwellings + {len(heredits):,} hereditaments): "
              f"{disk:.2f} s  target < 10 s  {'PASS' if disk < 10 else 'MISS'}")
        call = (heredits.offsets, heredits.rateable_value, heredits.sector.astype(np.int64), 4)
        ours = best_of(lambda: kernels.rateable_value_sums(*call))
        theirs = best_of(lambda: kernels.rateable_value_sums_numpy(*call), repeat=2)
        print(f"rateable value by authority and sector, {len(heredits):,} hereditaments: numba {ours * 1e3:.1f} ms, "
              f"numpy {theirs * 1e3:.1f} ms ({theirs / ours:.0f}x)")
        from devolution.microsim.rates import rates_by_authority

        payable = best_of(lambda: rates_by_authority(heredits, 2022), repeat=3)
        print(f"business rates bills (rules.business_rates, numpy) + sums by authority, {len(heredits):,}: "
              f"{payable * 1e3:.0f} ms; rates payable {rates_by_authority(heredits, 2022)['rates_payable'].sum() / 1e9:.1f} bn "
              f"(synthetic stock; assumptions in microsim/rates.py)")
        if args.dask:
            from devolution.microsim.distributed import council_tax_on_dask

            start = time.perf_counter()
            council_tax_on_dask(root, dict(zip(stock.codes, band_d)), 2022, reform, n_workers=2)
            print(f"Dask LocalCluster (2 workers, cluster start included): {time.perf_counter() - start:.2f} s")
    openfisca_peer()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6     # kilobytes on Linux
    print(f"\npeak memory (this process): {peak:.2f} GB  target < 8 GB  {'PASS' if peak < 8 else 'MISS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
