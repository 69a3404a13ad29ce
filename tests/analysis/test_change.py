"""`devo change`: figures recomputed straight from the raw CSVs with pandas, and invariants."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from devolution import parameters
from devolution.analysis.change import change
from devolution.errors import DevolutionError, ParameterError
from devolution.report.change import change_chart

COUNCILS = ("E06", "E07", "E08", "E09", "E10")
NCE = "nce_total_service_expenditure"
#: A test-only index to exercise the arithmetic of real terms (NOT HM Treasury's figures).
TEST_INDEX = {"2012-13": 80.0, "2014-15": 82.0, "2017-18": 88.0, "2024-25": 100.0}


@pytest.fixture(scope="module")
def raw(data_dir):
    nce = pd.read_csv(data_dir / "revenue_outturn_key_lines_2010_11_to_2024_25.csv")
    nce = nce[(nce["variable"] == "total_service_expenditure") & nce["ons_code"].fillna("").str[:3].isin(COUNCILS)]
    pop = pd.read_csv(data_dir / "population_mye_2011_2023_lad_county_region.csv")
    return nce, pop


@pytest.fixture(scope="module")
def s(loaded_store_path):
    from devolution.store import Store

    with Store(loaded_store_path, read_only=True) as store:
        yield store


def raw_money(nce, label):
    return nce.loc[nce["year"] == label, "value_gbp_thousands"].astype(float).sum() * 1000


def test_england_per_head_2012_to_2014_matches_the_raw_csvs(s, raw):
    nce, pop = raw
    table = change(NCE, 2012, 2014, store=s)
    assert table.attrs["left_out"] == []  # every council reported both years: nothing to drop
    england = pop[pop["gss_code"] == "E92000001"].set_index("year")["population"]
    first = raw_money(nce, "2012-13") / england[2012]
    last = raw_money(nce, "2014-15") / england[2014]
    row = table.iloc[0]
    assert row["value_first"] == pytest.approx(first, rel=1e-9)
    assert row["value_last"] == pytest.approx(last, rel=1e-9)
    assert row["change_pct"] == pytest.approx(100 * (last / first - 1), abs=1e-7)


def test_england_2010_11_uses_mid_2011_population_and_says_so(s, raw):
    nce, pop = raw
    table = change(NCE, 2012, 2014, store=s)
    early = change(NCE, 2010, 2012, store=s)
    assert any("2010-11" in n and "mid-2011" in n for n in early.attrs["notes"])
    assert table.iloc[0]["value_first"] == pytest.approx(early.iloc[0]["value_last"], rel=1e-9)


def test_imd2025_quintiles_match_a_pandas_recomputation(s, raw, data_dir):
    nce, pop = raw
    table = change(NCE, 2012, 2014, "imd2025_quintile", store=s).set_index("group")
    imd = pd.read_csv(data_dir / "imd2025_lad24_summary.csv").set_index("ltla24_code")["imd_average_score"]
    reg = pd.read_csv(data_dir / "la_register_england.csv").set_index("gss_code")
    p = pop.set_index(["gss_code", "year"])["population"]
    areas = pd.DataFrame({"score": imd})
    areas["county"] = reg["county_gss_code"].reindex(areas.index)
    areas["w"] = [p.get((c, 2014), np.nan) for c in areas.index]
    areas = areas.sort_values("score", ascending=False, kind="mergesort")
    mid = (areas["w"].cumsum() - areas["w"] / 2) / areas["w"].sum()
    areas["q"] = np.minimum((mid * 5).astype(int), 4) + 1
    for y, label in ((2012, "2012-13"), (2014, "2014-15")):
        own = nce[nce["year"] == label].groupby("ons_code")["value_gbp_thousands"].sum() * 1000
        people = pd.Series([p.get((c, y), np.nan) for c in areas.index], index=areas.index)
        share = people / areas["county"].map(lambda c: p.get((c, y), np.nan))
        areas[f"m{y}"] = areas.index.map(own).fillna(0) + (areas["county"].map(own) * share).fillna(0)
        areas[f"p{y}"] = people
    sums = areas.groupby("q")[["m2012", "m2014", "p2012", "p2014"]].sum()
    # Areas made by the 2019-2023 reorganisations carry their predecessors' money through the
    # crosswalk (shared by dwellings): recomputing that here would copy the tool, so only the
    # quintiles untouched by reorganisation are recomputed independently.
    new = set(reg.index[reg["start_date"].fillna("") >= "2019-04-01"])
    clean = [q for q in range(1, 6) if not areas.index[areas["q"] == q].isin(list(new)).any()]
    assert len(clean) >= 2
    for q in clean:
        group = [g for g in table.index if g.startswith(f"Quintile {q}")][0]
        expected = 100 * ((sums.loc[q, "m2014"] / sums.loc[q, "p2014"]) / (sums.loc[q, "m2012"] / sums.loc[q, "p2012"]) - 1)
        assert table.loc[group, "change_pct"] == pytest.approx(expected, abs=1e-6)
    assert table.loc["England", "money_last_m"] == pytest.approx(raw_money(nce, "2014-15") / 1e6, rel=1e-9)


@pytest.mark.parametrize("by", ["region", "type", "nmsl", "deprivation", "imd2025_decile", "cla_band"])
def test_grouping_never_changes_england_and_groups_add_up(s, by):
    base = change(NCE, 2010, 2017, store=s).iloc[0]
    table = change(NCE, 2010, 2017, by, store=s)
    england = table[table["group"] == "England"].iloc[0]
    groups = table[table["group"] != "England"]
    assert england["money_last_m"] == pytest.approx(base["money_last_m"], rel=1e-12)
    assert england["change_pct"] == pytest.approx(base["change_pct"], abs=1e-9)
    assert groups["money_first_m"].sum() == pytest.approx(england["money_first_m"], rel=1e-9)
    assert groups["count_last"].sum() == pytest.approx(england["count_last"], rel=1e-9)


@pytest.mark.parametrize("boundaries", [2024, 2025])
def test_boundary_year_never_changes_england(s, boundaries):
    a = change(NCE, 2010, 2017, store=s).iloc[0]
    b = change(NCE, 2010, 2017, boundaries=boundaries, store=s).iloc[0]
    assert b["money_last_m"] == pytest.approx(a["money_last_m"], rel=1e-12)
    assert b["value_first"] == pytest.approx(a["value_first"], rel=1e-12)


def test_price_base_scales_levels_but_never_changes_england_change(s):
    tree = parameters.default().with_overrides({"economy.gdp_deflators": TEST_INDEX})
    cash = change(NCE, 2012, 2017, store=s).iloc[0]
    real24 = change(NCE, 2012, 2017, prices="2024-25", store=s, parameters=tree).iloc[0]
    real14 = change(NCE, 2012, 2017, prices="2014-15", store=s, parameters=tree).iloc[0]
    assert real24["value_first"] == pytest.approx(cash["value_first"] * 100 / 80, rel=1e-12)
    assert real24["value_last"] == pytest.approx(cash["value_last"] * 100 / 88, rel=1e-12)
    assert real24["change_pct"] == pytest.approx(real14["change_pct"], abs=1e-9)
    assert real24["change_pct"] == pytest.approx(100 * ((1 + cash["change_pct"] / 100) * 80 / 88 - 1), abs=1e-9)


def test_a_deflator_year_not_held_is_an_error_not_a_carried_value(s):
    with pytest.raises(ParameterError, match="no GDP deflator for 2025-26.*not in the series.*--deflators"):
        change(NCE, 2010, 2017, prices="2025-26", store=s)


def test_real_terms_notes_name_the_release_and_its_status(s):
    table = change(NCE, 2010, 2017, prices="2024-25", store=s)
    note = next(n for n in table.attrs["notes"] if "GDP deflator" in n)
    assert "March 2026" in note and "unverified" in note and "--deflators" in note


def test_per_pupil_is_refused_with_the_reason(s):
    with pytest.raises(DevolutionError, match="no pupil numbers"):
        change("nce_education", 2010, 2017, per="pupil", store=s)


def test_a_year_without_outturn_is_named(s):
    # 2015-16 and 2016-17 are held since their RS files were added; 2018-19 to 2021-22 are not.
    with pytest.raises(DevolutionError, match="no figures for 2018-19.*years held: 2010-11 to 2017-18, 2022-23"):
        change(NCE, 2018, 2022, store=s)


def test_chart_spec_has_title_axis_units_price_base_and_source(s):
    tree = parameters.default().with_overrides({"economy.gdp_deflators": TEST_INDEX})
    table = change(NCE, 2012, 2017, "nmsl", prices="2024-25", store=s, parameters=tree)
    spec = json.loads(change_chart(table).to_json())
    title = " ".join(spec["title"]["text"])
    assert title.startswith("Net current expenditure")  # the measure is named
    assert "2012-13 to 2017-18" in title
    assert all(len(line) <= 64 for line in spec["title"]["text"])  # wrapped to fit, not cut
    subtitle = " ".join(spec["title"]["subtitle"])
    assert "2024-25 prices" in subtitle and "per resident" in subtitle
    assert "%" in spec["encoding"]["x"]["title"]
    assert "-0" not in json.dumps(spec["data"]) if "data" in spec else True
    assert spec["encoding"]["y"]["title"] == "Part of England"
    source = " ".join(line for line in spec["title"]["subtitle"][spec["title"]["subtitle"].index(
        next(line for line in spec["title"]["subtitle"] if line.startswith("Source:"))):])
    assert "mhclg_revenue_outturn" in source and "ons_mye_population" in source


@pytest.mark.parametrize("code, boundaries, says", [
    ("E06000063", 2023, r"Cumberland \(E06000063\) is left out: not reported in full in 2017-18 \(Copeland \(E07000029\) "
                        r"published no figure for it\)"),
    ("E07000026", 2023, r"Allerdale \(E07000026\) was abolished on 1 April 2023 .*not among the areas on 2023-24"),
])
def test_a_place_left_out_of_by_places_is_refused_with_the_real_reason(s, code, boundaries, says):
    with pytest.raises(DevolutionError, match=says):
        change(NCE, 2016, 2017, by="places", places=[code, "E08000003"], boundaries=boundaries, store=s)


def test_boundaries_the_register_does_not_describe_are_refused(store):
    # Checked once where every crosswalk is built: devolution.change(..., boundaries=2040) was
    # accepted while devo places and the crosswalk API refused it.
    from devolution.errors import PlaceError

    with pytest.raises(PlaceError, match=r"year 2040-41: the register of places describes the councils in "
                                         r"force from 2009-10 to"):
        change("nce_total_service_expenditure", 2015, 2017, "region", boundaries=2040, store=store)
