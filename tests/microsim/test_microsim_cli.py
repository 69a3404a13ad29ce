"""`devo microsim build` and `devo microsim run`, as a user runs them, on the real store."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from devolution.cli import app

runner = CliRunner()


def test_build_then_run_a_reform_as_json(loaded_store_path, tmp_path, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))
    built = runner.invoke(app, ["microsim", "build", str(tmp_path / "stock"), "--no-hereditaments"])
    assert built.exit_code == 0, built.output
    assert "25225481" in built.output
    result = runner.invoke(app, ["microsim", "run", str(tmp_path / "stock"), "--single-person", "0.3",
                                 "--top", "0", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 309 + 1                                      # every billing authority, then England
    *councils, england = rows
    assert all(r["yield_change"] < 0 for r in rows)                  # a bigger discount never raises yield
    assert england["code"] == "E92000001" and england["name"] == "England"
    assert all(r["name"] and r["name"] != r["code"] for r in councils)  # names from the register
    for column in ("dwellings", "tax_base_baseline", "yield_baseline", "yield_change"):
        assert england[column] == pytest.approx(sum(r[column] for r in councils), rel=1e-12)
    assert england["dwellings"] == 25225481
    assert england["band_d"] == pytest.approx(england["yield_baseline"] / england["tax_base_baseline"])
    top = json.loads(runner.invoke(app, ["microsim", "run", str(tmp_path / "stock"), "--single-person", "0.3",
                                         "--top", "5", "--format", "json"]).output)
    assert len(top) == 6 and top[-1] == england                       # England is the whole country's, not the top 5


def test_a_bad_option_is_one_line(loaded_store_path, tmp_path, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))
    result = runner.invoke(app, ["microsim", "run", str(tmp_path), "--new-band", "oops"])
    assert result.exit_code == 1
    assert "error:" in result.output and "RATIO:SHARE" in result.output
