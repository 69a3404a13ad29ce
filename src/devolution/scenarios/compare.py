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

from devolution.analysis.per_head import per_unit
from devolution.scenarios.runner import Result

NO_CHANGE = 0.5  # pounds: below this a difference is rounding, not a gain or a loss


def deprivation_decile(store, places: pd.DataFrame, population: pd.Series) -> pd.Series:
    """IMD 2025 decile (1 = most deprived) for each code in ``places`` (see the module docstring)."""
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
    return out


def by_place(baseline: Result, scenario: Result, year: int, store=None, deciles: pd.Series | None = None
             ) -> pd.DataFrame:
    """One row per council: gaps under both, the change, per head, and gains / loses / no change.
    ``deciles``: the councils' IMD 2025 deciles when already known (they depend on the base-year
    councils only), else worked out from ``store``."""
    def at(result: Result, component: str) -> pd.Series:
        column = int(np.searchsorted(result.years, year))
        return pd.Series(result.arrays[component][:, column], index=result.inputs.codes)

    places = scenario.inputs.places.copy()
    places["population"] = places["code"].map(at(scenario, "population"))
    places["gap_baseline"] = places["code"].map(at(baseline, "gap"))
    places["gap_scenario"] = places["code"].map(at(scenario, "gap"))
    places["change"] = places["gap_scenario"] - places["gap_baseline"]
    places["change_per_head"] = per_unit(places["change"], places["population"])
    places["outcome"] = np.select([places["change"] < -NO_CHANGE, places["change"] > NO_CHANGE],
                                  ["gains", "loses"], "no change")
    if deciles is None:
        mid2023 = pd.Series(scenario.inputs.population, index=scenario.inputs.codes)
        deciles = deprivation_decile(store, places, mid2023)
    places["imd2025_decile"] = pd.array(np.asarray(deciles, dtype="float64"), dtype="Int64")
    return places


def by_group(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """Counts of gainers and losers, total change (£) and change per head, by a column. A group's
    residents are those of its lower-tier councils (a county's own only when none are in it), so
    counties' residents are not counted twice. Whole-column sums (``np.bincount``), groups sorted,
    a missing value its own group, last."""
    codes, groups = pd.factorize(table[column], sort=True, use_na_sentinel=False)
    k = len(groups)

    def total(weights) -> np.ndarray:
        return np.bincount(codes, weights=np.asarray(weights, dtype=np.float64), minlength=k)

    lower = (table["tier"] != "county").to_numpy()
    population = table["population"].to_numpy(dtype=np.float64)
    out = pd.DataFrame({
        "group": groups,
        "councils": np.bincount(codes, minlength=k),
        "gain": total(table["outcome"] == "gains").astype(int),
        "lose": total(table["outcome"] == "loses").astype(int),
        "change": total(table["change"]),
        "population": np.where(total(lower) > 0, total(population * lower), total(population)),
    })
    out["change_per_head"] = per_unit(out["change"], out["population"])
    return out


def components(baseline: Result, scenario: Result, year: int, code: str) -> pd.DataFrame:
    """A place's change in gap split by component (pressures add, resources subtract): the
    steps of a waterfall from the baseline gap to the scenario gap."""
    from devolution.scenarios.projection import PRESSURES
    from devolution.scenarios.resources import RESOURCES

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
