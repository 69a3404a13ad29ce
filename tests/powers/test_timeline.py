"""The timeline: counts by year, and the share of England's population in a mayoral strategic
authority, recomputed here from the ONS files directly."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from devolution.powers import timeline
from devolution.powers.authorities import Authorities


@pytest.fixture(scope="module")
def years(loaded_store_path):
    from devolution.store import Store

    with Store(loaded_store_path, read_only=True) as store:
        return timeline.by_year(Authorities.from_store(store), store.observations("population"))


def test_coverage_in_2017_recomputed_from_the_ons_files(years, data_dir):
    """On 30 June 2017 the mayoral strategic authorities were the GLA and the six whose mayors were
    elected on 4 May 2017. Their areas from ONS's December 2023 combined authority lookup (their
    membership did not change between), London as the 33 boroughs and the City; population from
    ONS mid-2017 estimates. Exact: the same numbers, summed another way."""
    population = pd.read_csv(data_dir / "population_mye_2011_2023_lad_county_region.csv")
    mid_2017 = population[population["year"] == 2017].set_index("gss_code")["population"]
    lookup = pd.read_csv(data_dir / "ons_lookup_lad23_combined_authority_dec2023.csv")
    first_mayors = ["E47000001", "E47000004", "E47000006", "E47000007", "E47000008", "E47000009"]
    lads = set(lookup.loc[lookup["cauth23_code"].isin(first_mayors), "ltla23_code"])
    london = {c for c in mid_2017.index if c.startswith("E09")}
    covered = mid_2017.reindex(sorted(lads | london)).sum()
    row = years.set_index("year").loc[2017]
    assert row["mayoral_authorities"] == 7
    assert row["population_mayoral"] == covered
    assert row["population_england"] == mid_2017["E92000001"]
    assert row["share_mayoral"] == pytest.approx(covered / mid_2017["E92000001"], abs=1e-12)


def test_coverage_grows_with_each_wave_of_mayors(years):
    share = years.set_index("year")["share_mayoral"]
    # London alone until the 2017 mayors; South Yorkshire (2018), North of Tyne (2019), West Yorkshire (2021)
    assert share[2014] == pytest.approx(share[2015], abs=0.002) and share[2016] < 0.16
    assert share[2016] < share[2017] < share[2018] < share[2019] < share[2021]
    # York and North Yorkshire, East Midlands, North East (2024); Hull and East Yorkshire, Greater Lincolnshire (2025)
    assert share[2021] < share[2024] < share[2025]
    assert 0.5 < share[2025] < 0.55
    counts = years.set_index("year")["mayoral_authorities"]
    assert counts[2016] == 1 and counts[2018] == 8 and counts[2024] == 12 and counts[2025] == 14
    assert (years.loc[years["year"] >= 2024, "population_year"] == 2023).all()   # the latest estimate held


def test_counts_by_year_follow_the_deals(years):
    by = years.set_index("year")
    # GM health MoU, West Yorkshire, GM Summer Budget, Cornwall, Sheffield CR, North East, Tees Valley,
    # Liverpool CR, West Midlands, GM Spending Review: ten, seven of them mayoral
    assert by.loc[2015, "deals_agreed"] == 10 and by.loc[2015, "mayoral_deals_agreed"] == 7
    assert by.loc[2016, "abandoned"] == 3      # North East, Greater Lincolnshire, Norfolk and Suffolk
    assert by.loc[2018, "deals_agreed"] == 0
    assert by["deals_agreed"].sum() == sum(1 for d in timeline.deals_module.deals()
                                           if d.is_deal and 2014 <= d.agreed.year <= 2026)


def test_a_year_before_any_population_is_held_has_no_coverage(loaded_store_path):
    from devolution.store import Store

    with Store(loaded_store_path, read_only=True) as store:
        frame = timeline.coverage(Authorities.from_store(store), store.observations("population"), [2009, 2011])
    assert pd.isna(frame.set_index("year").loc[2009, "share_mayoral"])
    assert frame.set_index("year").loc[2011, "mayoral_authorities"] == 1   # London only (GMCA had no mayor)
    assert dt.date(2011, *timeline.REFERENCE_DAY) == dt.date(2011, 6, 30)
