"""A scenario file's problems, all in one pass: format, years, parameters the projection does not
read, and unknown regions, places and powers (issue #15, "inputs accepted and then ignored")."""

from __future__ import annotations

import numpy as np
import pytest

from devolution.scenarios import model, runner

YEARS = "2025-26..2027-28"


def test_a_parameter_the_projection_does_not_read_is_refused_naming_those_it_does():
    raw = {"name": "t", "years": YEARS, "parameters": {"business_rates.multipliers.standard": {"2025-26": 0.6}}}
    with pytest.raises(model.ScenarioProblems) as caught:
        model.check(raw)
    [(path, message)] = caught.value.problems
    assert path == "parameters.business_rates.multipliers.standard"
    assert "not read by the projection" in message
    for used in (*runner.LIMITS.values(), *runner.RETENTION.values()):
        assert used in message


def test_parameters_the_projection_reads_are_accepted_and_change_the_run(inputs_2024):
    from devolution.scenarios.runner import context

    raw = {"name": "t", "years": YEARS, "parameters": {"council_tax.referendum.core_limit": {"2025-26": 0.0}}}
    scenario = model.check(raw)
    ctx, _ = context(scenario, inputs_2024, 1, central=True)
    base, _ = context(model.check({"name": "t", "years": YEARS}), inputs_2024, 1, central=True)
    # limits are (councils, years): every council's core limit in the last year is the override
    assert np.nanmax(ctx.limits["core_limit"][:, -1]) == 0.0 and np.nanmin(base.limits["core_limit"][:, -1]) > 0.0


def test_every_problem_is_listed_at_once_with_unknown_places_and_powers(store, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: bad\nyears: 2025-26..2027-28\ndraws: 0\n"
        "parameters:\n  business_rates.multipliers.standard: {2025-26: 0.6}\n"
        "assumptions:\n  inflation: -2\n  business_rates_growth:\n    regions: {Atlantis: 0.01}\n"
        "    places: {Leeds: 0.02}\n"
        "deals:\n  places: [E99999999]\n  pooled_budgets: [teleports]\n")
    with pytest.raises(model.ScenarioProblems) as caught:
        runner.load(path, store)
    problems = dict(caught.value.problems)
    assert set(problems) == {"draws", "assumptions.inflation", "parameters.business_rates.multipliers.standard",
                             "assumptions.business_rates_growth.regions.Atlantis",
                             "assumptions.business_rates_growth.places.Leeds",
                             "deals.places.E99999999", "deals.pooled_budgets.teleports"}
    assert problems["assumptions.business_rates_growth.places.Leeds"] == "not a GSS code: Leeds is E08000035"
