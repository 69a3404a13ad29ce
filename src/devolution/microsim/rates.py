"""Business rates per hereditament with the rules of ``devolution.rules.business_rates``, summed
to billing authorities.

The synthetic stock has no occupation, charity or ratepayer flags, so this run assumes (not from
any publication): every hereditament occupied, none a charity, every hereditament eligible for
small business rate relief (in law only ratepayers with one property, broadly, are: relief is
overstated), and the retail sector standing in for retail, hospitality and leisure (RHL), which
gets the year's RHL relief (2020-21 to 2025-26) with its cash cap applied per hereditament.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from devolution import parameters as parameters_module
from devolution.rules import business_rates

P = "business_rates"


def bills(stock, year: int, tree=None) -> np.ndarray:
    """Rates payable on each hereditament in ``year`` (pounds), under the stated assumptions."""
    tree = tree if tree is not None else parameters_module.default()
    value = lambda name: tree.value(f"{P}.{name}", year)  # noqa: E731
    rv = stock.rateable_value
    rhl = stock.sector == stock.sectors.index("retail")
    occupied, charity = np.ones(rv.shape, dtype=bool), np.zeros(rv.shape, dtype=bool)
    multiplier = business_rates.multiplier(
        rv, rhl, value("multipliers.small_business"), value("multipliers.standard"),
        value("thresholds.small_business"), value("multipliers.small_business_rhl"),
        value("multipliers.standard_rhl"), value("multipliers.high_value"), value("thresholds.high_value"),
        occupied=occupied, charity=charity,
        small_business_for_unoccupied_and_charities=value("multipliers.small_business_for_unoccupied_and_charities"))
    relief = business_rates.small_business_relief_share(
        rv, np.ones(rv.shape, dtype=bool), value("reliefs.small_business_lower_threshold"),
        value("reliefs.small_business_upper_threshold"))
    net = business_rates.bill(rv, multiplier, relief, charity, value("reliefs.charitable"))
    return net - business_rates.retail_hospitality_leisure_relief(
        net, rhl & occupied, value("reliefs.retail_hospitality_leisure"),
        value("reliefs.retail_hospitality_leisure_cash_cap"))


def rates_by_authority(stock, year: int, tree=None) -> pd.DataFrame:
    """Hereditaments, rateable value and rates payable by billing authority."""
    payable = bills(stock, year, tree)
    starts = stock.offsets[:-1]
    sizes = np.diff(stock.offsets)
    nonempty = sizes > 0

    def segment_sum(values):
        out = np.zeros(len(sizes))
        out[nonempty] = np.add.reduceat(values, starts[nonempty]) if len(values) else 0.0
        return out

    return pd.DataFrame({"code": list(stock.codes), "hereditaments": sizes,
                         "rateable_value": segment_sum(stock.rateable_value), "rates_payable": segment_sum(payable)})
