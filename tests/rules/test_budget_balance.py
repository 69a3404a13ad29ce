"""The resident simulator's balance check as a rule: extra spending against what council tax raises."""

from __future__ import annotations

import numpy as np
import pytest

from devolution.rules.council_tax import budget_deficit


def test_a_two_percent_rise_pays_for_two_percent_of_the_requirement():
    # £50m requirement x 2% = £1m raised; £1.2m more on services leaves £200k unfunded.
    assert budget_deficit(np.array([1_000_000.0, 200_000.0]), 50_000_000.0, 0.02) == pytest.approx(200_000.0)


def test_cuts_with_a_freeze_are_a_surplus_and_no_change_balances():
    assert budget_deficit(np.array([-300_000.0, 100_000.0]), 50_000_000.0, 0.0) == pytest.approx(-200_000.0)
    assert budget_deficit(np.array([]), 50_000_000.0, 0.0) == 0.0


def test_a_council_tax_cut_must_be_matched_by_spending_cuts():
    # A 1% cut on £80m gives up £800k: cutting services by £800k balances exactly.
    assert budget_deficit(np.array([-500_000.0, -300_000.0]), 80_000_000.0, -0.01) == pytest.approx(0.0)


def test_many_councils_at_once_one_row_each():
    changes = np.array([[1e6, 0.0], [0.0, 0.0], [-2e6, 1e6]])
    out = budget_deficit(changes, np.array([1e8, 2e7, 5e7]), np.array([0.01, -0.05, 0.0]))
    assert out.tolist() == pytest.approx([0.0, 1e6, -1e6])
