"""Scenario files: one clear problem each, with its key path; bases; the template."""

from __future__ import annotations

import pytest
import yaml

from devolution.scenarios import model
from devolution.scenarios.template import render

GOOD = {"name": "t", "years": "2025-26..2029-30"}


def problems(raw, **kwargs):
    with pytest.raises(model.ScenarioProblems) as caught:
        model.check(raw, **kwargs)
    return dict(caught.value.problems)


def test_unknown_parameter_is_refused_with_its_path():
    found = problems({**GOOD, "parameters": {"council_tax.referendum.core_limitt": {"2026-27": 0.05}}})
    assert list(found) == ["parameters.council_tax.referendum.core_limitt"]
    assert "unknown parameter" in found["parameters.council_tax.referendum.core_limitt"]


def test_parameter_value_outside_its_unit_is_refused():
    found = problems({**GOOD, "parameters": {"council_tax.referendum.core_limit": {"2026-27": 5}}})
    assert "expected a number from 0 to 1" in found["parameters.council_tax.referendum.core_limit"]


def test_unknown_key_is_refused_at_its_path():
    found = problems({**GOOD, "assumptions": {"inflaton": 0.02}})
    assert list(found) == ["assumptions.inflaton"]
    assert "unknown key" in found["assumptions.inflaton"]


def test_growth_distribution_bounds_below_minus_one_are_refused():
    found = problems({**GOOD, "assumptions": {"population_growth_shift":
                                              {"distribution": "uniform", "low": -1.5, "high": 0.01}}})
    assert "above -1" in found["assumptions.population_growth_shift"]


def test_distribution_bounds_the_wrong_way_round_are_refused():
    found = problems({**GOOD, "assumptions": {"tax_base_growth": {"distribution": "uniform", "low": 0.02, "high": 0.01}}})
    assert "must be below high" in found["assumptions.tax_base_growth"]


def test_normal_needs_a_positive_sd():
    found = problems({**GOOD, "assumptions": {"inflation": {"distribution": "normal", "mean": 0.02, "sd": 0}}})
    assert "sd must be above 0" in found["assumptions.inflation"]


def test_years_before_the_base_year_are_refused():
    found = problems({**GOOD, "years": "2023-24..2026-27"})
    assert "must start after base_year" in found["years"]


def test_base_year_outside_the_data_is_refused():
    found = problems({**GOOD, "base_year": "2030-31", "years": "2031-32..2032-33"}, data_years=(2010, 2024))
    assert "outside the data" in found["base_year"] and "2024-25" in found["base_year"]


def test_every_problem_is_listed_before_anything_runs():
    found = problems({"years": "2025-26", "bogus": 1, "assumptions": {"wage_growth": "high"},
                      "parameters": {"nope.nope": {"2025-26": 1}}})
    assert {"name", "bogus", "assumptions.wage_growth", "parameters.nope.nope"} <= set(found)


def test_a_scenario_builds_on_a_named_base(tmp_path):
    (tmp_path / "base.yaml").write_text(yaml.safe_dump({**GOOD, "name": "base", "assumptions": {"inflation": 0.03}}))
    (tmp_path / "child.yaml").write_text(yaml.safe_dump({"name": "child", "base": "base",
                                                         "assumptions": {"wage_growth": 0.04}}))
    child = model.load(tmp_path / "child.yaml")
    assert (child.name, child.years, child.assumptions.inflation, child.assumptions.wage_growth) == \
        ("child", "2025-26..2029-30", 0.03, 0.04)


def test_a_missing_base_is_named(tmp_path):
    (tmp_path / "child.yaml").write_text(yaml.safe_dump({**GOOD, "base": "nowhere"}))
    with pytest.raises(model.ScenarioProblems, match="base: no scenario named 'nowhere'"):
        model.load(tmp_path / "child.yaml")


def test_the_template_is_a_valid_scenario(tmp_path):
    path = tmp_path / "new.yaml"
    path.write_text(render("new"))
    scenario = model.load(path)
    assert scenario.name == "new" and scenario.projection_years[0] == 2025
