"""Each numba kernel equals its numpy twin."""

from __future__ import annotations

import numpy as np

from devolution.microsim import kernels


def _random_stock(seed=7, n_places=40, n_bands=10):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(0, 500, n_places)
    sizes[3] = 0
    n = int(sizes.sum())
    return (kernels.offsets_from_sizes(sizes), rng.integers(0, n_bands, n).astype(np.int8), rng.random(n) < 0.3,
            rng.random(n) < 0.05, rng.uniform(0.5, 3.0, n_bands), rng.uniform(1000, 2500, n_places))


def test_council_tax_sums_equal_the_numpy_twin():
    args = _random_stock()
    fast = kernels.council_tax_sums(*args, 0.25)
    slow = kernels.council_tax_sums_numpy(*args, 0.25)
    assert fast.shape == (40, 5)
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-9)   # summation order only


def test_council_tax_charges_equal_the_numpy_twin():
    args = _random_stock(seed=3)
    np.testing.assert_allclose(kernels.council_tax_charges(*args, 0.4), kernels.council_tax_charges_numpy(*args, 0.4),
                               rtol=1e-15)


def test_rateable_value_sums_equal_the_numpy_twin():
    rng = np.random.default_rng(1)
    offsets = kernels.offsets_from_sizes(np.array([10, 0, 250, 31]))
    value = np.round(rng.lognormal(9, 1, offsets[-1]))
    sector = rng.integers(0, 4, offsets[-1])
    np.testing.assert_allclose(kernels.rateable_value_sums(offsets, value, sector, 4),
                               kernels.rateable_value_sums_numpy(offsets, value, sector, 4), rtol=1e-12)


def test_sums_do_not_depend_on_how_authorities_are_grouped():
    offsets, band, single, exempt, ratios, band_d = _random_stock(seed=11)
    whole = kernels.council_tax_sums(offsets, band, single, exempt, ratios, band_d, 0.25)
    cut = offsets[17]
    tail = kernels.council_tax_sums(offsets[17:] - cut, band[cut:], single[cut:], exempt[cut:], ratios, band_d[17:], 0.25)
    assert np.array_equal(whole[17:], tail)                          # bit for bit


def test_council_tax_counts_equal_the_numpy_twin_across_blocks_and_band_groups():
    # sizes straddle the 240-row blocks; 20 bands take three groups of eight byte counters
    rng = np.random.default_rng(5)
    sizes = np.array([0, 1, kernels.BLOCK - 1, kernels.BLOCK, kernels.BLOCK + 1, 3 * kernels.BLOCK + 7, 5000])
    n = int(sizes.sum())
    offsets = kernels.offsets_from_sizes(sizes)
    band, single, exempt = rng.integers(0, 20, n).astype(np.int8), rng.random(n) < 0.3, rng.random(n) < 0.1
    for n_bands in (20, 8):
        b = band % n_bands
        fast = kernels.council_tax_counts(offsets, b, single, exempt, n_bands)
        assert fast.dtype == np.int64 and fast.shape == (len(sizes), 3, n_bands)
        assert np.array_equal(fast, kernels.council_tax_counts_numpy(offsets, b, single, exempt, n_bands))


def test_byte_counters_do_not_carry_when_every_row_is_the_same():
    # 10,000 single-person band H dwellings: each block fills one byte counter to 240 (of 255)
    n = 10_000
    offsets = kernels.offsets_from_sizes(np.array([n]))
    band, yes, no = np.full(n, 7, dtype=np.int8), np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
    counts = kernels.council_tax_counts(offsets, band, yes, no, 8)
    assert counts[0, :, 7].tolist() == [n, n, n] and counts[0, :, :7].sum() == 0
    sums = kernels.council_tax_sums(offsets, band, yes, no, np.arange(1, 9) / 9, np.array([2000.0]), 0.25)
    assert sums[0].tolist() == [n, n * (8 / 9), n, n * ((8 / 9) * 0.75), n * ((8 / 9) * 0.75) * 2000.0]


def test_a_band_without_a_ratio_is_an_error():
    import pytest

    from devolution.errors import DataError

    offsets = kernels.offsets_from_sizes(np.array([3]))
    flags = np.zeros(3, dtype=bool)
    for bad in (8, -1):
        with pytest.raises(DataError, match="band outside 0..7"):
            kernels.council_tax_counts(offsets, np.array([0, bad, 2], dtype=np.int8), flags, flags, 8)


def test_sums_are_bit_identical_to_the_numpy_twin_on_integer_ratios():
    # with ratios and Band D whole numbers every product and sum is exact, so the two agree to the bit
    offsets, band, single, exempt, _, _ = _random_stock(seed=13, n_bands=8)
    ratios, band_d = np.arange(6.0, 14.0), np.arange(1000.0, 1040.0)
    assert np.array_equal(kernels.council_tax_sums(offsets, band, single, exempt, ratios, band_d, 0.5),
                          kernels.council_tax_sums_numpy(offsets, band, single, exempt, ratios, band_d, 0.5))


def test_counts_do_not_depend_on_how_the_rows_are_cut_between_threads():
    offsets, band, single, exempt, _, _ = _random_stock(seed=17)
    views = (offsets, band.view(np.uint8), single.view(np.uint8), exempt.view(np.uint8), 2)
    one = kernels._council_tax_counts(*views, 1)
    for n_parts in (2, 3, 7, 64):                # cuts fall inside authorities and inside blocks
        assert np.array_equal(kernels._council_tax_counts(*views, n_parts), one)
    assert np.array_equal(one[:, :, :10], kernels.council_tax_counts_numpy(offsets, band, single, exempt, 10))
