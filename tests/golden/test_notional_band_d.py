"""Golden: each new council's predecessors' notional Band D, computed from the store
(``analysis.predecessors``), against what MHCLG printed for the new council for the year before it
began ("Council Tax levels set by local authorities in England", table 9: the new council's row
carries the predecessors' council tax requirement and tax base on its area), and its first-year Band
D against the year's principles.

Tolerance: half a penny per Band D (``predecessors.TOLERANCE``): the requirements are printed to
the pound and the tax bases to one or two decimals. Two gaps are explained: Cumbria's fire and
rescue passed to the Police, Fire and Crime Commissioner on 1 April 2023, so Cumberland's and
Westmorland and Furness's printed comparison leaves out the county's fire element, the same per
Band D in both (about £85.61); Somerset's printed comparison is £3.52 lower (cause not established).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from devolution import parameters
from devolution.analysis import predecessors
from devolution.rules import referendum

#: Every reorganisation the register holds, with the first year (financial year start).
REORGANISED = {"E06000058": 2019, "E06000059": 2019, "E07000244": 2019, "E07000245": 2019, "E07000246": 2019,
               "E06000060": 2020, "E06000061": 2021, "E06000062": 2021,
               "E06000063": 2023, "E06000064": 2023, "E06000065": 2023, "E06000066": 2023}
EXPLAINED_GAP = {"E06000063": -85.61, "E06000064": -85.61, "E06000066": -3.52}   # printed minus computed, £


@pytest.fixture(scope="module")
def table(loaded_store_path) -> pd.DataFrame:
    from devolution.store import Store

    with Store(loaded_store_path, read_only=True) as store:
        return predecessors.notional_band_d_table(store.places(), store.observations(list(predecessors.MEASURES)))


def test_every_reorganisation_in_the_register_has_its_predecessors_notional_band_d(table):
    held = table.dropna(subset=["notional_band_d"]).set_index("code")
    assert held["first_year"].to_dict() == REORGANISED
    assert (held["notional_band_d"] > 100).all()
    # Districts merged under a county that goes on carry no county precept: East Suffolk is a district.
    assert held.loc["E07000244", "notional_band_d"] == pytest.approx(162.27, abs=0.01)


def test_notional_band_d_matches_the_printed_comparison_to_half_a_penny(table):
    held = table.dropna(subset=["notional_band_d"]).set_index("code")
    gap = held["published_comparison"] - held["notional_band_d"]
    plain = gap.drop(list(EXPLAINED_GAP))
    assert plain.abs().max() < predecessors.TOLERANCE, plain.abs().sort_values().tail(3).to_dict()
    for code, expected in EXPLAINED_GAP.items():
        assert gap[code] == pytest.approx(expected, abs=0.01), code
    # One county-wide element explains both Cumbrian gaps: the same per Band D to a penny.
    assert abs(gap["E06000063"] - gap["E06000064"]) < 0.01


def test_first_year_band_d_is_within_the_principles_measured_from_the_printed_comparison(table):
    """Each new council's first-year Band D (or requirement over tax base where the statistics print
    0.00 or none), against its ceiling from the comparison, under the first year's principles."""
    tree = parameters.default()
    rows = table.dropna(subset=["notional_band_d"]).copy()
    tiers = np.where(rows["code"].str.startswith("E07"), "shire_district", "unitary")
    checked = 0
    for year, group in rows.assign(tier=tiers).groupby("first_year"):
        if year == 2019:   # inside the 2017-18 to 2019-20 adult social care cap: a district's only
            group = group[group["tier"] == "shire_district"]
        found = referendum.principles(tree, int(year), group["code"], group["tier"],
                                      referendum.AscHistory(np.zeros(len(group)), np.zeros(len(group))))
        ceiling = found.ceiling(group["published_comparison"].to_numpy())
        first = group["first_year_band_d"].to_numpy()
        assert (first <= ceiling + 0.005).all(), group.assign(ceiling=ceiling)[["code", "first_year_band_d"]]
        checked += len(group)
    assert checked >= 9
