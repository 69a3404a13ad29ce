"""`devo microsim build` and `devo microsim run`, as a user runs them, on the real store."""

from __future__ import annotations

import json

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
    assert len(rows) == 309
    assert all(r["yield_change"] < 0 for r in rows)                  # a bigger discount never raises yield


def test_a_bad_option_is_one_line(loaded_store_path, tmp_path, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))
    result = runner.invoke(app, ["microsim", "run", str(tmp_path), "--new-band", "oops"])
    assert result.exit_code == 1
    assert "error:" in result.output and "RATIO:SHARE" in result.output
