"""Golden: every past reorganisation the shipped examples hold, run as a proposal (its YAML file:
members by name, vesting date), reproduces the new council's first-year comparison published by
MHCLG ("Council Tax levels set by local authorities in England", the new council's own row for the
year before it began: its predecessors' council tax requirement and tax base on its area; the
2019-20 to 2023-24 editions, https://www.gov.uk/government/collections/council-tax-statistics).

Tolerance: half a penny per Band D (``predecessors.TOLERANCE``: requirements printed to the pound,
tax bases to one or two decimals), the requirement within that times the tax base, the tax base
within half a Band D equivalent. The gaps are the ones ``tests/golden/test_notional_band_d.py``
found and ``analysis.predecessors.GAPS`` explains (Cumbria's fire and rescue, Somerset's £3.52),
read from there, not restated: the proposal path must agree with the register path to the penny's
billionth, so a proposal file that drifted from the register would fail here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from devolution.analysis import predecessors
from devolution.analysis.reorganisation import historical_examples
from tests.golden.test_notional_band_d import EXPLAINED_GAP, REORGANISED


@pytest.fixture(scope="module")
def inputs(reorganisation_inputs):
    return reorganisation_inputs


@pytest.fixture(scope="module")
def history(reorganisation_history) -> pd.DataFrame:
    return reorganisation_history.set_index("code")


def test_every_unitary_reorganisation_in_the_register_is_a_historical_example(history):
    unitaries = {code for code in REORGANISED if code.startswith("E06")}
    assert set(history.index) == unitaries
    assert len(historical_examples()) == 6


def test_the_notional_band_d_from_each_proposal_is_the_published_comparison_within_half_a_penny(history):
    plain = history.drop(list(EXPLAINED_GAP))
    assert plain["within_tolerance"].all(), plain.loc[~plain["within_tolerance"], ["band_d_gap", "requirement_gap"]]
    assert plain["band_d_gap"].abs().max() < predecessors.TOLERANCE
    assert (plain["requirement_gap"].abs() < predecessors.TOLERANCE * plain["tool_tax_base"]).all()
    assert (plain["published_tax_base"] - plain["tool_tax_base"]).abs().max() < 0.5


def test_each_gap_outside_the_tolerance_is_the_explained_one_with_its_reason(history):
    for code, expected in EXPLAINED_GAP.items():
        row = history.loc[code]
        assert not row["within_tolerance"]
        assert row["band_d_gap"] == pytest.approx(expected, abs=0.01), code
        assert row["reason"] == predecessors.GAPS[code]
    assert (history.loc[history["within_tolerance"], "reason"] == "").all()


def test_the_proposal_path_is_the_register_path(inputs, history):
    """The examples' members give exactly what the register's replaced_by links give."""
    observations = inputs.observations[inputs.observations["measure"].isin(predecessors.MEASURES)]
    register = predecessors.notional_band_d_table(inputs.places, observations).set_index("code")
    joined = history.join(register["notional_band_d"])
    assert np.allclose(joined["tool_notional_band_d"], joined["notional_band_d"], rtol=0, atol=1e-9)


def test_each_first_year_band_d_was_within_the_principle_of_its_year(history):
    """The new councils' first-year Band D (MHCLG, the first-year edition) against the principle
    applied to the published comparison: every one stayed below it (most at 4.99%)."""
    assert history["within_principle"].all(), history.loc[~history["within_principle"],
                                                          ["first_year_band_d", "first_year_excessive_at"]]
    assert (history["first_year_increase"] > 0.02).all()
    assert (history["first_year_increase"] < history["first_year_principle"]).all()
