"""The powers commands run end to end on the loaded store."""

from __future__ import annotations

from typer.testing import CliRunner

from devolution.cli import app


def test_budget_prints_the_table_and_writes_the_chart(loaded_store_path, tmp_path, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))
    out = tmp_path / "gm.html"
    result = CliRunner().invoke(app, ["budget", "E47000001", "--year", "2017", "--devolve", "adult_skills",
                                      "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "9. Education" in result.output and out.stat().st_size > 1000


def test_commands_print_errors_as_one_line(loaded_store_path, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))
    runner = CliRunner()
    # 2018-19: no outturn and no CRA (2015-16 and 2016-17 are held since their RS files were loaded).
    bad = runner.invoke(app, ["budget", "E47000001", "--year", "2018"])
    assert bad.exit_code == 1 and "no place budget for 2018-19" in bad.output
    # An --out that names no file is refused before any work (files.output_path), in one line.
    empty = runner.invoke(app, ["budget", "E47000001", "--year", "2018", "--out", ""])
    assert empty.exit_code == 1 and empty.output.startswith("error: --out .: is a folder")
    assert runner.invoke(app, ["deals", "E47000001", "--format", "csv"]).exit_code == 0
    assert runner.invoke(app, ["powers", "--levels", "--format", "json"]).exit_code == 0
    listed = runner.invoke(app, ["powers", "--mayors", "--format", "csv"])
    assert listed.exit_code == 0 and "E47000006,Tees Valley Combined Authority,2017-05-04" in listed.output
    assert "in_existence_18_months" in runner.invoke(app, ["powers", "--conditions", "--format", "csv"]).output
    ready = runner.invoke(app, ["readiness", "E47000006", "--format", "csv"])
    assert ready.exit_code == 0 and "strategic_population" in ready.output
    devolve = runner.invoke(app, ["devolve", "--by-default", "--from", "2027", "--format", "csv"])
    assert devolve.exit_code == 0 and "new by default" in devolve.output


def _run(args, loaded_store_path, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


def test_deals_for_a_council_resolve_to_its_authority_and_say_so(loaded_store_path, monkeypatch):
    import io

    import pandas as pd

    table = _run(["deals", "Manchester", "--on", "2025-06-01"], loaded_store_path, monkeypatch)
    assert "Manchester (E08000003) is in Greater Manchester" in " ".join(table.split())
    rows = pd.read_csv(io.StringIO(_run(["deals", "Manchester", "--format", "csv"], loaded_store_path, monkeypatch)))
    assert set(rows["place"]) == {"E47000001"} and "Greater Manchester Agreement (first devolution deal)" in set(rows["deal"])
    # the areas the issue found empty now list their deals
    for area in ("Tees Valley", "West of England", "Cambridgeshire and Peterborough", "Devon and Torbay",
                 "E47000018", "Greater Lincolnshire", "Hull and East Yorkshire", "E47000013", "York and North Yorkshire"):
        found = pd.read_csv(io.StringIO(_run(["deals", area, "--format", "csv"], loaded_store_path, monkeypatch)))
        assert len(found) >= 1, area
    # the North East shows its predecessors' deals too: the abandoned 2015 deal and North of Tyne's
    north_east = pd.read_csv(io.StringIO(_run(["deals", "E47000014", "--format", "csv"], loaded_store_path, monkeypatch)))
    assert {"abandoned", "superseded", "in_force"} <= set(north_east["status"])


def test_an_area_with_no_deal_says_so_and_lists_its_defaults(loaded_store_path, monkeypatch):
    output = " ".join(_run(["deals", "Kent"], loaded_store_path, monkeypatch).split())
    assert "Kent (E10000016): no deal" in output and "foundation" in output
    csv = _run(["deals", "Kent", "--format", "csv"], loaded_store_path, monkeypatch)
    assert csv.splitlines()[0] == "power,level,status,why,source" and "adult_skills" in csv
    devolve = " ".join(_run(["devolve", "--by-default", "--place", "Kent"], loaded_store_path, monkeypatch).split())
    assert "no strategic authority" in devolve and "no devolution by default" in devolve


def test_timeline_prints_every_deal_then_the_years(loaded_store_path, monkeypatch):
    import io

    import pandas as pd

    table = " ".join(_run(["deals", "--timeline"], loaded_store_path, monkeypatch).split())
    assert "Every deal, order and statute, in the order agreed" in table and "2014-11-03" in table
    assert "51.5" in table.split("By calendar year")[1]   # % of England in a mayoral authority, 2025
    years = pd.read_csv(io.StringIO(_run(["deals", "--timeline", "--format", "csv"], loaded_store_path, monkeypatch)))
    assert list(years["year"]) == list(range(2014, 2027))
    assert years.set_index("year").loc[2017, "mayoral_authorities"] == 7
    assert 0.5 < years.set_index("year").loc[2025, "share_mayoral"] < 0.55


def test_readiness_before_an_authority_exists_says_so(loaded_store_path, monkeypatch):
    import json

    rows = json.loads(_run(["readiness", "E47000014", "--on", "2024-01-01", "--format", "json"],
                           loaded_store_path, monkeypatch))
    assert rows == [{"place": "E47000014", "name": "North East", "on": "2024-01-01",
                     "note": "North East (E47000014) was established on 2024-05-07: there is nothing to score on 2024-01-01"}]
    scored = _run(["readiness", "Middlesbrough", "--on", "2025-04-01"], loaded_store_path, monkeypatch)
    assert "Tees Valley (E47000006)" in " ".join(scored.split())


def test_authorities_and_sources_list(loaded_store_path, monkeypatch):
    import io

    import pandas as pd

    authorities = pd.read_csv(io.StringIO(_run(["deals", "--authorities", "--on", "2024-05-07", "--format", "csv"],
                                               loaded_store_path, monkeypatch)))
    north_east = authorities.set_index("code").loc["E47000014"]
    assert north_east["members"] == 7 and north_east["established"] == "2024-05-07"
    sources = pd.read_csv(io.StringIO(_run(["deals", "--sources", "--format", "csv"], loaded_store_path, monkeypatch)))
    assert set(sources["status"]) <= {"official", "official_copy", "official_local", "secondary"}
    assert sources["url"].str.startswith("http").all()


def test_devolve_for_a_council_and_london_keeps_its_statutory_powers(loaded_store_path, monkeypatch):
    import io

    import pandas as pd

    manchester = _run(["devolve", "--by-default", "--place", "Manchester"], loaded_store_path, monkeypatch)
    assert "Greater Manchester (E47000001)" in " ".join(manchester.split())
    frame = pd.read_csv(io.StringIO(_run(["devolve", "--by-default", "--from", "2027", "--format", "csv"],
                                         loaded_store_path, monkeypatch)))
    london = frame[frame["place"] == "E61000001"].set_index("power")["change"]
    assert (london[["bus_franchising", "adult_skills", "strategic_planning", "business_rates_growth"]] == "already held").all()
