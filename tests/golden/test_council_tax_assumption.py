"""Golden: how far the CSP council tax assumption differed from what councils set, checked against
England totals computed independently here (plain pandas, no rules), from the official file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from devolution.analysis.council_tax_assumption import assumption_by_council, assumption_report, read_levels
from devolution.parameters import with_overrides
from devolution.sources.council_tax import LEVELS_FILE

# The limits typed here on purpose, as the independent check of the YAML (threshold shares).
CORE = {2016: .02, 2017: .02, 2018: .03, 2019: .03, 2020: .02, 2021: .02, 2022: .02, 2023: .03}
# 2019-20: 2% ("remaining adult social care precept flexibility (maximum of 2%)", MHCLG's 2019-20 release).
ASC = {2016: .02, 2017: .03, 2018: .03, 2019: .02, 2020: .02, 2021: .03, 2022: .01, 2023: .02}


@pytest.fixture(scope="module")
def levels(data_dir):
    return read_levels(data_dir / LEVELS_FILE)


def test_social_care_councils_england_totals_agree_with_an_independent_sum(levels, data_dir):
    report = assumption_report(levels)
    raw = pd.read_csv(data_dir / LEVELS_FILE, dtype=str)
    raw = raw[raw["la_class"].isin(["SC", "UA", "MD", "ILB", "OLB"])]
    num = lambda c: pd.to_numeric(raw[c], errors="coerce")
    raw = raw.assign(y=raw["year"].str[:4].astype(int),
                     bd=num("band_d_excl_parish").fillna(num("band_d_incl_parish")),
                     ctr=num("ctr_excl_parish").fillna(num("ctr_incl_parish")), base=num("taxbase_for_ct_setting"))
    prev = raw[["ons_code", "y", "bd"]].assign(y=raw["y"] + 1).rename(columns={"bd": "prev"})
    both = raw.merge(prev, on=["ons_code", "y"])
    both = both[(both["prev"] > 0) & (both["base"] > 0) & both["ctr"].notna()]
    for year in CORE:
        rows = both[both["y"] == year]
        assumed = (rows["prev"] * (1 + CORE[year] + ASC[year]) * rows["base"]).sum()
        actual = rows["ctr"].sum()
        ours = report[(report["year"] == year) & report["la_class"].isin(["SC", "UA", "MD", "ILB", "OLB"])]
        assert ours["assumed"].sum() == pytest.approx(assumed, rel=1e-12), year
        assert ours["actual"].sum() == pytest.approx(actual, rel=1e-12), year


def test_councils_mostly_set_less_than_the_assumption(levels):
    """In every covered year except 2022-23 (when unused 2021-22 precept could be carried forward,
    which the assumption leaves out), England's social care councils together set less council tax
    than CSP assumed, but by under 3%."""
    report = assumption_report(levels)
    social_care = report[report["la_class"] != "SD"].groupby("year")[["assumed", "actual"]].sum()
    share = social_care["actual"] / social_care["assumed"] - 1
    assert (share.drop(2022) < 0).all(), share.to_dict()
    assert (share.abs() < 0.03).all(), share.to_dict()


def test_unverified_district_years_are_left_out(levels):
    """2016-17's shire district cash alternative is unverified (so those districts are left out);
    2022-23's £5 was read in DLUHC's settlement response (referendum.yaml), so they are in."""
    report = assumption_report(levels)
    district_years = set(report.loc[report["la_class"] == "SD", "year"])
    assert 2016 not in district_years
    assert {2017, 2018, 2019, 2020, 2021, 2022, 2023} <= district_years


def test_a_higher_limit_raises_the_assumption_from_that_year_on(levels):
    reform = with_overrides({"council_tax.referendum.core_limit": {"2021-22": 0.05}})
    base = assumption_by_council(levels).groupby("year")["assumed"].sum()
    changed = assumption_by_council(levels, reform).groupby("year")["assumed"].sum()
    assert np.isclose(changed[2020], base[2020])
    assert (changed[[2021, 2022, 2023]] > base[[2021, 2022, 2023]]).all()
