"""Who lost most: a measure compared between two financial years, per head (or per unit of need),
in cash or real terms, on one year's boundaries, by group of places or place by place.

The measure is a line of a publication or a derived measure (``analysis.measures``); for "cuts"
questions the default is service spending like for like (``service_spending``), which leaves out
the services whose responsibility moved (education, public health) and police and fire.

Method (printed with each result, with the notes of the measure and the options applied):
- Every series is moved onto the councils in force in the boundary year through the crosswalk
  (mergers summed, splits shared by population or dwellings), so both years cover the same places.
- A council enters only if it, and every council it was made from, reported in both years; the
  rest are listed as left out, never filled in.
- Residents are counted once: each billing area (district, unitary, metropolitan district, London
  borough, City of London, Isles of Scilly) carries its own figure plus its population share of
  its county's. Groups and England sum money and counts over the areas left in. A line that is a
  charge per unit (Band D) is each area's own, with every precept in it (``lines.yaml``).
- The bodies a measure covers are its own definition's (``scope`` in ``measures.yaml`` or
  ``lines.yaml``), printed with it.
- A percentage change is shown only where the first-year value is a base it can be taken of
  (``change_places.percent_change``): not where it is zero, negative or tiny.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from devolution.analysis import measures as derived
from devolution.analysis import per_head, prices
from devolution.analysis.areas import on_boundaries
from devolution.analysis.change_places import (PLACE, by_place, check_place_options, no_percentage_note,
                                               percent_change, typical_base)
from devolution.analysis.groupings import assign
from devolution.errors import DevolutionError, PlaceError
from devolution.places.crosswalk import code_changes, missing_pieces, reported_in_full, to_boundaries
from devolution.places.register import among, not_in_being
from devolution.places.tiers import BILLING_TIERS, COUNCIL_TIERS
from devolution.store import open_store
from devolution.years import parse_year, year_label

BOUNDARY_YEAR = 2023
#: The lines of publications ``change`` compares, with their titles (``lines.yaml``).
MEASURES = {name: line.title for name, line in derived.lines().items()}
#: Notes printed with every result, whatever the measure.
GENERAL_NOTES = (
    "Every series is moved onto the councils in force in the boundary year through the crosswalk (mergers "
    "summed, splits shared by population or dwellings), so both years cover the same places.",
    "A council enters only if it, and every council it was made from, reported in both years; the rest are "
    "listed as left out, never filled in.",
)
WITH_COUNTY_NOTE = ("Residents are counted once: each billing area (district, unitary, metropolitan district, London "
                    "borough, City of London, Isles of Scilly) carries its own figure plus its population share of its "
                    "county's. Groups and England sum money and counts over the areas left in.")
#: Population as it is used when the denominator is not residents: to share a county among its districts.
POPULATION_SHARES = per_head.Denominator("resident", "population", "Population (to share a county's figures "
                                         "among its districts and weight groups)")
#: The measure "cuts" questions are asked of when none is named.
DEFAULT_MEASURE = "service_spending"


def measure_titles() -> dict[str, str]:
    """Every measure ``change`` accepts with its title: the derived measures held in full (the
    default first), then the lines of publications."""
    titles = {name: item.title for name, item in derived.definitions().items() if item.held}
    return {**titles, **MEASURES}


def change(measure: str, first: int | str, last: int | str, by: str = "england", *,
           prices: int | str | None = None, per: str | None = None, boundaries: int | str = BOUNDARY_YEAR,
           places: list[str] | None = None, top: int | None = None, bottom: int | None = None,
           region: str | None = None, type: str | None = None, store=None, parameters=None) -> pd.DataFrame:
    """The change in ``measure`` from ``first`` to ``last`` for each group and England, or (``by="place"``)
    for every council area. For cuts questions the measure is ``DEFAULT_MEASURE`` (service spending
    like for like), which ``devo change`` uses when none is named.

    The arguments are ``devo change``'s options: ``first``/``last`` (``--from``/``--to``) financial
    years (2010, "2010-11"); ``by`` a grouping (``analysis.groupings``) or "place"; ``prices`` the
    price base ("2024-25"; cash if None); ``per`` the denominator (``analysis.per_head``; None:
    per resident, or the one a line is given in, e.g. Band D per Band D equivalent, where any other
    is refused);
    ``boundaries`` the year whose councils every year is put on; ``places`` GSS codes for
    ``by="places"``; ``top``, ``bottom``, ``region``, ``type`` narrow a ``by="place"`` table.
    ``store``: the default store (read-only) if None; ``parameters``: a parameter tree (e.g. with
    other deflators, ``analysis.prices.with_deflators``).

    Returns one row per group (then England) with the per-unit values, the change in per cent,
    money and counts (``change_pct`` missing where the first value is no base for a percentage:
    zero, negative or tiny, said in the notes); ``.attrs`` holds ``notes`` (method, the measure's
    scope and the substitutions made), ``left_out`` (councils
    without a figure in one of the years), ``unit``, ``title`` and ``publications``. With
    ``by="place"``: one row per council area with its rank (1 = the lowest change), region, type and
    IMD 2019 decile, narrowed by ``region``, ``type``, ``top`` and ``bottom``
    (``analysis.change_places``); England's figures are in ``.attrs["england"]``.
    Errors: :class:`DevolutionError` naming the bad measure, year, grouping or option;
    :class:`PlaceError` for a place not in the register; :class:`StoreError` with no store.
    """
    check_place_options(by, top, bottom, region, type)
    if places and by != "places":
        raise DevolutionError(f"places (--places) picks the councils of by=places (--by places); "
                              f"it changes nothing with by={by}")
    with open_store(store) as s:
        return _change(s, measure, parse_year(first), parse_year(last), by, prices, per,
                       parse_year(boundaries), places, parameters, (top, bottom, region, type))


def _change(store, measure, first, last, by, base, per, boundaries, selected, tree, narrow=(None,) * 4) -> pd.DataFrame:
    titles = measure_titles()
    if measure not in titles:
        derived.require_held(measure)  # a derived measure not held in full: say why
        raise DevolutionError(f"unknown measure {measure!r}; expected one of {', '.join(titles)}")
    if last <= first:
        raise DevolutionError(f"to={year_label(last)} (--to) must be after from={year_label(first)} (--from)")
    line = derived.lines().get(measure)
    charge = line is not None and line.weighted_by is not None  # a charge per unit: each area's own
    unit = per_head.denominator(_per(measure, line, per))
    years = (first, last)
    notes = [*GENERAL_NOTES, line.method if charge else WITH_COUNTY_NOTE,
             f"{measure} covers: {' '.join((line.scope if line else derived.definition(measure).scope).split())}"]
    places_table, walk, _, _, _ = on_boundaries(store, boundaries)
    if selected:  # a former code (Gateshead's E08000020) is the council under the code it goes on under
        moved = code_changes(places_table)
        selected = [moved.get(code, code) for code in selected]
    tiers = BILLING_TIERS if charge else COUNCIL_TIERS
    rows, reported, complete, money = store.memo(("change.money", measure, years, boundaries),
                                                 lambda s: _money(s, measure, line, years, boundaries, tiers))

    if derived.is_derived(measure):
        item = derived.definition(measure)
        notes.append(f"{measure} = {item.expression()}"
                     + (f"; leaves out {'; '.join(e.what for e in item.excluded)}" if item.excluded else "")
                     + " (lines, reasons and transfers: `devo data measures`, docs/measures.md).")
    population, _ = _counts(store, "population", years, boundaries, notes,
                            unit if unit.measure == "population" else POPULATION_SHARES)
    counts = None
    if unit.measure is not None and unit.measure != "population":
        if not charge:  # (a charge's count is the tax base of exactly the rows whose charge is in the money)
            counts, _ = _counts(store, unit.measure, years, boundaries, notes, unit)
        if unit.vintage:
            notes.append(unit.vintage)
    wide, panel, left_out, no_count = store.memo(
        ("change.panel", measure, years, boundaries, unit.name),
        lambda s: _panel(s, years, boundaries, charge, unit, rows, complete, money, population, counts))
    if no_count:
        notes.append(no_count)
    panel = panel.copy()
    for y in years:
        panel[f"money_{y}"] = prices.to_prices(panel[f"money_{y}"].to_numpy(), np.full(len(panel), y), base, tree)
    if by == PLACE:
        table = by_place(panel, years, store, boundaries, notes, *narrow)
        return _finish(table, store, measure, unit, first, last, by, boundaries, base, tree, notes, left_out)
    if by == "places":
        _refuse_left_out(selected or [], panel.index, wide.index, boundaries, reported, walk, places_table, tiers)
    labels, order = assign(by, panel.reset_index(), panel["people_" + str(last)], store, boundaries, selected)
    typical = typical_base(per_head.per_unit(panel[f"money_{first}"], panel[f"count_{first}"]))
    table = _grouped(panel, panel.index.map(labels), years, order, typical)
    if by != "england":
        england = _grouped(panel, pd.Series("England", index=panel.index), years, ["England"], typical)
        table = pd.concat([table, england], ignore_index=True)
    note = no_percentage_note(table["group"], table["value_first"], typical, "groups")
    if note:
        notes.append(note)
    return _finish(table, store, measure, unit, first, last, by, boundaries, base, tree, notes, left_out)


def _refuse_left_out(selected, panel_codes, area_codes, boundaries: int, reported: dict[int, set[str]],
                     walk: pd.DataFrame, places: pd.DataFrame, tiers: tuple[str, ...]) -> None:
    """A council given to ``--places`` that is not in the comparison is refused with the real reason:
    not in being on the boundaries asked for, or not reported in full in a year compared (which
    council, or its county, published no figure then: :func:`missing_pieces`), or no count."""
    names = places.set_index("code")["name"]
    label = lambda c: f"{names.get(c, c)} ({c})"  # noqa: E731
    gaps = missing_pieces(reported, walk, places, tiers)
    county = places.set_index("code")["county_code"]
    for code in selected:
        if code in set(panel_codes) or code not in set(places["code"]):
            continue  # in the comparison, or not a place at all (groupings names it)
        if code not in set(area_codes):
            why = not_in_being(places, code, pd.Timestamp(year=boundaries, month=4, day=1)) or \
                f"{label(code)} is not a billing-tier area (district, unitary, metropolitan or London borough)"
            raise DevolutionError(f"places (--places): {why}, so it is not among the areas on {year_label(boundaries)} "
                                  f"boundaries (--boundaries)")
        own = gaps[gaps["to_code"].isin([code, county.get(code)])]
        if len(own):
            year = int(own["year"].iloc[0])
            lost = own.loc[own["year"] == year, "from_code"]
            raise DevolutionError(f"places (--places): {label(code)} is left out: not reported in full in "
                                  f"{year_label(year)} "
                                  f"({', '.join(map(label, sorted(set(lost))))} published no figure for it)")
        raise DevolutionError(f"places (--places): {label(code)} is left out: it has no count of the unit compared in a "
                              f"year compared")


def _finish(table, store, measure, unit, first, last, by, boundaries, base, tree, notes, left_out) -> pd.DataFrame:
    if unit.name == "total":  # totals, not an average per area
        table["value_first"], table["value_last"] = table["money_first_m"] * 1e6, table["money_last_m"] * 1e6
        notes.append("Totals (not per head): money is summed over the councils left in.")
    notes.append(f"Money in {prices.price_label(base)}." + (" " + prices.source_note(tree) if base is not None else ""))
    table.attrs.update(
        title=f"{measure_titles()[measure]}, {unit.label}, {year_label(first)} to {year_label(last)}",
        short=_short(measure), measure_note=_measure_note(measure),
        unit=f"{prices.price_label(base)} {unit.label}".replace(" total", ""),
        measure=measure, per=unit.name, by=by, boundaries=boundaries, prices=base, notes=notes,
        left_out=left_out.to_dict("records"),
        publications=sorted(set(_publications(store, [measure, "population", unit.measure or "population"]))))
    return table


def _per(measure: str, line, per: str | None) -> str:
    """The denominator asked for, or the measure's own: a line given per one unit (Band D per Band D
    equivalent) refuses any other, since it would have no effect."""
    if line is not None and line.per is not None:
        if per is not None and per != line.per:
            raise DevolutionError(f"--per {per}: {measure} ({line.title}) is a charge "
                                  f"{per_head.denominator(line.per).label} already, which --per cannot "
                                  f"change; leave --per out")
        return line.per
    return "resident" if per is None else per


def _measure_note(measure: str) -> str:
    """One sentence saying what the measure is, for a chart's subtitle."""
    if derived.is_derived(measure):
        return f"{derived.definition(measure).title}."
    return f"{MEASURES[measure]} ({measure})."


def _short(measure: str) -> str:
    """A measure's name short enough for a chart title."""
    if derived.is_derived(measure):
        return derived.definition(measure).short
    line = derived.lines()[measure]
    return line.short or line.title


def _money(store, measure: str, line, years: tuple[int, int], boundaries: int, tiers: tuple[str, ...]):
    """A measure's rows for the two years (``_money_rows``), the councils that reported each year,
    the councils of ``boundaries`` reported in full in both (made up, each year, of places of
    ``tiers`` that all reported), and the money moved onto them (code x year): what every
    comparison of the measure between those years on those boundaries starts from, so built
    once per store (``Store.memo``)."""
    places, walk, councils, _, council_codes = on_boundaries(store, boundaries)
    rows = _money_rows(store, measure, line, years, council_codes)
    reported = {y: set(rows.loc[rows["year"] == y, "code"]) for y in years}
    # An area's Band D is set by its billing council and already holds every precept (county's
    # included), so for Band D an area is complete when its billing councils reported (``tiers``):
    # a county replaced by unitaries (Cumbria, North Yorkshire, Somerset 2023) reports no area Band D itself.
    complete = reported_in_full(reported, walk, places, set(councils["code"]), tiers)
    money = _on(rows[["code", "year", "value"]], walk).pivot(index="code", columns="year", values="value")
    return rows, reported, complete, money


def _panel(store, years, boundaries, charge, unit, rows, complete, money, population, counts):
    """Every billing area of ``boundaries`` with its money (own plus its population share of its
    county's, but a charge's own only), people and count (``money_Y``, ``people_Y``, ``count_Y``
    in cash), the areas in the comparison (``panel``), those left out (``code, name``) and the note
    on areas left out for want of a count (or None): built once per store (``Store.memo``)."""
    _, walk, _, areas, _ = on_boundaries(store, boundaries)
    wide = areas.set_index("code")
    in_panel = among(wide.index, complete)
    if not charge:
        in_panel &= wide["county_code"].isna().to_numpy() | among(wide["county_code"], complete)
    counties = wide["county_code"]
    for y in years:
        own = wide.index.map(money[y]) if y in money else np.nan
        share = wide.index.map(population[y]) / counties.map(population[y])
        from_county = 0.0 if charge else (counties.map(money[y]) * share).fillna(0.0)
        wide[f"money_{y}"] = np.asarray(own, dtype=float) + np.asarray(from_county, dtype=float)
        wide[f"people_{y}"] = wide.index.map(population[y]).astype(float)
    if unit.measure is not None and unit.measure != "population":
        if charge:
            counts = {y: _on(rows.loc[rows["year"] == y, ["code", "year", "base"]].rename(columns={"base": "value"}),
                             walk).set_index("code")["value"] for y in years}
        for y in years:
            own = wide.index.map(counts[y]).astype(float)
            shared = counties.map(counts[y]).astype(float) * wide[f"people_{y}"] / counties.map(population[y])
            wide[f"count_{y}"] = np.where(np.isnan(own), shared, own)
    else:
        for y in years:
            wide[f"count_{y}"] = wide[f"people_{y}"] if unit.measure else 1.0
    left_out = wide.loc[~in_panel, ["name"]].reset_index().rename(columns={"index": "code"})
    panel = wide[in_panel].copy()
    missing_count = panel[[f"count_{y}" for y in years]].isna().any(axis=1)
    no_count = None
    if unit.measure is not None and missing_count.any():
        extra = panel.loc[missing_count, ["name"]].reset_index()
        no_count = (f"{int(missing_count.sum())} areas have no {unit.label} count and are left out: "
                    + ", ".join(extra["name"].head(8)) + ("…" if len(extra) > 8 else ""))
        left_out = pd.concat([left_out, extra], ignore_index=True)
        panel = panel[~missing_count]
    return wide, panel, left_out, no_count


def _money_rows(store, measure: str, line, years: tuple[int, int], council_codes: set[str]) -> pd.DataFrame:
    rows = derived.observations(store, measure, years=list(years))[["code", "year", "value"]]
    if line is not None and line.weighted_by is not None:
        base = store.observations(line.weighted_by, years=list(years))[["code", "year", "value"]]
        rows = rows.merge(base, on=["code", "year"], suffixes=("", "_base"))
        rows = rows.assign(value=rows["value"] * rows["value_base"], base=rows["value_base"])[
            ["code", "year", "value", "base"]]
    rows = rows[among(rows["code"], council_codes)]
    for y in years:
        if not (rows["year"] == y).any():
            raise DevolutionError(f"{measure} has no figures for {year_label(y)} "
                                  f"(years held: {derived.years_held(store, measure)})")
    return rows


def _on(rows: pd.DataFrame, walk: pd.DataFrame) -> pd.DataFrame:
    try:
        return to_boundaries(rows, walk)
    except PlaceError as exc:
        raise DevolutionError(f"{exc}; per-head figures use ONS population on 2023 boundaries, so use "
                              f"--boundaries 2023 or later") from None


def _counts(store, measure: str, years, boundaries: int, notes, unit):
    """A count on the boundary year's councils for each compared year (nearest year held)."""
    rows, held = store.memo(("change.count_rows", measure, boundaries), lambda s: _count_rows(s, measure, boundaries))
    out, used = {}, {}
    for y in years:
        used[y] = per_head.year_used(held, y, f"{measure} ({unit.label})")
        note = per_head.substitution_note(unit, y, used[y])
        if note:
            notes.append(note)
        out[y] = store.memo(("change.count", measure, used[y], boundaries), lambda s, year=used[y]: _on(
            rows[rows["year"] == year], on_boundaries(s, boundaries).walk).set_index("code")["value"])
    return out, used


def _count_rows(store, measure: str, boundaries: int) -> tuple[pd.DataFrame, list[int]]:
    """A count's rows for councils (``code, year, value``) and the years they are held."""
    rows = store.observations(measure)[["code", "year", "value"]]
    rows = rows[among(rows["code"], on_boundaries(store, boundaries).council_codes)]
    return rows, sorted(int(y) for y in rows["year"].unique())


def _grouped(panel: pd.DataFrame, group, years: tuple[int, int], order: list[str], typical: float) -> pd.DataFrame:
    """One row per group of ``order`` that has areas (``group``: each panel row's label)."""
    first, last = years
    columns = [f"{k}_{y}" for k in ("money", "count", "people") for y in years]
    grouped = panel.groupby(group, sort=False)
    sums = grouped[columns].sum()
    sums = sums.reindex([g for g in order if g in sums.index])
    value_first = per_head.per_unit(sums[f"money_{first}"], sums[f"count_{first}"])
    value_last = per_head.per_unit(sums[f"money_{last}"], sums[f"count_{last}"])
    return pd.DataFrame({
        "group": sums.index,
        "areas": grouped.size().reindex(sums.index).to_numpy(),
        "first": year_label(first), "value_first": value_first, "last": year_label(last), "value_last": value_last,
        "change_pct": percent_change(value_first, value_last, typical),
        "money_first_m": sums[f"money_{first}"].to_numpy() / 1e6,
        "money_last_m": sums[f"money_{last}"].to_numpy() / 1e6,
        "count_first": sums[f"count_{first}"].to_numpy(), "count_last": sums[f"count_{last}"].to_numpy(),
    })


def _publications(store, measures: list[str]) -> list[str]:
    table = store.memo("store.measures", lambda s: s.measures())
    out = table.loc[table["measure"].isin(measures), "publication"].dropna().tolist()
    return out + [p for m in measures for p in derived.publications(m)]
