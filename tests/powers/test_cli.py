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
    bad = runner.invoke(app, ["budget", "E47000001", "--year", "2018", "--out", ""])
    assert bad.exit_code == 1 and "no place budget for 2018-19" in bad.output
    assert runner.invoke(app, ["deals", "E47000001", "--format", "csv"]).exit_code == 0
    assert runner.invoke(app, ["powers", "--levels", "--format", "json"]).exit_code == 0
    listed = runner.invoke(app, ["powers", "--mayors", "--format", "csv"])
    assert listed.exit_code == 0 and "E47000006,Tees Valley Combined Authority,2017-05-04" in listed.output
    assert "in_existence_18_months" in runner.invoke(app, ["powers", "--conditions", "--format", "csv"]).output
    ready = runner.invoke(app, ["readiness", "E47000006", "--format", "csv"])
    assert ready.exit_code == 0 and "strategic_population" in ready.output
    devolve = runner.invoke(app, ["devolve", "--by-default", "--from", "2027", "--format", "csv"])
    assert devolve.exit_code == 0 and "new by default" in devolve.output
