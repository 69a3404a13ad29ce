"""Property-level council tax kernels: one fused pass per authority, compiled with numba.

The stock is held sorted by billing authority, so each authority is a contiguous segment
``offsets[a]:offsets[a + 1]`` and no per-row authority column is read. Every kernel sums each
authority's segment in row order, so the result does not depend on how the stock is split across
threads, processes or Dask workers (identical, not merely close). Each numba kernel has a numpy
twin (``*_numpy``) that the tests hold it equal to.

The charge on a dwelling is the rule of LGFA 1992 s.5(1) (band proportion of Band D) with the
single person discount of s.11(1)(a) and no charge on exempt dwellings (s.4):

    charge = band_d[authority] * ratio[band] * (1 - single_person_discount * single) * (not exempt)
"""

from __future__ import annotations

import numba
import numpy as np

#: Columns of the per-authority sums, in order.
SUMS = ("dwellings", "band_d_equivalents", "chargeable_dwellings", "chargeable_band_d_equivalents", "charge")


def council_tax_sums(offsets, band, single, exempt, band_ratios, band_d, single_person_discount):
    """Per-authority sums (authorities x 5, columns :data:`SUMS`) in one pass over the stock.

    Bands and flags are read as bytes (zero-copy views): numba loads them faster than ``bool``."""
    return _council_tax_sums(offsets, band.view(np.uint8), single.view(np.uint8), exempt.view(np.uint8),
                             np.asarray(band_ratios, dtype=np.float64), band_d, float(single_person_discount))


@numba.njit(parallel=True, cache=True, nogil=True, boundscheck=False)
def _council_tax_sums(offsets, band, single, exempt, band_ratios, band_d, single_person_discount):
    # one table entry per (band, single, exempt): gross ratio, chargeable, charged ratio
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
        # four running sums per column, each over rows start + 4j + lane: the order depends only
        # on the authority's own rows, so results are identical however authorities are grouped
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
