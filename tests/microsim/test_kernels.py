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
