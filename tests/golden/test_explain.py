"""``devo explain`` on the real store: rule, inputs, parameters with sources, and clear errors."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from devolution.errors import DevolutionError
from devolution.explain import ExplainError, explain


def test_band_d_explained_matches_the_published_figure(store):
    out = explain("E06000001", "2023-24", "band_d", store=store)
    assert abs(out.result - out.published[1]) < 0.005
    text = "\n".join(out.lines())
    assert "council_tax_requirement_excl_parish" in text and "tax_base" in text and "LGFA 1992" in text


def test_csp_total_explained(store):
    out = explain("E07000223", 2019, "csp_total", store=store)
    assert abs(out.result - out.published[1]) < 0.01
    assert len(out.inputs) == 6


def test_max_band_d_shows_each_parameter_with_its_source(store):
    out = explain("E10000003", "2023-24", "max_band_d", store=store)  # Cambridgeshire, a county
    paths = [p[0] for p in out.parameters]
    assert paths == ["council_tax.referendum.core_limit", "council_tax.referendum.asc_limit"]
    assert out.result == pytest.approx(out.inputs[0][1] * 1.05)
    assert all("https://" in p[2] for p in out.parameters)
    assert out.published[1] < out.result  # Cambridgeshire set less than the ceiling


def test_shire_district_gets_the_cash_alternative(store):
    out = explain("E07000223", "2023-24", "max_band_d", store=store)  # Adur
    assert [p[0] for p in out.parameters][-1] == "council_tax.referendum.shire_district_cash_limit"
    assert out.result == pytest.approx(max(out.inputs[0][1] * 1.03, out.inputs[0][1] + 5))


@pytest.mark.parametrize("code, year, measure, message", [
    ("E99999999", "2023-24", "band_d", "unknown place code 'E99999999'"),
    ("E06000001", "2023-24", "bogus", "unknown measure 'bogus'"),
    ("E06000001", "2031-32", "band_d", "the store has no council_tax_requirement_excl_parish"),
    ("E06000001", "2015-16", "max_band_d", "first value is for 2016-17"),
    ("E07000223", "2022-23", "max_band_d", "unverified"),
    ("E06000001", "23", "band_d", "not a financial year"),
])
def test_errors_are_project_errors_with_a_clear_message(store, code, year, measure, message):
    with pytest.raises(DevolutionError, match=message):
        explain(code, year, measure, store=store)


def test_cli_prints_the_explanation_and_one_line_errors(loaded_store_path, monkeypatch):
    from devolution.cli import app

    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))
    runner = CliRunner()
    ok = runner.invoke(app, ["explain", "E06000001", "2023-24", "max_band_d"])
    assert ok.exit_code == 0, ok.output
    assert "council_tax.referendum.core_limit = 0.03" in ok.output and "source:" in ok.output
    bad = runner.invoke(app, ["explain", "E06000001", "2023-24", "bogus"])
    assert bad.exit_code == 1
