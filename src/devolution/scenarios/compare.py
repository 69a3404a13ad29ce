"""Winners and losers: one scenario's funding gap against another's (the baseline), by place,
region, type of council and deprivation decile: counts, amounts and per head.

A place gains when its gap is smaller under the scenario than under the baseline (by more than
50p; smaller differences count as no change). Central runs are compared (distributions at their
mean / mode / midpoint).

Deprivation: IMD 2025 rank of average score (1 = most deprived) of lower-tier councils (districts,
unitaries, metropolitan districts, London boroughs), cut into ten groups of equal count by rank.
A county is not ranked in IMD 2025: it takes the population-weighted mean of its districts'
average scores and the decile of the lower-tier councils with scores around it (its score's
position among theirs).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from devolution.rules.per_head import per_unit
from devolution.scenarios.projection import PRESSURES
from devolution.scenarios.resources import RESOURCES
from devolution.scenarios.runner import Result

NO_CHANGE = 0.5  # pounds: below this a difference is rounding, not a gain or a loss


def deprivation_decile(store, places: pd.DataFrame, population: pd.Series) -> pd.Series:
    """IMD 2025 decile (1 = most deprived, missing when unranked) for each code in ``places``, in
    its order (see the module docstring)."""
    imd = store.observations(["imd2025_rank_of_average_score", "imd2025_average_score"])
    rank = imd[imd["measure"] == "imd2025_rank_of_average_score"].set_index("code")["value"]
    score = imd[imd["measure"] == "imd2025_average_score"].set_index("code")["value"]
    decile = np.ceil(rank / rank.max() * 10).clip(1, 10)
    out = places["code"].map(decile)
    all_places = store.places()
    county_of = all_places.set_index("code")["county_code"]
    ranked = score.sort_values(ascending=False)
    ranked_deciles = decile.reindex(ranked.index).to_numpy()
    for code in places.loc[places["tier"] == "county", "code"]:
        districts = county_of[county_of == code].index.intersection(score.index)
        weights = population.reindex(districts).fillna(0.0)
        if districts.empty or weights.sum() == 0:
            continue
        mean = float((score[districts] * weights).sum() / weights.sum())
        position = int(np.searchsorted(-ranked.to_numpy(), -mean))
        out[places["code"] == code] = ranked_deciles[min(position, len(ranked_deciles) - 1)]
    return out.astype("Int64")


def changes(baseline: Result, scenario: Result, year: int) -> dict[str, np.ndarray]:
    """Per council, in ``year`` (arrays in the scenario's council order): population, the gap
    under both, the change (scenario - baseline), per head, and ``outcome`` (gains / loses / no
    change). The two runs must share one council order (the same base year: checked)."""
    if not np.array_equal(baseline.inputs.codes, scenario.inputs.codes):
        raise ValueError("the baseline and the scenario must project the same councils (the same base year)")

    def at(result: Result, component: str) -> np.ndarray:
        return np.asarray(result.arrays[component][:, int(np.searchsorted(result.years, year))], dtype=np.float64)

    out = {"population": at(scenario, "population"), "gap_baseline": at(baseline, "gap"),
           "gap_scenario": at(scenario, "gap")}
    change = out["change"] = out["gap_scenario"] - out["gap_baseline"]
    out["change_per_head"] = per_unit(change, out["population"])
    out["outcome"] = np.select([change < -NO_CHANGE, change > NO_CHANGE], ["gains", "loses"], "no change")
    return out


def by_place(baseline: Result, scenario: Result, year: int, store=None, deciles: pd.Series | None = None
             ) -> pd.DataFrame:
    """One row per council: gaps under both, the change, per head, and gains / loses / no change
    (:func:`changes`). ``deciles``: the councils' IMD 2025 deciles when already known (they depend
    on the base-year councils only), else worked out from ``store``."""
    places = scenario.inputs.places.copy()
    for name, values in changes(baseline, scenario, year).items():
        places[name] = values
    if deciles is None:
        mid2023 = pd.Series(scenario.inputs.population, index=scenario.inputs.codes)
        deciles = deprivation_decile(store, places, mid2023)
    places["imd2025_decile"] = pd.array(np.asarray(deciles, dtype="float64"), dtype="Int64")
    return places


def groups_of(values) -> tuple[np.ndarray, list]:
    """Each row's group number and the groups, sorted, a missing value its own group, last."""
    codes, groups = pd.factorize(pd.Series(values), sort=True, use_na_sentinel=False)
    return codes, list(groups)


def group_totals(codes: np.ndarray, k: int, lower: np.ndarray, population: np.ndarray, change: np.ndarray,
                 outcome: np.ndarray) -> dict[str, np.ndarray]:
    """Councils, gainers, losers, total change (£), residents and change per head in each of ``k``
    groups (``codes``: each council's group). A group's residents are those of its lower-tier
    councils (``lower``; a county's own only when none are in it), so counties' residents are not
    counted twice. Whole-column sums (``np.bincount``)."""
    def total(weights) -> np.ndarray:
        return np.bincount(codes, weights=np.asarray(weights, dtype=np.float64), minlength=k)

    population = np.asarray(population, dtype=np.float64)
    out = {"councils": np.bincount(codes, minlength=k), "gain": total(outcome == "gains").astype(int),
           "lose": total(outcome == "loses").astype(int), "change": total(change),
           "population": np.where(total(lower) > 0, total(population * lower), total(population))}
    out["change_per_head"] = per_unit(out["change"], out["population"])
    return out


def by_group(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """Counts of gainers and losers, total change (£) and change per head, by a column of
    :func:`by_place`'s table (:func:`group_totals`), groups sorted, a missing value its own group, last."""
    codes, groups = groups_of(table[column])
    totals = group_totals(codes, len(groups), (table["tier"] != "county").to_numpy(),
                          table["population"].to_numpy(dtype=np.float64), table["change"].to_numpy(dtype=np.float64),
                          table["outcome"].to_numpy())
    return pd.DataFrame({"group": groups, **totals})


def components(baseline: Result, scenario: Result, year: int, code: str) -> pd.DataFrame:
    """A place's change in gap split by component (pressures add, resources subtract): the
    steps of a waterfall from the baseline gap to the scenario gap."""
    def value(result: Result, component: str) -> float:
        place = int(np.flatnonzero(result.inputs.codes == code)[0])
        return float(result.arrays[component][place, int(np.searchsorted(result.years, year))])

    rows = [{"step": "Baseline gap", "amount": value(baseline, "gap"), "kind": "total"}]
    rows += [{"step": c.label, "amount": value(scenario, c.name) - value(baseline, c.name), "kind": "pressure"}
             for c in PRESSURES]
    rows += [{"step": c.label, "amount": -(value(scenario, c.name) - value(baseline, c.name)), "kind": "resource"}
             for c in RESOURCES]
    rows.append({"step": "Scenario gap", "amount": value(scenario, "gap"), "kind": "total"})
    return pd.DataFrame(rows)
