"""`devo scenario` end to end on the real data, and winners and losers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from devolution.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"


@pytest.fixture()
def cli(loaded_store_path, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["scenario", *map(str, args)])


def test_new_writes_a_template_that_validates(cli, tmp_path):
    path = tmp_path / "mine.yaml"
    assert cli("new", path).exit_code == 0
    result = cli("validate", path)
    assert result.exit_code == 0 and "valid scenario 'mine'" in result.output
    assert cli("new", path).exit_code == 1  # never overwrites without --force


def test_validate_prints_one_line_per_file_with_every_problem(cli, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\nyears: 2025-26..2026-27\nbase_year: 2031-32\ncolour: red\n")
    result = cli("validate", path)
    assert result.exit_code == 1
    assert "colour: unknown key" in result.output and "base_year: 2031-32 is outside the data" in result.output


def test_unknown_region_for_business_rates_growth_is_refused(cli, tmp_path):
    path = tmp_path / "region.yaml"
    path.write_text("name: r\nyears: 2025-26..2026-27\nassumptions:\n  business_rates_growth:\n"
                    "    regions: {Atlantis: 0.02}\n")
    result = cli("validate", path)
    assert result.exit_code == 1 and "regions.Atlantis: unknown region" in result.output


def test_run_prints_england_percentiles_in_order(cli):
    result = cli("run", EXAMPLES / "baseline.yaml", "--draws", "300", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["year"] for r in rows][:2] == ["2025-26", "2026-27"] and len(rows) == 10
    assert all(r["p5"] <= r["p25"] <= r["p50"] <= r["p75"] <= r["p95"] for r in rows)


def test_compare_counts_winners_and_losers_that_add_up(cli, tmp_path):
    out = tmp_path / "compare.html"
    result = cli("compare", EXAMPLES / "baseline.yaml", EXAMPLES / "devolution.yaml", "--by", "place",
                 "--format", "json", "--place", "Leeds", "--out", out)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output[: result.output.rindex("]") + 1])
    assert len(rows) == 308
    # a 5% core limit from 2026-27 raises council tax where councils take the maximum: gaps shrink
    leeds = next(r for r in rows if r["code"] == "E08000035")
    assert leeds["outcome"] == "gains" and leeds["change"] < 0
    assert all(r["imd2025_decile"] in range(1, 11) for r in rows)
    page = out.read_text()
    assert page.count('("#chart') == 2 and "cdn.jsdelivr" not in page  # Vega bundled in: works offline
    assert "Retained business rates" in page and "deals: from 2027-28" in page


def test_compare_by_deprivation_covers_every_council(cli):
    result = cli("compare", EXAMPLES / "baseline.yaml", EXAMPLES / "devolution.yaml", "--by", "deprivation",
                 "--format", "json")
    rows = json.loads(result.output)
    assert [r["group"] for r in rows] == list(range(1, 11))
    assert sum(r["councils"] for r in rows) == 308
    assert sum(r["gain"] + r["lose"] for r in rows) <= 308


def test_waterfall_steps_lead_from_the_baseline_gap_to_the_scenario_gap(store):
    from devolution.scenarios import compare, runner

    a = runner.load(EXAMPLES / "baseline.yaml", store)
    b = runner.load(EXAMPLES / "devolution.yaml", store)
    ra, rb = runner.run(a, store, draws=1), runner.run(b, store, draws=1)
    steps = compare.components(ra, rb, 2034, "E08000035")
    assert steps["amount"].iloc[0] + steps["amount"].iloc[1:-1].sum() == pytest.approx(steps["amount"].iloc[-1])
    council_tax = steps.set_index("step").loc["Council tax", "amount"]
    assert council_tax < 0  # a higher core limit from 2026-27 raises more council tax: the gap falls
