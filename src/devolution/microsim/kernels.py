"""Property-level council tax kernels: one fused pass per authority, compiled with numba.

The stock is held sorted by billing authority, so each authority is a contiguous segment
``offsets[a]:offsets[a + 1]`` and no per-row authority column is read. Every kernel works on each
authority's segment alone (council tax: exact integer counts, then a fixed-order sum over bands;
charges and rateable values: row order), so the result does not depend on how the stock is split
across threads, processes or Dask workers (identical, not merely close). Each numba kernel has a numpy
twin (``*_numpy``) that the tests hold it equal to.

The charge on a dwelling is the rule of LGFA 1992 s.5(1) (band proportion of Band D) with the
single person discount of s.11(1)(a) and no charge on exempt dwellings (s.4):

    charge = band_d[authority] * ratio[band] * (1 - single_person_discount * single) * (not exempt)
"""

from __future__ import annotations

import numba
import numpy as np

from devolution.errors import DataError

#: Columns of the per-authority sums, in order.
SUMS = ("dwellings", "band_d_equivalents", "chargeable_dwellings", "chargeable_band_d_equivalents", "charge")

#: Rows counted at a time into byte-wide counters (eight bands to a 64-bit word): at most 255,
#: so no byte can carry into its neighbour; a multiple of the vector width.
BLOCK = 240


def council_tax_sums(offsets, band, single, exempt, band_ratios, band_d, single_person_discount):
    """Per-authority sums (authorities x 5, columns :data:`SUMS`) in one pass over the stock.

    The pass counts dwellings by (band, chargeable, chargeable with the single person discount)
    in exact integers (:func:`council_tax_counts`); only then do a few multiplications per
    authority turn the counts into Band D equivalents and money (:func:`sums_from_counts`)."""
    ratios = np.asarray(band_ratios, dtype=np.float64)
    counts = council_tax_counts(offsets, band, single, exempt, len(ratios))
    return sums_from_counts(np.asarray(offsets, dtype=np.int64), counts, ratios,
                            np.asarray(band_d, dtype=np.float64), float(single_person_discount))


def council_tax_counts(offsets, band, single, exempt, n_bands):
    """Dwellings per authority (authorities x 3 x n_bands, int64): by band, of those not exempt,
    and of those not exempt with the single person discount. Exact, so order-free."""
    counts = _council_tax_counts(np.asarray(offsets, dtype=np.int64), band.view(np.uint8), single.view(np.uint8),
                                 exempt.view(np.uint8), (int(n_bands) + 7) // 8,
                                 numba.get_num_threads())[:, :, :n_bands]
    counted = counts[:, 0, :].sum(axis=1)
    if not np.array_equal(counted, np.diff(offsets)):
        raise DataError(f"{int(np.diff(offsets).sum() - counted.sum()):,} dwellings have a band outside "
                        f"0..{n_bands - 1} (expected one of the {n_bands} bands given ratios)")
    return counts


@numba.njit(parallel=True, cache=True, nogil=True, boundscheck=False)
def _council_tax_counts(offsets, band, single, exempt, n_groups, n_parts):
    # The rows are cut into n_parts equal parts, one a thread (authorities vary 100-fold in size,
    # so splitting by authority can leave a thread idle); each part counts into its own table and
    # the tables are added: integers, so the total does not depend on the cut.
    n_places = offsets.shape[0] - 1
    n_rows = offsets[n_places] - offsets[0]
    parts = np.zeros((n_parts, n_places, 3, n_groups * 8), dtype=np.int64)
    for p in numba.prange(n_parts):
        lo = offsets[0] + n_rows * p // n_parts
        hi = offsets[0] + n_rows * (p + 1) // n_parts
        a = max(np.searchsorted(offsets, lo, side="right") - 1, 0)
        while a < n_places and offsets[a] < hi:
            _count_segment(band, single, exempt, max(lo, offsets[a]), min(hi, offsets[a + 1]), n_groups,
                           parts[p, a])
            a += 1
    out = np.zeros((n_places, 3, n_groups * 8), dtype=np.int64)
    for p in range(n_parts):
        out += parts[p]
    return out


@numba.njit(nogil=True, boundscheck=False, inline="always")
def _count_segment(band, single, exempt, start, stop, n_groups, out):
    # Each row adds 1 << (8 * (band % 8)) to three 64-bit words (all, chargeable, single and
    # chargeable): eight byte-wide counters in a word, one per band of a group of eight, emptied
    # every BLOCK rows. Branch-free with no table look-up, so it compiles to SIMD shifts and adds.
    # Indices are unsigned so numba emits no negative-index wraparound (which forces gathers).
    for lo in range(start, stop, BLOCK):
        n = min(BLOCK, stop - lo)
        for g in range(n_groups):
            every = np.int64(0)
            chargeable = np.int64(0)
            single_chargeable = np.int64(0)
            for j in range(n):
                i = np.uint64(lo + j)
                b = np.int64(band[i])
                one = (np.int64(1) << ((b & 7) << 3)) & -np.int64((b >> 3) == g)
                keep = np.int64(exempt[i]) - 1                      # all ones unless exempt
                every += one
                chargeable += one & keep
                single_chargeable += one & keep & -np.int64(single[i])
            for k in range(8):
                out[0, g * 8 + k] += (every >> (8 * k)) & 255
                out[1, g * 8 + k] += (chargeable >> (8 * k)) & 255
                out[2, g * 8 + k] += (single_chargeable >> (8 * k)) & 255


def council_tax_counts_numpy(offsets, band, single, exempt, n_bands):
    """The numpy twin of :func:`council_tax_counts` (one ``bincount`` per column)."""
    n_places = len(offsets) - 1
    key = np.repeat(np.arange(n_places), np.diff(offsets)) * n_bands + band.astype(np.int64)
    size = n_places * n_bands
    columns = [np.ones(len(band), dtype=bool), ~exempt, single & ~exempt]
    return np.stack([np.bincount(key[c], minlength=size).reshape(n_places, n_bands) for c in columns], axis=1)


@numba.njit(cache=True, nogil=True)
def sums_from_counts(offsets, counts, band_ratios, band_d, single_person_discount):
    """Per-authority sums (columns :data:`SUMS`) from :func:`council_tax_counts`: each count
    times its per-dwelling value (the same values the numpy twin forms row by row), summed over
    bands in a fixed order, so the result does not depend on how authorities are grouped."""
    n_places = offsets.shape[0] - 1
    keep = 1.0 - single_person_discount
    out = np.zeros((n_places, 5))
    for a in range(n_places):
        gross = 0.0
        chargeable = 0
        charged = 0.0
        for b in range(band_ratios.shape[0]):
            ratio = band_ratios[b]
            gross += ratio * counts[a, 0, b]
            chargeable += counts[a, 1, b]
            charged += ratio * (counts[a, 1, b] - counts[a, 2, b]) + (ratio * keep) * counts[a, 2, b]
        out[a, 0] = offsets[a + 1] - offsets[a]
        out[a, 1] = gross
        out[a, 2] = chargeable
        out[a, 3] = charged
        out[a, 4] = charged * band_d[a]
    return out


def council_tax_sums_numpy(offsets, band, single, exempt, band_ratios, band_d, single_person_discount):
    """The numpy twin of :func:`council_tax_sums` (chained temporaries; the reference)."""
    ratio = np.asarray(band_ratios, dtype=np.float64)[band]
    factor = np.where(single, 1.0 - single_person_discount, 1.0) * ~exempt
    starts = np.asarray(offsets[:-1])
    counts = np.diff(offsets).astype(np.float64)
    nonempty = counts > 0
    out = np.zeros((len(counts), 5))

    def segment_sum(values):
        sums = np.zeros(len(counts))
        if len(values):
            sums[nonempty] = np.add.reduceat(values, starts[nonempty])
        return sums

    out[:, 0] = counts
    out[:, 1] = segment_sum(ratio)
    out[:, 2] = segment_sum((~exempt).astype(np.float64))
    out[:, 3] = segment_sum(ratio * factor)
    out[:, 4] = out[:, 3] * np.asarray(band_d, dtype=np.float64)
    return out


@numba.njit(parallel=True, cache=True, nogil=True)
def council_tax_charges(offsets, band, single, exempt, band_ratios, band_d, single_person_discount):
    """The charge on every dwelling (pounds a year), for distributions of who pays."""
    n_places = offsets.shape[0] - 1
    out = np.empty(band.shape[0])
    keep = 1.0 - single_person_discount
    for a in numba.prange(n_places):
        for i in range(offsets[a], offsets[a + 1]):
            if exempt[i]:
                out[i] = 0.0
            else:
                out[i] = band_d[a] * band_ratios[band[i]] * (keep if single[i] else 1.0)
    return out


def council_tax_charges_numpy(offsets, band, single, exempt, band_ratios, band_d, single_person_discount):
    """The numpy twin of :func:`council_tax_charges`."""
    per_row_band_d = np.repeat(np.asarray(band_d, dtype=np.float64), np.diff(offsets))
    ratio = np.asarray(band_ratios, dtype=np.float64)[band]
    return per_row_band_d * ratio * np.where(single, 1.0 - single_person_discount, 1.0) * ~exempt


@numba.njit(parallel=True, cache=True, nogil=True)
def rateable_value_sums(offsets, rateable_value, sector, n_sectors):
    """Per-authority hereditaments and rateable value, by sector (authorities x sectors x 2)."""
    n_places = offsets.shape[0] - 1
    out = np.zeros((n_places, n_sectors, 2))
    for a in numba.prange(n_places):
        for i in range(offsets[a], offsets[a + 1]):
            out[a, sector[i], 0] += 1.0
            out[a, sector[i], 1] += rateable_value[i]
    return out


def rateable_value_sums_numpy(offsets, rateable_value, sector, n_sectors):
    """The numpy twin of :func:`rateable_value_sums`."""
    place = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    key = place * n_sectors + sector
    size = (len(offsets) - 1) * n_sectors
    count = np.bincount(key, minlength=size).astype(np.float64)
    value = np.bincount(key, weights=rateable_value, minlength=size)
    return np.stack([count, value], axis=1).reshape(len(offsets) - 1, n_sectors, 2)


def offsets_from_sizes(sizes: np.ndarray) -> np.ndarray:
    """Segment offsets (n + 1, int64) from the number of rows of each authority."""
    return np.concatenate([[0], np.cumsum(np.asarray(sizes, dtype=np.int64))]).astype(np.int64)
