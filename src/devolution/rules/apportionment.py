"""Sharing a county's figures between the councils that take over its area, by a driver.

When a county is split between several new unitary councils, each takes the county's services on
its part of the county. What the county spent there is not published by district, so it is shared
out by a driver measured on each part (its residents, its people aged 65 and over, its children,
its land area...). Shares of one county sum to one, so the county's total is kept exactly.

Arrays: ``pieces`` (one element per part of a county going to one new council, with the index of
its county) and ``counties``. No I/O, no loop over rows.
"""

from __future__ import annotations

import numpy as np


def shares(driver: np.ndarray, county: np.ndarray, n_counties: int) -> np.ndarray:
    """Each piece's share of its county: its driver over the sum of the driver on its county's
    pieces (NaN for every piece of a county whose driver sums to zero or less, or is missing on one
    of its pieces). ``driver``: pieces, or pieces x services (people, dwellings, km²...);
    ``county``: pieces, the index of each piece's county."""
    values = np.asarray(driver, dtype=np.float64)
    index = np.asarray(county, dtype=np.int64)
    shape = (n_counties,) + values.shape[1:]
    total = np.zeros(shape)
    np.add.at(total, index, np.nan_to_num(values, nan=0.0))
    missing = np.zeros(shape, dtype=bool)
    np.logical_or.at(missing, index, np.isnan(values))
    out = np.full(values.shape, np.nan)
    ok = (total[index] > 0) & ~missing[index]
    np.divide(values, total[index], out=out, where=ok)
    return out


def apportion(county_total: np.ndarray, driver: np.ndarray, county: np.ndarray) -> np.ndarray:
    """Each piece's part of its county's figure: the county's total (counties x services, £)
    times the piece's share by the driver of each service (pieces x services). Returns pieces x
    services; summed over a county's pieces it gives back the county's total."""
    totals = np.asarray(county_total, dtype=np.float64)
    index = np.asarray(county, dtype=np.int64)
    return totals[index] * shares(driver, index, totals.shape[0])
