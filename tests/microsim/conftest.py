"""Small stocks for the microsimulation tests (the national scale is measured in bench/)."""

from __future__ import annotations

import numpy as np
import pytest

from devolution.microsim import stock as stocks


@pytest.fixture(scope="module")
def national_counts(loaded_store_path):
    from devolution.store import Store

    with Store(loaded_store_path, read_only=True) as store:
        from devolution.microsim.run import band_d_for

        counts = stocks.dwelling_counts(store, 2022)
        band_d = band_d_for(store, counts.index.to_numpy(dtype=object), 2022)
    return counts, band_d


@pytest.fixture()
def small_stock():
    """Three made-up authorities (codes shaped like GSS codes), one empty, with every band used."""
    counts = np.array([[5, 4, 3, 2, 2, 1, 1, 2], [0] * 8, [10, 0, 0, 7, 0, 0, 0, 30]])
    return stocks.dwellings_from_counts(np.array(["E06000901", "E06000902", "E06000903"], dtype=object), counts,
                                        year=2022), np.array([1500.0, 1800.0, 2000.0])
