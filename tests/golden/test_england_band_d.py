"""Golden: England's average Band D council tax (all precepts, including adult social care and parish
precepts), every year held, as MHCLG published it in "Council Tax levels set by local authorities
in England" (each year's statistical release, key points):

2015-16 £1,484 (release of 15 July 2015, revised), 2016-17 £1,530 (31 March 2016), 2017-18 £1,591 and
2018-19 £1,671 (9 April 2018, revised), 2019-20 £1,750 (27 March 2019), 2020-21 £1,818 and 2021-22
£1,898 (25 March 2021), 2022-23 £1,966 and 2023-24 £2,065 (revised release of 19 May 2023).

Reproduced as the tax-base-weighted mean of each billing area's Band D for the area, directly and
through ``analysis.change`` (``devo change band_d_area_total``), whose panel must now keep the
areas whose county was reorganised (Cumberland, Westmorland and Furness, North Yorkshire, Somerset
in 2022-23 to 2023-24).

Tolerance: 50p, since the release rounds to the pound. The data file has no 2018-19 row for Boston
(one of 326 billing areas), which moves England's average by pennies, not pounds.
"""

from __future__ import annotations

import pytest

from devolution.analysis.change import change
from devolution.places.tiers import BILLING_TIERS

PUBLISHED = {2015: 1484, 2016: 1530, 2017: 1591, 2018: 1671, 2019: 1750, 2020: 1818, 2021: 1898, 2022: 1966,
             2023: 2065}
TOLERANCE = 0.50


def test_england_average_band_d_is_the_published_one_every_year(store):
    places = store.places()
    billing = set(places.loc[places["tier"].isin(BILLING_TIERS), "code"])
    rows = store.observations(["band_d_area_total", "tax_base"])
    wide = rows.pivot_table(index=["code", "year"], columns="measure", values="value").reset_index()
    wide = wide[wide["code"].isin(billing)].dropna()
    sums = wide.assign(money=wide["band_d_area_total"] * wide["tax_base"]).groupby("year")[["money", "tax_base"]].sum()
    average = sums["money"] / sums["tax_base"]
    assert sorted(average.index) == sorted(PUBLISHED)
    for year, published in PUBLISHED.items():
        assert average[year] == pytest.approx(published, abs=TOLERANCE), year


@pytest.mark.parametrize("first, last, tolerance", [
    (2015, 2016, TOLERANCE), (2019, 2020, TOLERANCE), (2021, 2022, TOLERANCE), (2022, 2023, TOLERANCE),
    # A pair's panel keeps only the areas held in both years: Boston (no 2018-19 row) leaves the
    # 2017-18 side too, which lowers it by 50p to £1,590.50.
    (2017, 2018, 1.0)])
def test_devo_change_reproduces_the_published_england_average(store, first, last, tolerance):
    table = change("band_d_area_total", first, last, store=store)
    england = table[table["group"] == "England"].iloc[0]
    assert england["value_first"] == pytest.approx(PUBLISHED[first], abs=tolerance)
    assert england["value_last"] == pytest.approx(PUBLISHED[last], abs=tolerance)


def test_areas_whose_county_was_reorganised_are_covered_where_their_billing_areas_are(store):
    table = change("band_d_area_total", 2022, 2023, store=store)
    left_out = {row["name"] for row in table.attrs["left_out"]}
    assert not left_out & {"Cumberland", "Westmorland and Furness", "North Yorkshire", "Somerset"}, left_out
    assert table[table["group"] == "England"]["areas"].iloc[0] == 296   # every billing area of 2023-24
    # Only Boston's missing 2018-19 row leaves an area out in any pair held.
    earlier = change("band_d_area_total", 2017, 2018, store=store)
    assert [row["name"] for row in earlier.attrs["left_out"]] == ["Boston"]
