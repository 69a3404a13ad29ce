"""``devo explain CODE YEAR MEASURE``: how a figure is computed, with its inputs and parameters.

For one place and year: the rule (and the law or official method it follows), each input with its
value from the store, each parameter with its value and reference, the result, and the published
figure it is checked against where there is one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from devolution.errors import DevolutionError, ParameterError, PlaceError
from devolution.numbers import money, number
from devolution.places.register import in_force, not_in_being, successor_links, years_in_being
from devolution.places.tiers import COUNCIL_TIERS, TIER_LABELS
from devolution.rules.referendum import ASC_TIERS
from devolution.years import parse_year, year_label, year_spans


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
        out += [f"    {name} = {value:.2%}" if "(share" in name else f"    {name} = {_money(value)}"
                for name, value in self.inputs]
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
    """Two decimals, thousands separated, never "-0.00" (a difference that rounds to nothing)."""
    return number(value, 2) or "none"


# ------------------------------------------------------------------------------- measures

CSP_COMPONENTS = ("csp_settlement_funding_assessment", "csp_under_indexing", "csp_council_tax",
                  "csp_new_homes_bonus", "csp_new_homes_bonus_returned", "csp_rural_services_delivery_grant")
SOCIAL_CARE_TIERS = ASC_TIERS  # councils with adult social care functions (the precept's class)
MEASURES = ("band_d", "csp_total", "max_band_d")


def _inputs(store, code: str, year: int, measures: tuple[str, ...]) -> dict[str, float]:
    """``measures`` the store holds for ``code`` in ``year`` (a measure it lacks is absent). The
    year's rows for every place are read once per store (``Store.wide``): the web explains one
    place after another."""
    wide = store.wide(measures, year)
    if code not in wide.index:
        return {}
    return {measure: float(value) for measure, value in wide.loc[code].dropna().items()}


def _place(store, code: str) -> tuple[str, str]:
    def read(s) -> dict[str, tuple[str, str]]:
        places = s.places()
        return dict(zip(places["code"], zip(places["name"].astype(str), places["tier"].astype(str))))

    names = store.memo("explain.names", read)
    if code not in names:
        raise PlaceError(f"unknown place code {code!r} (see `devo places list`)")
    return names[code]


def _require(store, found: dict[str, float], names: tuple[str, ...], code: str, year: int, measure: str,
             name: str | None = None) -> None:
    """Every input in ``found``, or an error naming the ones missing and the years the place has them all."""
    missing = [n for n in names if n not in found]
    if missing:
        rows = store.observations(list(names))
        rows = rows[rows["code"] == code]
        held = rows.groupby("year")["measure"].nunique()
        years = held[held == len(set(names))].index
        place = f"{name} ({code})" if name else code
        raise ExplainError(f"cannot explain {measure} for {place} in {year_label(year)}: the store has no "
                           f"{', '.join(missing)} for that place and year (it has them for "
                           f"{year_spans(years) if len(years) else 'no year'})")


def _references(tree, path: str, year: int, code: str | None = None) -> str:
    """The references of a parameter that support ``year`` (and name ``code``, for a parameter
    of named councils), or all of them where none says so."""
    parameter = tree.parameter(path)
    label = year_label(year)
    chosen = [r for r in parameter.references if (label in r.supports or "onward" in r.supports)
              and (code is None or code in r.supports)]
    return "; ".join(str(r) for r in (chosen or parameter.references))


def _previous_band_d(store, code: str, name: str, tier: str, year: int) -> tuple[list[tuple[str, float]], float, list[str], bool]:
    """The amount the year's increase is measured from: inputs to show, the amount, notes, and
    whether ``year`` is the council's first.

    The council's published Band D for the year before; for a council in its first year, the
    comparison MHCLG printed on the council's own row for that year (requirement over tax base on
    the new area: the alternative notional amount), checked against the predecessors' notional
    Band D computed from the store (``analysis.predecessors``); where a published Band D is 0 or
    missing, the requirement over the tax base of that year (LGFA 1992 s.31B)."""
    from devolution.analysis import predecessors
    from devolution.rules import council_tax

    band = "band_d_incl_parish" if tier == "county" else "band_d_excl_parish"  # counties have no parishes
    before = year - 1
    found = _inputs(store, code, before, (band, "council_tax_requirement_excl_parish", "tax_base"))
    requirement, base = found.get("council_tax_requirement_excl_parish"), found.get("tax_base")
    printed = float(council_tax.band_d(np.array([requirement]), np.array([base]))[0]) \
        if requirement is not None and base is not None else float("nan")
    starts = predecessors.first_years(store.places())
    if code in starts.index and int(starts[code]) == year:
        area = predecessors.for_council(store, code)
        area = area[area["year"] == before]
        if area.empty and np.isnan(printed):
            raise ExplainError(f"cannot explain max_band_d for {name} ({code}) in {year_label(year)}: it began that year and "
                               f"the store has neither its predecessors' council tax for {year_label(before)} nor "
                               f"a published comparison for it")
        inputs, notes = [], [f"{name} ({code}) began in {year_label(year)}: its increase is measured from its predecessors' "
                             f"alternative notional amount for {year_label(before)} (LGFA 1992 s.52ZE), not from a "
                             f"Band D of its own (the statistics print {_money(found.get(band))} there)"]
        computed = float(area["notional_band_d"].iloc[0]) if not area.empty else float("nan")
        used = "published comparison" if not np.isnan(printed) else "notional_band_d"
        if not area.empty:
            row = area.iloc[0]
            inputs += [(f"predecessors' council_tax_requirement on the area {year_label(before)} ({row['predecessors']} "
                        f"and their county where it was abolished)", float(row["council_tax_requirement"])),
                       (f"predecessors' tax_base {year_label(before)}", float(row["tax_base"])),
                       (f"notional_band_d {year_label(before)} = requirement / tax_base"
                        + (" (previous_band_d)" if used == "notional_band_d" else ""), computed)]
        if used == "notional_band_d":
            return inputs, computed, notes, True
        inputs.append((f"published comparison {year_label(before)}: the council's own row, council_tax_requirement_excl_parish "
                       f"{_money(requirement)} / tax_base {_money(base)} (previous_band_d)", printed))
        if not np.isnan(computed) and abs(computed - printed) > predecessors.TOLERANCE:
            notes.append(f"the published comparison differs from the predecessors' amount by "
                         f"{_money(printed - computed)} per Band D: "
                         + predecessors.GAPS.get(code, "a function or precept moved at the reorganisation "
                                                       "(cause not established here)"))
        return inputs, printed, notes, True
    if band in found and found[band] > 0:
        return [(f"{band} {year_label(before)} (previous_band_d)", found[band])], found[band], [], False
    if not np.isnan(printed):
        return ([(f"council_tax_requirement_excl_parish / tax_base {year_label(before)} (previous_band_d)", printed)],
                printed, [f"the statistics print {_money(found.get(band))} as {band} for {year_label(before)}; the "
                          f"relevant basic amount is the requirement over the tax base (LGFA 1992 s.31B)"], False)
    raise ExplainError(f"cannot explain max_band_d for {name} ({code}) in {year_label(year)}: the store has no {band} "
                       f"(nor requirement and tax base) for {year_label(before)}, the year its increase is measured from")


def _asc_added(store, code: str, tier: str, years: list[int]) -> dict[int, float]:
    """The adult social care precept share the council (or, before it began, its predecessors on its
    area) added in each of ``years``: the precept over the tax base over the previous Band D."""
    from devolution.analysis import predecessors
    from devolution.rules import council_tax

    band = "band_d_incl_parish" if tier == "county" else "band_d_excl_parish"
    rows = store.observations(["adult_social_care_precept", "tax_base", band, "council_tax_requirement_excl_parish"],
                              years=sorted(set(years) | {y - 1 for y in years}))
    wide = rows[rows["code"] == code].pivot_table(index="year", columns="measure", values="value")
    area = predecessors.for_council(store, code).set_index("year")
    out = {}
    for y in years:
        own = wide.reindex([y, y - 1])
        if y in wide.index and (y - 1) in wide.index and own[band].iloc[1] > 0:
            precept, base, previous = (own.get("adult_social_care_precept", pd.Series([np.nan] * 2)).iloc[0],
                                       own["tax_base"].iloc[0], own[band].iloc[1])
        elif y in area.index and (y - 1) in area.index:
            precept, base = area.loc[y, "adult_social_care_precept"], area.loc[y, "tax_base"]
            previous = area.loc[y - 1, "notional_band_d"]
        else:
            precept = base = previous = np.nan
        out[y] = float(council_tax.asc_share_added(np.array([precept]), np.array([base]), np.array([previous]))[0])
    return out


def _max_band_d(store, tree, code: str, name: str, tier: str, year: int) -> Explanation:
    """Last year's Band D (or the predecessors' notional amount) raised by the most the year's
    principles allow this council: its class's, with a bespoke principle where it is named and the
    adult social care flexibilities that depend on earlier years."""
    from devolution.rules import referendum

    inputs, previous, notes, first_year = _previous_band_d(store, code, name, tier, year)
    history = None
    earlier, carried_from = referendum.needs_asc_history(tree, year)
    if tier in SOCIAL_CARE_TIERS and (earlier or carried_from is not None):
        if earlier and first_year:
            raise ExplainError(f"cannot explain max_band_d for {name} ({code}) in {year_label(year)}: it began that year, "
                               f"inside the adult social care precept's cap over {year_label(earlier[0])} to "
                               f"{year_label(year)}, and how its predecessors' precept counts against the cap on "
                               f"the new area (the year's Alternative Notional Amounts Report) is not modelled")
        added = _asc_added(store, code, tier, earlier + ([carried_from] if carried_from is not None else []))
        missing = [y for y, v in added.items() if np.isnan(v)]
        if missing:
            raise ExplainError(f"cannot explain max_band_d for {name} ({code}) in {year_label(year)}: the adult social care "
                               f"limit depends on the precept added in {', '.join(year_label(y) for y in missing)}, "
                               f"and the store has no adult_social_care_precept (or tax base, or previous Band D) "
                               f"for that place and year")
        inputs += [(f"adult social care precept added {year_label(y)} (share of the previous Band D)", v)
                   for y, v in sorted(added.items())]
        history = referendum.AscHistory(np.array([sum(added[y] for y in earlier)]),
                                        np.array([added.get(carried_from, 0.0) if carried_from else 0.0]))
    found = referendum.principles(tree, year, [code], [tier], history)
    params = []
    for path, value in found.used:
        if path == referendum.BY_COUNCIL:
            official = tree.parameter(path).councils[code]
            params.append((path, f"{value[code]} for {official} ({code})", _references(tree, path, year, code)))
            notes.append(f"a principle for this council applies in {year_label(year)}: {official} may add "
                         f"{value[code]:.2%} on top of the principles of its class")
        else:
            params.append((path, value, _references(tree, path, year)))
    if history is not None:
        notes.append(f"adult social care precept this year: up to {found.asc_limit[0]:.2%} after the limits "
                     f"that depend on earlier years")
    result = float(found.ceiling(np.array([previous]))[0])
    out = Explanation(code, name, year, "max_band_d",
                      "max_band_d = max(previous_band_d x (1 + core_limit + asc_limit + additional_limit), "
                      "previous_band_d + cash_limit)",
                      "LGFA 1992 ss.52ZB-52ZC and the year's Referendums Relating to Council Tax Increases "
                      "(Principles) (England) Report", inputs, params, result, notes=notes)
    band = "band_d_incl_parish" if tier == "county" else "band_d_excl_parish"
    now = _inputs(store, code, year, (band,))
    if now.get(band, 0) > 0:
        out.published = (f"{band} {year_label(year)} (what the council set)", now[band])
    if bool(found.percentage_binds(np.array([previous]))[0]):
        out.notes.append("a percentage principle is a threshold ('X% or more' is excessive): councils stay just below it")
    else:
        out.notes.append("the pounds alternative is the larger here ('more than £N' is excessive): the ceiling itself is allowed")
    return out


def not_in_force(places: pd.DataFrame, code: str, year: int) -> str:
    """Why a council has no figure in ``year`` and what to ask about instead: the register's
    sentence (:func:`~devolution.places.register.not_in_being`), the years it was in force, and the
    councils it replaced when asked about a year before it began."""
    day = pd.Timestamp(year=year, month=4, day=1)
    nearest, side = years_in_being(places, code, day)
    links = successor_links(places)
    replaced = places[places["code"].isin(links.loc[links["successor"] == code, "code"])] if side == "later" \
        else places.iloc[:0]
    named = ", ".join(f"{r.name} ({r.code})" for r in replaced.itertuples())
    return (f"{not_in_being(places, code, day)}; it was not a council in {year_label(year)}: ask about "
            f"{year_label(nearest)} or {side}" + (f", or about the councils it replaced: {named}" if named else ""))


def explain(code: str, year: int | str, measure: str, store=None, tree=None) -> Explanation:
    """Explain one figure; errors name what is unknown or missing."""
    from devolution import parameters
    from devolution.rules import spending_power
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
    who = code
    try:
        name, tier = _place(store, code)
        who = f"{name} ({code})"
        places = store.places()
        if tier in COUNCIL_TIERS and not bool(in_force(places[places["code"] == code], year).iloc[0]):
            # the official files print placeholder zeros on such rows (Aylesbury Vale's CSP in 2020-21,
            # Buckinghamshire's Band D in 2019-20): explained, they read as real £0 figures
            raise ExplainError(not_in_force(places, code, year))
        if derived.is_derived(measure):
            return _derived(store, code, name, year, measure)
        if measure == "band_d":
            return _band_d(store, code, name, tier, year)
        if measure == "csp_total":
            found = _inputs(store, code, year, CSP_COMPONENTS + ("csp_total",))
            _require(store, found, CSP_COMPONENTS[:1], code, year, measure, name)
            values = [np.array([found.get(c, 0.0)]) for c in CSP_COMPONENTS]
            result = spending_power.csp_total(*values)[0]
            out = Explanation(code, name, year, measure, "csp_total = " + " + ".join(CSP_COMPONENTS),
                              "MHCLG, Explanatory note on Core Spending Power (sum of the listed components)",
                              [(c, found.get(c, 0.0)) for c in CSP_COMPONENTS], [], result)
            if "csp_total" in found:
                out.published = ("csp_total", found["csp_total"])
            out.notes.append("the file holds six of the official CSP components, so this total is below the official CSP")
            return out
        if tier not in SOCIAL_CARE_TIERS + ("shire_district",):
            what = "the whole country" if tier == "england" else f"a {TIER_LABELS.get(tier, tier).lower()}"
            raise ExplainError(f"max_band_d covers councils only: {name} ({code}) is {what}, not a council")
        return _max_band_d(store, tree, code, name, tier, year)
    except ParameterError as exc:
        raise ExplainError(f"cannot explain {measure} for {who} in {year_label(year)}: {exc}") from None
    finally:
        if own:
            store.close()


def _band_d(store, code: str, name: str, tier: str, year: int) -> Explanation:
    """Band D = council tax requirement / tax base. A county has no parishes, so its requirement
    including parish precepts is its own: MHCLG's "Council Tax levels set by local authorities"
    leaves the excluding-parish column blank for precepting authorities from 2020-21, and the
    including-parish figures (the same amount) are used."""
    from devolution.analysis import predecessors
    from devolution.rules import council_tax

    suffix = "incl_parish" if tier == "county" else "excl_parish"
    names = (f"council_tax_requirement_{suffix}", "tax_base")
    found = _inputs(store, code, year, names + (f"band_d_{suffix}",))
    _require(store, found, names, code, year, "band_d", name)
    result = council_tax.band_d(np.array([found[names[0]]]), np.array([found[names[1]]]))[0]
    out = Explanation(code, name, year, "band_d", f"band_d = {names[0]} / tax_base",
                      council_tax.band_d.__doc__.split("(")[1].split(")")[0],
                      [(n, found[n]) for n in names], [], result)
    if f"band_d_{suffix}" in found:
        out.published = (f"band_d_{suffix}", found[f"band_d_{suffix}"])
        if abs(result - out.published[1]) >= predecessors.TOLERANCE:  # Band D is printed to the penny
            out.notes.append(f"the published Band D is not the published requirement over the published tax "
                             f"base (a gap of {money(abs(result - out.published[1]), 2)}): the official row does not "
                             f"agree with itself, so one of its three figures is in doubt")
    if tier == "county":
        out.notes.append("a county has no parishes: its council tax requirement including parish precepts is "
                         "its own (MHCLG leaves the excluding column blank for counties from 2020-21)")
    return out


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
    _require(store, found, tuple(c.measure for c in applying), code, year, measure, name)
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
