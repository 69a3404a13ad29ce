"""``devo explain CODE YEAR MEASURE``: how a figure is computed, with its inputs and parameters.

For one place and year: the rule (and the law or official method it follows), each input with its
value from the store, each parameter with its value and reference, the result, and the published
figure it is checked against where there is one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from devolution.errors import DevolutionError, ParameterError, PlaceError
from devolution.years import parse_year, year_label


class ExplainError(DevolutionError):
    """A measure that cannot be explained, or a year with no inputs in the store."""


@dataclass
class Explanation:
    code: str
    name: str
    year: int
    measure: str
    rule: str
    law: str
    inputs: list[tuple[str, float]] = field(default_factory=list)
    parameters: list[tuple[str, object, str]] = field(default_factory=list)
    result: float = float("nan")
    published: tuple[str, float] | None = None
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{self.measure} for {self.name} ({self.code}), {year_label(self.year)}",
               f"  rule: {self.rule}", f"  law:  {self.law}", "  inputs (from the store):"]
        out += [f"    {name} = {_money(value)}" for name, value in self.inputs]
        if self.parameters:
            out.append("  parameters:")
            for path, value, source in self.parameters:
                out.append(f"    {path} = {value}")
                out.append(f"      source: {source}")
        out.append(f"  result: {self.measure} = {_money(self.result)}")
        if self.published is not None:
            name, value = self.published
            out.append(f"  published {name} = {_money(value)} (difference {_money(self.result - value)})")
        out += [f"  note: {note}" for note in self.notes]
        return out


def _money(value: float) -> str:
    return "none" if value is None or (isinstance(value, float) and np.isnan(value)) else f"{value:,.2f}"


# ------------------------------------------------------------------------------- measures

CSP_COMPONENTS = ("csp_settlement_funding_assessment", "csp_under_indexing", "csp_council_tax",
                  "csp_new_homes_bonus", "csp_new_homes_bonus_returned", "csp_rural_services_delivery_grant")
SOCIAL_CARE_TIERS = ("county", "unitary", "metropolitan_district", "london_borough", "city_of_london")
MEASURES = ("band_d", "csp_total", "max_band_d")


def _inputs(store, code: str, year: int, measures: tuple[str, ...]) -> dict[str, float]:
    rows = store.observations(list(measures), years=[year])
    rows = rows[rows["code"] == code]
    return dict(zip(rows["measure"], rows["value"].astype(float)))


def _place(store, code: str) -> tuple[str, str]:
    places = store.places()
    match = places[places["code"] == code]
    if match.empty:
        raise PlaceError(f"unknown place code {code!r} (see `devo places list`)")
    return str(match["name"].iloc[0]), str(match["tier"].iloc[0])


def _require(found: dict[str, float], names: tuple[str, ...], code: str, year: int, measure: str) -> None:
    missing = [n for n in names if n not in found]
    if missing:
        raise ExplainError(f"cannot explain {measure} for {code} in {year_label(year)}: the store has no "
                           f"{', '.join(missing)} for that place and year")


def _parameter(tree, path: str, year: int) -> tuple[object, str]:
    parameter = tree.parameter(path)
    value = parameter.value(year)
    label = year_label(year)
    chosen = [r for r in parameter.references if label in r.supports or "onward" in r.supports]
    return value, "; ".join(str(r) for r in (chosen or parameter.references))


def explain(code: str, year: int | str, measure: str, store=None, tree=None) -> Explanation:
    """Explain one figure; errors name what is unknown or missing."""
    from devolution import parameters
    from devolution.rules import council_tax, spending_power
    from devolution.store import Store

    from devolution.analysis import measures as derived

    if measure not in MEASURES and not derived.is_derived(measure):
        raise ExplainError(f"unknown measure {measure!r} (expected one of {', '.join([*MEASURES, *derived.definitions()])})")
    try:
        year = parse_year(year)
    except DevolutionError as exc:
        raise ExplainError(str(exc)) from None
    tree = tree or parameters.default()
    own = store is None
    store = store or Store(read_only=True)
    try:
        name, tier = _place(store, code)
        if derived.is_derived(measure):
            return _derived(store, code, name, year, measure)
        if measure == "band_d":
            names = ("council_tax_requirement_excl_parish", "tax_base")
            found = _inputs(store, code, year, names + ("band_d_excl_parish",))
            _require(found, names, code, year, measure)
            result = council_tax.band_d(np.array([found[names[0]]]), np.array([found[names[1]]]))[0]
            out = Explanation(code, name, year, measure, "band_d = council_tax_requirement_excl_parish / tax_base",
                              council_tax.band_d.__doc__.split("(")[1].split(")")[0],
                              [(n, found[n]) for n in names], [], result)
            if "band_d_excl_parish" in found:
                out.published = ("band_d_excl_parish", found["band_d_excl_parish"])
            return out
        if measure == "csp_total":
            found = _inputs(store, code, year, CSP_COMPONENTS + ("csp_total",))
            _require(found, CSP_COMPONENTS[:1], code, year, measure)
            values = [np.array([found.get(c, 0.0)]) for c in CSP_COMPONENTS]
            result = spending_power.csp_total(*values)[0]
            out = Explanation(code, name, year, measure, "csp_total = " + " + ".join(CSP_COMPONENTS),
                              "MHCLG, Explanatory note on Core Spending Power (sum of the listed components)",
                              [(c, found.get(c, 0.0)) for c in CSP_COMPONENTS], [], result)
            if "csp_total" in found:
                out.published = ("csp_total", found["csp_total"])
            out.notes.append("the file holds six of the official CSP components, so this total is below the official CSP")
            return out
        # max_band_d: last year's Band D raised by the most the referendum principles allow.
        band = "band_d_incl_parish" if tier == "county" else "band_d_excl_parish"  # counties have no parishes
        previous = _inputs(store, code, year - 1, (band,))
        _require(previous, (band,), code, year - 1, measure)
        core, core_source = _parameter(tree, "council_tax.referendum.core_limit", year)
        params = [("council_tax.referendum.core_limit", core, core_source)]
        asc = 0.0
        cash = float("nan")
        if tier in SOCIAL_CARE_TIERS:
            asc, source = _parameter(tree, "council_tax.referendum.asc_limit", year)
            params.append(("council_tax.referendum.asc_limit", asc, source))
        elif tier == "shire_district":
            cash, source = _parameter(tree, "council_tax.referendum.shire_district_cash_limit", year)
            params.append(("council_tax.referendum.shire_district_cash_limit", cash, source))
            cash = float("nan") if cash is None else cash
        else:
            raise ExplainError(f"max_band_d covers councils only; {code} is a {tier}")
        result = council_tax.max_band_d_without_referendum(
            np.array([previous[band]]), core or 0.0, np.array([asc or 0.0]), np.array([cash]))[0]
        out = Explanation(code, name, year, measure,
                          "max_band_d = max(previous_band_d x (1 + core_limit + asc_limit), previous_band_d + cash_limit)",
                          "LGFA 1992 ss.52ZB-52ZC and the year's Referendums Relating to Council Tax Increases "
                          "(Principles) (England) Report",
                          [(f"{band} {year_label(year - 1)} (previous_band_d)", previous[band])],
                          params, result)
        now = _inputs(store, code, year, (band,))
        if band in now:
            out.published = (f"{band} {year_label(year)} (what the council set)", now[band])
        out.notes.append("a percentage principle is a threshold ('X% or more' is excessive): councils stay just below it")
        return out
    except ParameterError as exc:
        raise ExplainError(f"cannot explain {measure} for {code} in {year_label(year)}: {exc}") from None
    finally:
        if own:
            store.close()


def _derived(store, code: str, name: str, year: int, measure: str) -> Explanation:
    """A derived measure (``analysis/measures.yaml``): each component that applies in the year with
    its line and value as the store holds it, the signed sum, and what the definition leaves out."""
    from devolution.analysis import measures as derived

    item = derived.definition(measure)
    try:
        derived.require_held(measure)
    except DevolutionError as exc:
        raise ExplainError(str(exc)) from None
    if item.years is not None and not item.years[0] <= year <= item.years[1]:
        raise ExplainError(f"{measure} is defined for {item.years_label()}, not {year_label(year)}")
    applying = [c for c in item.components if c.applies(np.array([year]))[0]]
    rows = derived.observations(store, [c.measure for c in applying], years=[year])
    found = dict(zip(rows.loc[rows["code"] == code, "measure"], rows.loc[rows["code"] == code, "value"].astype(float)))
    _require(found, tuple(c.measure for c in applying), code, year, measure)
    inputs = [(f"{'+' if c.sign > 0 else '-'} {c.measure} ({c.publication}: {c.line})", found[c.measure]) for c in applying]
    result = float(sum(c.sign * found[c.measure] for c in applying))
    reference = item.method.references[0]
    out = Explanation(code, name, year, measure,
                      f"{measure} = " + " ".join(f"{'+' if c.sign > 0 else '-'} {c.measure}" for c in applying).lstrip("+ "),
                      f"{item.title}; follows {reference.title} ({reference.publisher}, {reference.date}), {reference.url}",
                      inputs, [], result)
    out.notes.append("income lines are negative in the returns, so they enter with a minus sign")
    out.notes += [f"not in {year_label(year)}: {c.measure} ({derived.span_label(c.years)})"
                  for c in item.components if c not in applying and c.years is not None]
    out.notes += [f"left out: {e.what}: {e.why}" for e in item.excluded]
    out.notes += [f"transfer ({t.treatment}): {t.name}: {t.how}" for t in item.transfers]
    return out
