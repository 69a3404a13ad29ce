"""Run a scenario: check it against the data, resolve its parameters by year, project a central
run (every component) and a Monte Carlo run (the gap's percentiles), and keep the resolved values
with the result."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from devolution import parameters as parameters_module
from devolution.errors import ParameterError
from devolution.memo import Recent
from devolution.rules import referendum
from devolution.scenarios import kernels, model
from devolution.scenarios.context import Context
from devolution.scenarios.inputs import Inputs, load_inputs, outturn_years
from devolution.scenarios.model import LIMITS, RETENTION
from devolution.scenarios.montecarlo import PERCENTILES, percentile_ranks, percentiles_from, row_percentiles, sample
from devolution.scenarios.projection import PRESSURES, pressures, run as project
from devolution.scenarios.resources import RESOURCES
from devolution.scenarios.schema import Scenario
from devolution.years import year_label

#: The catalogue power that carries business rates growth retention with it.
GROWTH_POWER = "business_rates_growth"


@dataclass
class Result:
    scenario: Scenario
    inputs: Inputs
    years: np.ndarray
    gap: pd.DataFrame | None       # code, year, p5 .. p95 (Monte Carlo, £ cash); None if not asked
    england: pd.DataFrame          # year, p5 .. p95 of England's gap, and central
    resolved: pd.DataFrame         # year, parameter, value: every policy value the run used
    draws: int
    notes: list[str] = field(default_factory=list)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)  # central run: component -> (places, years)

    @functools.cached_property
    def central(self) -> pd.DataFrame:
        """The central run as long rows ``code, year, component, value`` (£ cash), built when
        first asked (the web reads ``arrays`` only)."""
        return _long(self.inputs.codes, self.years, self.arrays)


def load(path: Path | str, store) -> Scenario:
    """Load a scenario file and check it against the store (base year held, regions, places and
    powers known): every problem listed at once."""
    return model.load(path, data_years=outturn_years(store), known=model.Known.of(store))


def context(scenario: Scenario, inputs: Inputs, draws: int, central: bool = False,
            tree: parameters_module.ParameterTree | None = None) -> tuple[Context, pd.DataFrame]:
    """The run's context and its resolved parameter values (one row per year and parameter)."""
    tree = model.tree_for(scenario, tree)
    years = np.array(scenario.projection_years)
    span = range(inputs.council_tax_year + 1, int(years[-1]) + 1)
    limits, rows = council_tax_limits(tree, span, inputs)
    retention, resolved = retention_policy(tree, inputs.base_year, years)
    region_codes = inputs.places["region"].to_numpy()
    samples = sample(scenario, region_codes, inputs.codes, draws, central=central)
    deal = deal_places(scenario, inputs)[:, None] & (years >= scenario.deals_from)[None, :]
    ctx = Context(inputs=inputs, samples=samples, limits=limits, years=years, retention=retention,
                  deal=deal, deal_terms=scenario.deals.business_rates)
    return ctx, pd.DataFrame(rows + resolved)


def council_tax_limits(tree: parameters_module.ParameterTree, span: range, inputs: Inputs
                       ) -> tuple[dict[str, np.ndarray], list[dict]]:
    """Each council's referendum principles in each projection year, (places, years) arrays keyed
    ``core_limit``, ``asc_limit``, ``cash_limit``, ``additional_limit`` (``rules.referendum``: a
    council named in the year's report has its own share that year only), and the resolved rows:
    the general values by year, and one row for each named council and year. A year whose adult
    social care limit depends on earlier years' precept (2019-20, 2022-23) is refused by
    ``referendum.principles``: projections start after the latest council tax year held (2023-24)."""
    tiers = inputs.places.set_index("code")["tier"].reindex(inputs.codes).to_numpy()
    found = [referendum.principles(tree, y, inputs.codes, tiers) for y in span]
    limits = {key: np.stack([getattr(f, key) for f in found], axis=1) if found else np.empty((inputs.n, 0))
              for key in ("core_limit", "asc_limit", "cash_limit", "additional_limit")}
    rows = []
    for y, f in zip(span, found):
        rows += [{"year": year_label(y), "parameter": path, "value": tree.value(path, y),
                  "status": tree.parameter(path).status} for path in LIMITS.values()]
        named = f.named()
        rows += [{"year": year_label(y), "parameter": f"{referendum.BY_COUNCIL}.{code}", "value": float(share),
                  "status": tree.parameter(referendum.BY_COUNCIL).status}
                 for code, share in zip(inputs.codes[named], f.additional_limit[named])]
    return limits, rows


def retention_policy(tree: parameters_module.ParameterTree, base_year: int, years: np.ndarray
                     ) -> tuple[dict[str, np.ndarray], list[dict]]:
    """The retention scheme's parameters in the base year (key ``base_*``) and each projection
    year. A year with no verified value (the scheme's terms after the 2026 reset are not typed in)
    keeps the last value the run had, and is reported as assumed: current policy continues."""
    out, rows = {}, []
    for key, path in RETENTION.items():
        held = float(tree.value(path, base_year))
        out[f"base_{key}"] = np.array(held)
        values = []
        for y in years:
            try:
                held, status = float(tree.value(path, int(y))), tree.parameter(path).status
            except ParameterError:
                status = f"assumed: the {year_label(int(y) - 1)} value continues (no verified value)"
            values.append(held)
            rows.append({"year": year_label(int(y)), "parameter": path, "value": held, "status": status})
        out[key] = np.array(values)
    return out, rows


def deal_places(scenario: Scenario, inputs: Inputs) -> np.ndarray:
    """Which councils keep business rates growth on the deal's terms: those named in
    ``deals.places`` (a strategic authority names its councils), and with devolution by default
    every council in a strategic authority whose level allows the growth-retention power."""
    areas = set(scenario.deals.places)
    if scenario.deals.devolution_by_default:
        table = inputs.by_default(scenario.deals_from)
        areas |= set(table.loc[table["power"] == GROWTH_POWER, "place"])
    return np.isin(inputs.codes, list(areas)) | np.isin(inputs.strategic_authority, list(areas))


#: Draws a Dask task works out (:mod:`scenarios.cluster`, in fours). The numbers do not depend
#: on it: every cell is worked out on its own.
BLOCK = 256


def block(ctx: Context, start: int, stop: int) -> Context:
    """The context for draws ``start:stop`` (numbers, shape (1,), are shared): for the projection's
    numpy components, one block of draws at a time."""
    samples = {k: (v[start:stop] if len(v) > 1 else v) for k, v in ctx.samples.items()}
    return Context(inputs=ctx.inputs, samples=samples, limits=ctx.limits, years=ctx.years,
                   retention=ctx.retention, deal=ctx.deal, deal_terms=ctx.deal_terms)


def simulate(scenario: Scenario, inputs: Inputs, draws: int, block_size: int | None = None,
             pressure: np.ndarray | None = None) -> np.ndarray:
    """The funding gap for every draw: (draws, places, years), £ cash (draws last in memory, as
    percentiles read them). Draws are taken once, up front; every cell is worked out by the fused
    kernel (:mod:`scenarios.kernels`, on the machine's cores), ``block_size`` draws a call (all at
    once by default; the numbers are the same whatever the blocks).

    ``pressure``: the run's spending pressure for every draw, (draws, places, years), when known
    (:func:`monte_carlo_pressure`; only resources are then computed)."""
    ctx, _ = context(scenario, inputs, draws)
    cells = kernels.prepare(ctx, draws)
    held = np.empty((inputs.n, len(ctx.years), draws))
    for start in range(0, draws, block_size or draws):
        kernels.gap(cells, held, (start, min(start + (block_size or draws), draws)), (0, inputs.n), pressure,
                    first_draw=0)
    return np.moveaxis(held, -1, 0)


def monte_carlo(scenario: Scenario, inputs: Inputs, draws: int, pressure: np.ndarray | None = None,
                place_percentiles: bool = True) -> tuple[np.ndarray | None, np.ndarray]:
    """Percentiles (:data:`PERCENTILES`) of each council's gap, (percentiles, places, years), or
    None unless ``place_percentiles``, and of England's, (percentiles, years): the numbers of
    ``percentiles(simulate(...))`` and ``percentiles(simulate(...).sum(axis=1))`` (England's sum
    added in blocks of councils: equal to rounding), in one compiled pass that never holds every
    draw of every council (:func:`scenarios.kernels.streamed`)."""
    ctx, _ = context(scenario, inputs, draws)
    ranks = percentile_ranks(draws) if place_percentiles else np.empty(0, dtype=np.int64)
    stats, england = kernels.streamed(kernels.prepare(ctx, draws), ranks, pressure)
    places = percentiles_from(stats, draws) if place_percentiles else None
    return places, row_percentiles(england)


def monte_carlo_pressure(scenario: Scenario, inputs: Inputs, draws: int) -> np.ndarray:
    """Spending pressure for every draw, (draws, places, years): what :func:`simulate` and
    :func:`monte_carlo` reuse when only policy changes."""
    ctx, _ = context(scenario, inputs, draws)
    held = np.empty((inputs.n, len(ctx.years), draws))
    kernels.gap(kernels.prepare(ctx, draws), held, (0, draws), (0, inputs.n), pressure_only=True)
    return np.moveaxis(held, -1, 0)


#: The assumptions spending pressure reads, and so every one drawn before them: the same values
#: (and seed, draws, years and base year) give the same pressure in every draw. ``Scenario.rates``
#: draws in this order first (tested).
PRESSURE_RATES = ("inflation", "wage_growth", "tax_base_growth", "population_growth_shift",
                  "demand_growth.adult_social_care", "demand_growth.children", "demand_growth.other")
#: Largest Monte Carlo pressure kept in a memo (cells; 8 bytes each): the web's runs, not a big batch.
MEMO_CELLS = 4_000_000


def pressure_key(scenario: Scenario, draws: int) -> str:
    """What a run's spending pressure depends on, as a key (policy - limits, local share, deals,
    the council tax policy - is not in it)."""
    rates = scenario.rates()
    return repr((scenario.first_year, tuple(scenario.projection_years), scenario.seed, draws,
                 [(name, repr(rates[name])) for name in PRESSURE_RATES]))


def _long(codes: np.ndarray, years: np.ndarray, arrays: dict[str, np.ndarray]) -> pd.DataFrame:
    """Every component of a central run (``arrays``: component -> (places, years)) as long rows
    ``code, year, component, value``; code and component are categorical (built once from
    integer codes: a tenth of the time of strings)."""
    names = list(arrays)
    n, y = len(codes), len(years)
    values = np.stack([arrays[name] for name in names])
    return pd.DataFrame({"code": pd.Categorical.from_codes(np.tile(np.repeat(np.arange(n), y), len(names)), codes),
                         "year": np.tile(years, n * len(names)),
                         "component": pd.Categorical.from_codes(np.repeat(np.arange(len(names)), n * y), names),
                         "value": values.ravel()})


def run(scenario: Scenario, store, draws: int | None = None, inputs: Inputs | None = None, *,
        place_percentiles: bool = True, memo: Recent | None = None) -> Result:
    """The central run (every component) and the Monte Carlo run (percentiles of England's gap,
    and of each council's unless ``place_percentiles`` is False: ``gap`` is then None).

    ``memo``: spending pressure of earlier runs by :func:`pressure_key` (a run that changes only
    policy reuses it; the numbers are the same as without)."""
    inputs = inputs or load_inputs(store, scenario.first_year)
    draws = draws or scenario.draws
    ctx, resolved = context(scenario, inputs, 1, central=True)
    key = pressure_key(scenario, draws)
    held = memo.get(key) if memo is not None else None
    if held is None:
        held = (pressures(ctx), monte_carlo_pressure(scenario, inputs, draws)
                if memo is not None and draws * inputs.n * len(ctx.years) <= MEMO_CELLS else None)
        if memo is not None:
            for array in (*held[0].values(), *held[1:2]):
                if array is not None:
                    array.setflags(write=False)   # shared by later runs: never written
            memo.put(key, held)
    central = project(ctx, pressure=held[0])
    years = ctx.years
    q, qe = monte_carlo(scenario, inputs, draws, pressure=held[1], place_percentiles=place_percentiles)
    gap_table = None
    if place_percentiles:
        gap_table = pd.DataFrame({"code": np.repeat(inputs.codes, len(years)), "year": np.tile(years, inputs.n),
                                  **{f"p{p}": q[i].ravel() for i, p in enumerate(PERCENTILES)}})
    england = pd.DataFrame({"year": years, **{f"p{p}": qe[i] for i, p in enumerate(PERCENTILES)},
                            "central": central["gap"][0].sum(axis=0)})
    notes = notes_for(scenario, inputs, draws)
    return Result(scenario=scenario, inputs=inputs, years=years, gap=gap_table, england=england, resolved=resolved, draws=draws, notes=notes,
                  arrays={name: np.broadcast_to(value[0], (inputs.n, len(years))) for name, value in central.items()})


def breakdown(result: Result, code: str | list[str] | None = None) -> pd.DataFrame:
    """The central run by component for England (or one council, or several summed): each pressure
    and resource and the gap, in the first and last projection years, £ cash. What makes up the
    gap, in one table."""
    columns = [0, len(result.years) - 1]
    where = slice(None) if code is None else np.flatnonzero(np.isin(result.inputs.codes, [code] if isinstance(code, str) else code))
    rows = []
    for kind, components in (("pressure", PRESSURES), ("resource", RESOURCES)):
        for c in components:
            values = result.arrays[c.name][where][:, columns].sum(axis=0)
            rows.append({"component": c.label, "kind": kind, "first": values[0], "last": values[1]})
    gap = result.arrays["gap"][where][:, columns].sum(axis=0)
    rows.append({"component": "Funding gap (pressure - resources)", "kind": "gap", "first": gap[0], "last": gap[1]})
    out = pd.DataFrame(rows)
    out["change_pct"] = 100 * (out["last"] / out["first"] - 1)
    return out.rename(columns={"first": year_label(int(result.years[0])), "last": year_label(int(result.years[-1]))})


def deal_notes(scenario: Scenario, inputs: Inputs) -> list[str]:
    """What the scenario's deals did in the run, in words."""
    deals = scenario.deals
    if not deals.any:
        return []
    notes = []
    if deals.devolution_by_default or deals.places:
        terms = deals.business_rates
        count = int(deal_places(scenario, inputs).sum())
        how = "by default" if deals.devolution_by_default else "by deal"
        notes.append(f"deals: from {year_label(scenario.deals_from)}, {count} councils keep business rates growth "
                     f"{how} at a {terms.local_share:.0%} local share, "
                     f"{'with' if terms.levy else 'without'} the levy"
                     + (f", safety net at {terms.safety_net_threshold:.1%}" if terms.safety_net_threshold is not None
                        else "") + ".")
    if deals.pooled_budgets:
        notes.append(f"deals: pooled budgets ({', '.join(deals.pooled_budgets)}) move who decides, not the amount: "
                     "no change to the gap (the place budget's conservation rule).")
    if deals.settlement_years:
        notes.append(f"deals: a {deals.settlement_years}-year settlement fixes grants ahead; the projection already "
                     "holds them on the grant growth assumption, so the gap does not change.")
    return notes


def notes_for(scenario: Scenario, inputs: Inputs, draws: int) -> list[str]:
    notes = [
        f"Base year {year_label(inputs.base_year)}: Revenue Outturn net current expenditure for {inputs.n} councils; "
        f"{len(inputs.left_out)} that did not report are left out (listed).",
        f"Council tax from {year_label(inputs.council_tax_year)} (latest held), raised each year by the policy "
        f"({scenario.assumptions.council_tax_increase!r}) within the referendum ceiling; a parameter's last value "
        f"stays in force in later years.",
        "Population: each place's compound growth mid-2018 to mid-2023 continued; the shares aged 65+, 85+ and "
        "0-17 keep changing as their region's did mid-2022 to mid-2023 (ONS subnational projections are not in "
        "the data).",
        f"Monte Carlo: {draws:,} draws, seed {scenario.seed}; each draw holds its rates for every year.",
        "All amounts in cash (nominal) pounds.",
    ]
    notes += [f"{c.label}: {c.status}" for c in (*PRESSURES, *RESOURCES) if c.status != "projected"]
    notes.append(f"Retained business rates from {year_label(inputs.retained_rates_year)} Revenue Outturn (latest "
                 f"per-council financing lines), uprated to {year_label(inputs.base_year)} by the small business "
                 f"multiplier; {len(inputs.no_retained_rates)} councils without it count 0.")
    notes += deal_notes(scenario, inputs)
    return notes
