"""Exports as a user gets them (the API's are in tests/web/test_exports_api.py): the command
line's --format parquet, `devo data export` (every table of the store as
Parquet with a data dictionary), and charts written only when asked (--out); `devo serve` on a
busy port."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from devolution.cli import app

runner = CliRunner()
DEVO = str(Path(sys.executable).with_name("devo"))


@pytest.fixture()
def env(loaded_store_path, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))
    monkeypatch.setenv("COLUMNS", "200")


def test_the_command_line_writes_parquet_to_a_file_and_refuses_a_terminal(loaded_store_path, tmp_path):
    env = {**os.environ, "DEVOLUTION_STORE": str(loaded_store_path)}
    target = tmp_path / "measures.parquet"
    with target.open("wb") as out:
        done = subprocess.run([DEVO, "data", "measures", "--format", "parquet"], stdout=out, env=env, timeout=120)
    assert done.returncode == 0
    as_json = json.loads(subprocess.run([DEVO, "data", "measures", "--format", "json"], capture_output=True,
                                        env=env, text=True, timeout=120).stdout)
    assert pd.read_parquet(target)["measure"].tolist() == [r["measure"] for r in as_json]
    tty = subprocess.run(["script", "-qec", f"{DEVO} data measures --format parquet", "/dev/null"],
                         capture_output=True, env=env, text=True, timeout=120)
    assert tty.returncode == 1 and "redirect it" in tty.stdout and "PAR1" not in tty.stdout


def test_data_export_writes_every_table_as_parquet_with_a_dictionary(env, store, tmp_path):
    result = runner.invoke(app, ["data", "export", str(tmp_path / "export")])
    assert result.exit_code == 0, result.output
    dictionary = pd.read_csv(tmp_path / "export" / "data_dictionary.csv")
    tables = store.query("SELECT table_name FROM information_schema.tables WHERE table_schema='main'")["table_name"]
    assert set(dictionary["table"]) == set(tables)
    for name in tables:
        exported = pd.read_parquet(tmp_path / "export" / f"{name}.parquet")
        held = store.table(name)
        assert list(exported.columns) == list(held.columns) == dictionary.loc[dictionary["table"] == name, "column"].tolist()
        assert len(exported) == len(held) == dictionary.loc[dictionary["table"] == name, "rows"].iloc[0]
    observations = pd.read_parquet(tmp_path / "export" / "observations.parquet")
    assert observations["value"].sum() == pytest.approx(store.query("SELECT sum(value) AS s FROM observations")["s"][0])
    notes = dictionary.set_index(["table", "column"])["description"]
    assert "Financial year" in notes[("observations", "year")] and notes.notna().all()


def test_change_and_budget_write_a_chart_only_when_asked(env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args in (["change", "nce_total_service_expenditure", "--from", "2010", "--to", "2017"],
                 ["budget", "E47000001", "--year", "2017"]):
        assert runner.invoke(app, args).exit_code == 0
        assert list(tmp_path.rglob("*")) == [], args  # nothing written into the current folder
        result = runner.invoke(app, [*args, "--out", str(tmp_path / "chart.html")])
        assert result.exit_code == 0, result.output
        page = (tmp_path / "chart.html").read_text()
        assert "(\"#chart0\"," in page and not re.search(r"""<(script|link)[^>]+(src|href)=["']?https?:""", page)  # bundled
        (tmp_path / "chart.html").unlink()


def test_serve_on_a_busy_port_says_so_before_printing_an_address(loaded_store_path, tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {**os.environ, "DEVOLUTION_STORE": str(loaded_store_path),
               "DEVOLUTION_SUBMISSIONS": str(tmp_path / "s.sqlite")}
        done = subprocess.run([DEVO, "serve", "--port", str(port)], capture_output=True, text=True, env=env,
                              timeout=60)
    assert done.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in done.stderr and "--port" in done.stderr
    assert "http://" not in done.stdout
