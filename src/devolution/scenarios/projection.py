"""Projection: spending pressure, resources and the funding gap for every council, year and draw.

Arrays carry a leading draws axis: ``draws x places x years`` (a central run has one draw). No
loop runs over places or draws; the only loop is over years, for council tax, where each year's
Band D starts from the last. Pressures and resources are explicit ordered lists of components
(``PRESSURES`` here, ``RESOURCES`` in :mod:`devolution.scenarios.resources`): a reader follows the
run top to bottom, and a new component is one more entry in one list.

Funding gap = pressure - resources. In the base year resources are set equal to spending (councils
set balanced budgets), so the gap is the pressure that grows faster than the resources after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from devolution.scenarios.context import Context
from devolution.scenarios.resources import RESOURCES


# ------------------------------------------------------------------------------ pressures
# Each pressure is base-year spending on the people it serves, growing with their number and a
# cost per head: value = cost growth (draws, 1, years) x (need (1, places, years) x population
# index (draws, places, years)). The two factors are kept apart so the Monte Carlo's fused kernel
# (scenarios.kernels) reads the same tables the components here multiply.

def adult_social_care_cost(ctx: Context) -> np.ndarray:
    """(1 + wage growth) x (1 + demand growth per head), compounded from the base year."""
    return ((1.0 + ctx.rate("wage_growth")) * (1.0 + ctx.rate("demand_growth.adult_social_care"))) ** ctx.steps


def adult_social_care_need(ctx: Context) -> np.ndarray:
    """Base-year net spending x demand (65+ and 85+ residents, summed so the oldest count twice),
    over the population: the age mix moving as each band's share does."""
    shares = ctx.inputs.age_shares
    people = shares["65_plus"] + shares["85_plus"]
    mix = ((shares["65_plus"] / people)[None, :, None] * ctx.age_factor("65_plus")
           + (shares["85_plus"] / people)[None, :, None] * ctx.age_factor("85_plus"))   # (1, places, years)
    return ctx.inputs.spending["adult_social_care"][None, :, None] * mix


def children_cost(ctx: Context) -> np.ndarray:
    """(1 + inflation) x (1 + children's demand growth: children looked after per child), compounded."""
    return ((1.0 + ctx.rate("inflation")) * (1.0 + ctx.rate("demand_growth.children"))) ** ctx.steps


def children_need(ctx: Context) -> np.ndarray:
    """Base-year net spending x children 0-17, over the population."""
    return ctx.inputs.spending["children"][None, :, None] * ctx.age_factor("0_17")


def other_services_cost(ctx: Context) -> np.ndarray:
    """(1 + inflation) x (1 + demand growth per head), compounded."""
    return ((1.0 + ctx.rate("inflation")) * (1.0 + ctx.rate("demand_growth.other"))) ** ctx.steps


def other_services_need(ctx: Context) -> np.ndarray:
    """Base-year net spending on every other service (it grows with the whole population)."""
    return ctx.inputs.spending["other"][None, :, None]


@dataclass(frozen=True)
class Pressure:
    """A spending pressure: ``cost(ctx) x (need(ctx) x population index)``."""

    name: str
    label: str
    cost: Callable[[Context], np.ndarray]     # (draws or 1, 1, years)
    need: Callable[[Context], np.ndarray]     # (1, places, years or 1)
    status: str = "projected"

    def compute(self, ctx: Context) -> np.ndarray:
        return np.multiply(self.cost(ctx), self.need(ctx) * ctx.population_index(), out=ctx.new())


#: Spending pressure, in run order.
PRESSURES: tuple[Pressure, ...] = (
    Pressure("adult_social_care", "Adult social care", adult_social_care_cost, adult_social_care_need),
    Pressure("children", "Children's social care", children_cost, children_need),
    Pressure("other_services", "Other services", other_services_cost, other_services_need),
)


def children_looked_after(ctx: Context) -> np.ndarray:
    """Projected children looked after (reported, not costed separately): latest count x children
    0-17 index x (1 + children's demand growth) compounded."""
    growth = (1.0 + ctx.rate("demand_growth.children")) ** ctx.steps
    return ctx.inputs.children_looked_after[None, :, None] * ctx.age_band_index("0_17") * growth


def pressures(ctx: Context, detail: bool = True) -> dict[str, np.ndarray]:
    """Spending pressure, (draws, places, years): each component (``detail``) and their sum
    ``pressure``. It reads the assumptions only, never policy: a run that changes only policy
    (limits, local share, deals) can reuse it (``run(ctx, pressure=...)``). ``detail=False``
    leaves its scratch buffer on ``ctx`` for the resources of the same run (``run`` clears it)."""
    out: dict[str, np.ndarray] = {}
    total = None
    if not detail:
        total = np.zeros((ctx.draws, ctx.inputs.n, len(ctx.years)))
        ctx.scratch = np.empty_like(total)  # kept for the resources of the same run (see run)
    for component in PRESSURES:
        value = component.compute(ctx)
        if detail:
            out[component.name] = value
            total = value.copy() if total is None else total + value
        else:
            np.add(total, value, out=total)
    out["pressure"] = total
    return out


def run(ctx: Context, detail: bool = True, pressure: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Every component, then pressure, resources and the gap, each (draws, places, years).

    ``detail=False`` keeps only ``gap`` (Monte Carlo: one big array, not one per component).
    ``pressure``: :func:`pressures` of the same context's assumptions, computed before (left
    unchanged); else computed here."""
    given = pressure is not None
    pressure = pressure if given else pressures(ctx, detail)
    out = {name: value for name, value in pressure.items() if name != "pressure"}
    total = pressure["pressure"]
    gap = total.copy() if (given and not detail) else total   # the gap is worked out in place
    if not detail and (ctx.scratch is None or ctx.scratch.shape != gap.shape):
        ctx.scratch = np.empty_like(gap)
    resources = None
    for component in RESOURCES:
        value = component.compute(ctx)
        if detail:
            out[component.name] = value
            resources = np.broadcast_to(value, total.shape).copy() if resources is None else resources + value
        else:
            np.subtract(gap, value, out=gap)
    ctx.scratch = None
    if not detail:
        return {"gap": gap}
    out["pressure"] = total
    out["resources"] = resources
    out["gap"] = total - resources
    out["population"] = ctx.inputs.population[None, :, None] * (
        (1.0 + ctx.inputs.population_growth[None, :, None] + ctx.rate("population_growth_shift"))
        ** (ctx.years - ctx.inputs.population_year)[None, None, :])
    out["children_looked_after"] = children_looked_after(ctx)
    return out
