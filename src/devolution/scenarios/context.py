"""What every component of a projection reads and is: the run's :class:`Context` (base inputs,
sampled assumptions, parameters resolved by year) and a :class:`Component` (a named array of
``draws x places x years``). The pressures (``scenarios.projection``) and the resources
(``scenarios.resources``) are lists of components over one context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from devolution.scenarios.inputs import Inputs


@dataclass
class Context:
    """What every component reads: base inputs, sampled assumptions, parameters resolved by year."""

    inputs: Inputs
    samples: dict[str, np.ndarray]     # name -> (draws,) or (draws, places); see montecarlo.sample
    limits: dict[str, np.ndarray]      # each council's principles, (places, years from council_tax_year+1)
    years: np.ndarray                  # projection years
    retention: dict[str, np.ndarray] = field(default_factory=dict)  # runner.retention_policy
    deal: np.ndarray | None = None     # (places, years): councils keeping rates growth on deal terms
    deal_terms: object = None          # schema.GrowthRetention
    memo: dict[str, np.ndarray] = field(default_factory=dict)

    scratch: np.ndarray | None = None  # reused output buffer when only the gap is kept

    def new(self) -> np.ndarray:
        """An output array (draws, places, years) for a component: the shared scratch buffer in a
        Monte Carlo run (each component's value is used up before the next is computed), else new.
        Fresh memory of this size costs more to touch than to compute, so it is allocated once."""
        if self.scratch is not None:
            return self.scratch
        return np.empty((self.draws, self.inputs.n, len(self.years)))

    @property
    def draws(self) -> int:
        return max(np.shape(v)[0] for v in self.samples.values())

    @property
    def steps(self) -> np.ndarray:
        """Years since the base year, (1, 1, years)."""
        return (self.years - self.inputs.base_year)[None, None, :].astype(np.float64)

    def rate(self, name: str) -> np.ndarray:
        """A national assumption as (draws, 1, 1)."""
        return self.samples[name][:, None, None]

    def population_index(self) -> np.ndarray:
        """Population in each projection year over the base year's: (draws, places, years).

        Each place's compound growth mid-2018 to mid-2023 continued, plus the scenario's shift."""
        if "population_index" not in self.memo:
            growth = 1.0 + self.inputs.population_growth[None, :, None] + self.rate("population_growth_shift")
            self.memo["population_index"] = np.exp(np.log(growth) * self.steps)  # growth ** steps, faster
        return self.memo["population_index"]

    def age_factor(self, band: str) -> np.ndarray:
        """How an age band's share of the population moves: (1 + its region's yearly change)^k,
        (1, places, years). Small: multiplied into the population index, not a second index."""
        key = f"age_factor_{band}"
        if key not in self.memo:
            self.memo[key] = np.exp(np.log1p(self.inputs.age_share_drift[band])[None, :, None] * self.steps)
        return self.memo[key]

    def age_band_index(self, band: str) -> np.ndarray:
        """Population of an age band over its base-year value: the total's index x the band's
        share factor (no official projection by age is in the data; see inputs)."""
        return self.population_index() * self.age_factor(band)


@dataclass(frozen=True)
class Component:
    name: str
    label: str
    compute: Callable[[Context], np.ndarray]
    status: str = "projected"          # or "placeholder: ..." until the rule that replaces it lands
