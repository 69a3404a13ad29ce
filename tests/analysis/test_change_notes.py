"""`devo change`: a percentage change only where the first value is a base for one (not a negative
or tiny net figure), ranks worded for what they are, and notes that belong to the measure and the
options applied (its own scope, Band D's method only for Band D, the denominator as used)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from devolution.analysis.change import change
from devolution.analysis.change_places import MIN_BASE_SHARE, percent_change, rank_note
from devolution.errors import DevolutionError


def test_a_percentage_needs_a_positive_base_of_some_size():
    """-£1m to +£2m is not -300%; 0.1 to 10 (typical 25) is not +9,900%; 20 to 10 is -50%."""
    out = percent_change(np.array([-1.0, 0.1, 0.0, 20.0]), np.array([2.0, 10.0, 5.0, 10.0]), 25.0)
    assert np.isnan(out[:3]).all() and out[3] == pytest.approx(-50.0)


def test_rank_words_follow_the_changes_ranked():
    assert rank_note(pd.Series([1.0, 4.0, np.nan])) == "Rank 1 is the smallest rise: every ranked area rose."
    assert rank_note(pd.Series([-3.0, -1.0])) == "Rank 1 is the largest fall: every ranked area fell."
    assert "largest fall and the last rank the largest rise" in rank_note(pd.Series([-3.0, 2.0]))


def test_a_negative_or_tiny_net_figure_gets_no_percentage_or_rank(store):
    """Net housing spending (general fund) 2014-15 to 2022-23: Basildon's is negative in 2014-15
    (-£0.74 a resident), Fylde's £0.12 against a typical £25; before, they ranked 1st (-3,415%) and
    last (+8,044%)."""
    table = change("nce_housing_gfra", 2014, 2022, "place", store=store).set_index("name")
    for name in ("Basildon", "Fylde"):
        assert pd.isna(table.loc[name, "change_pct"]) and pd.isna(table.loc[name, "rank"])
    ranked = table[table["rank"].notna()]
    typical = np.median(np.abs(table["value_first"]))
    assert (ranked["value_first"] >= MIN_BASE_SHARE * typical).all()
    assert ranked["change_pct"].abs().max() < 1000
    note = next(n for n in table.attrs["notes"] if n.startswith("No percentage change"))
    assert "Basildon (-0.74)" in note and "Fylde" in note


def test_when_every_area_rose_rank_1_is_the_smallest_rise(store):
    table = change("band_d_area_total", 2015, 2023, "place", store=store)
    assert (table["change_pct"].dropna() > 0).all()
    assert any(n.startswith("Rank 1 is the smallest rise") for n in table.attrs["notes"])
    assert not any("largest fall" in n for n in table.attrs["notes"])


def test_notes_belong_to_the_measure_and_the_options_applied(store):
    spending = change("service_spending", 2010, 2017, per="child", store=store).attrs["notes"]
    assert not any("Band D" in n for n in spending)
    assert not any(n.startswith("per resident") for n in spending)  # population only shares counties here
    assert any(n.startswith("per child aged 0-17: 2010-11 uses") for n in spending)
    assert any(n.startswith("service_spending covers: Principal councils") for n in spending)
    band_d = change("band_d_area_total", 2015, 2023, store=store)
    notes = " ".join(band_d.attrs["notes"])
    assert "principal councils" not in notes.lower() and "not the GLA" not in notes
    assert "population share of its county" not in notes
    assert "tax-base-weighted average" in notes and "police, fire" in notes
    assert band_d.attrs["per"] == "band_d_equivalent"


@pytest.mark.parametrize("per", ["resident", "child", "total"])
def test_per_is_refused_on_band_d_which_is_per_band_d_equivalent_already(store, per):
    with pytest.raises(DevolutionError, match=f"--per {per}: band_d_area_total .* per Band D equivalent already"):
        change("band_d_area_total", 2015, 2023, per=per, store=store)
