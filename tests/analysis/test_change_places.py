"""`devo change --by place`: every council area ranked, with region, type and deprivation decile,
narrowed by region, type, top and bottom; recomputed from the raw CSVs; and per-head counts of the
spending year (refused when the nearest is further than one year)."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from devolution.analysis.change import change
from devolution.cli import app
from devolution.errors import DevolutionError


@pytest.fixture(scope="module")
def s(loaded_store_path):
    from devolution.store import Store

    with Store(loaded_store_path, read_only=True) as store:
        yield store


@pytest.fixture(scope="module")
def places(s):
    return change("service_spending", 2010, 2014, "place", store=s)


def test_every_area_once_ranked_from_the_largest_fall(places):
    assert places["code"].is_unique and len(places) == 296  # billing areas of 2023-24
    ranked = places.dropna(subset=["rank"])
    assert ranked["rank"].tolist() == list(range(1, len(ranked) + 1))
    assert ranked["change_pct"].is_monotonic_increasing  # rank 1 = the most negative change
    assert set(places["imd2019_decile"].dropna()) == set(range(1, 11))
    assert places.attrs["england"]["areas"] == 296
    assert "Service spending" in places.attrs["title"] and "2010-11 to 2014-15" in places.attrs["title"]


def test_a_unitary_recomputed_from_the_raw_csvs(places, data_dir):
    """Middlesbrough (a unitary, no county share): like-for-like spending per resident, 2010-11 over
    mid-2011 population (the first held, one year away) and 2014-15 over mid-2014."""
    lines = pd.read_csv(data_dir / "revenue_outturn_key_lines_2010_11_to_2024_25.csv")
    lines = lines[lines["ons_code"] == "E06000002"].pivot(index="year", columns="variable", values="value_gbp_thousands")
    pop = pd.read_csv(data_dir / "population_mye_2011_2023_lad_county_region.csv").set_index(["gss_code", "year"])["population"]

    def spend(label):
        row = lines.loc[label].fillna(0.0)
        return 1e3 * (row["total_service_expenditure"] - row["education"] - row["public_health"] - row["police"]
                      - row["fire_rescue"])

    row = places.set_index("code").loc["E06000002"]
    assert row["value_first"] == pytest.approx(spend("2010-11") / pop[("E06000002", 2011)], rel=1e-9)
    assert row["value_last"] == pytest.approx(spend("2014-15") / pop[("E06000002", 2014)], rel=1e-9)
    assert row["region"] == "North East" and row["type"] == "Unitary authority"
    assert row["imd2019_decile"] == 1  # among the most deprived tenth (IMD 2019)


def test_which_north_east_councils_lost_most(s, places):
    table = change("service_spending", 2010, 2014, "place", region="North East", top=3, store=s)
    assert len(table) == 3 and set(table["region"]) == {"North East"}
    north_east = places[places["region"] == "North East"].dropna(subset=["rank"])
    assert table["code"].tolist() == north_east["code"].head(3).tolist()
    assert table["rank"].tolist() == north_east["rank"].head(3).tolist()  # national ranks kept
    by_code = change("service_spending", 2010, 2014, "place", region="E12000001", store=s)
    assert set(by_code["code"]) == set(places.loc[places["region"] == "North East", "code"])


def test_type_and_bottom(s, places):
    table = change("service_spending", 2010, 2014, "place", type="london_borough", bottom=2, store=s)
    boroughs = places[places["type"] == "London borough"].dropna(subset=["rank"])
    assert table["code"].tolist() == boroughs["code"].tail(2).tolist()


@pytest.mark.parametrize("options, message", [
    ({"by": "region", "top": 5},
     r"top \(--top\) narrow a table of places: use them with by=place \(--by place\), not by=region"),
    ({"by": "place", "top": 0}, r"top=0 \(--top\): expected a number of places, 1 or more"),
    ({"by": "place", "region": "Atlantis"}, "--region 'Atlantis': no such region.*North East"),
    ({"by": "place", "type": "parish"}, "--type 'parish': no such type.*London borough"),
])
def test_options_that_would_change_nothing_are_refused(s, options, message):
    with pytest.raises(DevolutionError, match=message):
        change("service_spending", 2010, 2014, store=s, **options)


def test_per_head_counts_come_from_the_spending_year(s):
    # Age bands are held mid-2015 to mid-2023: 2015-16 is divided by mid-2015, not a later year.
    table = change("social_care_spending", 2015, 2023, per="older", store=s)
    assert not any("uses the" in note and "population_65_plus" in note for note in table.attrs["notes"])
    assert any("as first published" in note for note in table.attrs["notes"])  # the vintage is said
    # 2010-11 would need mid-2010: the nearest held is five years away, so it is refused.
    with pytest.raises(DevolutionError, match="population_65_plus.*held for 2015-16 to 2023-24 only.*5 years away"):
        change("social_care_spending", 2010, 2017, per="older", store=s)


def test_cli_by_place_in_every_format(loaded_store_path, monkeypatch, tmp_path):
    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))
    runner = CliRunner()
    base = ["change", "--from", "2010", "--to", "2014", "--by", "place", "--region", "North East", "--top", "2",
            "--chart", str(tmp_path / "c.json")]
    shown = runner.invoke(app, base)
    assert shown.exit_code == 0, shown.output
    assert "Service spending" in shown.output and "England (296 areas)" in shown.output
    as_csv = runner.invoke(app, [*base, "--format", "csv"])
    assert as_csv.output.splitlines()[0].startswith("rank,code,name,region,region_code,type,imd2019_decile")
    assert len(as_csv.output.splitlines()) == 3
    parquet = runner.invoke(app, [*base, "--format", "parquet"])
    path = tmp_path / "t.parquet"
    path.write_bytes(parquet.stdout_bytes)
    assert pd.read_parquet(path)["region"].eq("North East").all()
    refused = runner.invoke(app, ["change", "--from", "2010", "--to", "2014", "--top", "3", "--chart", str(tmp_path / "d.json")])
    assert refused.exit_code == 1 and "use them with by=place (--by place)" in refused.output


def test_devo_change_measures_service_spending_when_none_is_named():
    from devolution.analysis.change import DEFAULT_MEASURE
    from devolution.cli import reports

    assert reports.DEFAULT_MEASURE == DEFAULT_MEASURE == "service_spending"
