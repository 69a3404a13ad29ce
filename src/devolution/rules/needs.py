"""Fair Funding Review 2.0 (from 2026-27) as a parametrised model: relative needs, the resources
adjustment, the assessment, transition with floors, and the 2026 business rates reset.

MHCLG, "The Fair Funding Review 2.0" (consultation, 20 June 2025) and its "Annex: Summary of
measures ... and glossary"; "Local government finance policy statement 2026-27 to 2028-29"
(20 November 2025). The official formula weights, quanta, area cost adjustments and floor levels
are inputs (arrays and parameters), not typed in here; see docs/settlement.md for what is missing.
Place arrays have the places on the last axis; a leading axis of variants broadcasts.
"""

from __future__ import annotations

import numpy as np


def formula_need(indicators: np.ndarray, weights: np.ndarray, area_cost_adjustment: np.ndarray) -> np.ndarray:
    """One needs formula: a weighted sum of indicators (counts of clients: residents by age,
    deprivation-weighted residents, children looked after ...), scaled by the area cost adjustment.
    ``indicators`` is places x indicators; ``weights`` the pounds per unit of each; returns pounds
    of need per place before scaling to the formula's quantum."""
    raw = np.asarray(indicators, dtype=np.float64) @ np.asarray(weights, dtype=np.float64)
    return raw * np.asarray(area_cost_adjustment, dtype=np.float64)


def need_shares(formula_needs: np.ndarray) -> np.ndarray:
    """Each place's share of a formula's total need (the relative needs share); last axis = places."""
    needs = np.asarray(formula_needs, dtype=np.float64)
    return needs / needs.sum(axis=-1, keepdims=True)


def relative_need(shares_by_formula: np.ndarray, quanta: np.ndarray) -> np.ndarray:
    """Assessed need: each formula's control total (quantum) shared out by its need shares, summed
    over formulas. ``shares_by_formula`` is formulas x places; ``quanta`` one amount per formula."""
    return np.asarray(quanta, dtype=np.float64) @ np.asarray(shares_by_formula, dtype=np.float64)


def resources_adjustment(tax_base: np.ndarray, notional_band_d: float, tier_split: np.ndarray,
                         resources_equalisation: np.ndarray | float) -> np.ndarray:
    """Notional council tax taken into account: tax base (Band D equivalents) x a notional Band D x
    the tier's average share, times the equalisation share (FFR 2.0 Technical Annex K: a national
    average Band D that "fully equalises" for tax base; actual council tax levels do not count)."""
    return (np.asarray(resources_equalisation, dtype=np.float64) * np.asarray(tax_base, dtype=np.float64)
            * notional_band_d * np.asarray(tier_split, dtype=np.float64))


def fair_funding_assessment(relative_need: np.ndarray, resources: np.ndarray, total_funding: float) -> np.ndarray:
    """Need minus resources, with need scaled so that the assessments sum to the funding available:
    need_i x (total + sum of resources) / sum of need - resources_i (FFR 2.0 annex: assessed need
    net of the resources adjustment). The national total is an explicit argument."""
    need = np.asarray(relative_need, dtype=np.float64)
    res = np.asarray(resources, dtype=np.float64)
    scale = (total_funding + res.sum(axis=-1, keepdims=True)) / need.sum(axis=-1, keepdims=True)
    return need * scale - res


def transition(target: np.ndarray, income_baseline: np.ndarray, step: int, transition_years: float,
               income_floor: np.ndarray | float) -> np.ndarray:
    """Allocation in transition year ``step`` (1 = first year): the income baseline moved towards
    the target in equal steps, then floored at ``income_floor`` x the baseline, the cost of the
    floors met by scaling back gains above the baseline (policy statement 2026-27 to 2028-29:
    phased in over three years with funding floors). Totals are kept where gains can pay."""
    base = np.asarray(income_baseline, dtype=np.float64)
    goal = np.asarray(target, dtype=np.float64)
    moved = base + (goal - base) * min(step / transition_years, 1.0)
    floor = np.asarray(income_floor, dtype=np.float64) * base
    floored = np.maximum(moved, floor)
    cost = (floored - moved).sum(axis=-1, keepdims=True)
    gains = np.maximum(floored - np.maximum(base, floor), 0.0)
    total_gains = gains.sum(axis=-1, keepdims=True)
    scale = np.ones_like(total_gains)
    np.divide(cost, total_gains, out=scale, where=total_gains > 0)
    return floored - gains * np.minimum(np.where(total_gains > 0, scale, 0.0), 1.0)


def reset_baseline_funding_level(need_share: np.ndarray, aggregate_retained_rates: float) -> np.ndarray:
    """At the 2026 reset all retained business rates stay with local government and are shared out
    by relative need shares (MHCLG, "Resetting the business rates retention system", response
    20 November 2025): the new baseline funding levels."""
    return np.asarray(need_share, dtype=np.float64) * aggregate_retained_rates


def indicator_per_head(indicator: np.ndarray, population: np.ndarray) -> np.ndarray:
    """An indicator per resident (NaN where there is no population)."""
    ind = np.asarray(indicator, dtype=np.float64)
    pop = np.asarray(population, dtype=np.float64)
    out = np.full(np.broadcast(ind, pop).shape, np.nan)
    np.divide(ind, pop, out=out, where=pop > 0)
    return out
