"""Figures the pages show, fetched through the Python API: a measure for every place of the map's
boundaries in a year, in total or per resident (ONS mid-year population of the same year, or the
nearest year held: ``devolution.analysis.per_head.per_resident``, the division the England
overview and ``change`` use too), and a place's peers. No arithmetic here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from devolution import api
from devolution.analysis import per_head, prices
from devolution.analysis.overview import BOUNDARY_YEAR
from devolution.numbers import money, number
from devolution.places.crosswalk import to_boundaries_in_full
from devolution.places.register import in_force
from devolution.places.tiers import COUNCIL_TIERS
from devolution.web.state import AppState
from devolution.years import year_label

#: Units that make sense per resident (money and counts); others (Band D, rates, scores) are shown as held.
PER_HEAD_UNITS = {"GBP", "persons", "dwellings", "children"}


#: Money measures that are amounts per Band D dwelling (or mixed), so never divided by residents.
NOT_PER_HEAD = {"band_d_excl_parish", "band_d_incl_parish", "band_d_area_total", "adult_social_care_precept"}


ADDITIVE_UNITS = {"GBP", "persons", "dwellings", "children", "band_d_equivalents"}


def additive(state: AppState, measure: str) -> bool:
    """Whether the measure adds up over places (totals of money or counts)."""
    unit = state.measures().set_index("measure").loc[measure, "unit"]
    return unit in ADDITIVE_UNITS and measure not in NOT_PER_HEAD


def on_boundaries(state: AppState, measure: str) -> pd.DataFrame:
    """``code, name, tier, year, value`` for councils on the map's boundaries (BOUNDARY_YEAR, the
    way the England overview does it): merged councils summed, split ones shared out; a council
    missing (NaN) in a year when a place that made it up then has no figure (not reported in full)."""
    def build(store) -> pd.DataFrame:
        places = state.places()
        councils = set(places.loc[places["tier"].isin(COUNCIL_TIERS), "code"])
        long = api.series(measure, wide=False, store=store)
        long = long[long["code"].isin(councils)][["code", "year", "value"]]
        if not additive(state, measure):  # a rate or an amount per dwelling is not summed over merged places
            return long.merge(places[["code", "name", "tier"]], on="code", how="left")[
                ["code", "name", "tier", "year", "value"]]
        walk = state.cached(("crosswalk", BOUNDARY_YEAR), lambda s: api.crosswalk(BOUNDARY_YEAR, store=s))
        moved = to_boundaries_in_full(long, walk, places)
        return moved.merge(places[["code", "name", "tier"]], on="code", how="left")[
            ["code", "name", "tier", "year", "value"]]

    return state.cached(("on_boundaries", measure), build)


def years_of(state: AppState, measure: str) -> list[int]:
    return sorted(int(y) for y in on_boundaries(state, measure)["year"].unique())


def map_values(state: AppState, measure: str, year: int, per_resident: bool,
               with_county: bool = False, price_base: int | None = None) -> tuple[pd.DataFrame, dict]:
    """The measure in ``year`` for every place; ``meta`` says the unit, the prices and any
    substitution. ``with_county``: per resident, each shire district shows its own figure plus its
    county's (``analysis.per_head.with_county``), so two-tier areas compare with unitaries.
    ``price_base``: money in that financial year's prices (``analysis.prices``, HM Treasury's GDP
    deflator), so the years of the slider compare; cash when None."""
    unit = state.measures().set_index("measure").loc[measure, "unit"]
    rows = on_boundaries(state, measure)
    rows = rows[rows["year"] == year][["code", "name", "tier", "value"]].copy()
    meta = {"measure": measure, "year": year, "unit": unit, "per": "total", "prices": "cash", "notes": []}
    if price_base is not None and unit == "GBP":
        rows["value"] = prices.to_prices(rows["value"].to_numpy(dtype=float), np.full(len(rows), year), price_base)
        meta["prices"] = year_label(price_base)
        meta["notes"].append(f"In {year_label(price_base)} prices. {prices.source_note()}")
    elif price_base is not None:
        meta["notes"].append(f"Not money ({unit}): shown as held, prices do not apply.")
    if per_resident and unit in PER_HEAD_UNITS and additive(state, measure) and measure != "population":
        rows, used = per_head.per_resident(rows, on_boundaries(state, "population"), year)
        meta.update(per="resident", unit=f"{unit} per resident", population_year=used)
        note = per_head.substitution_note(per_head.DENOMINATORS["resident"], year, used)
        if note:
            meta["notes"].append(note)
        if with_county and unit == "GBP" and (rows["tier"] == "county").any():  # money the counties spend too
            rows = per_head.with_county(rows, state.places())
            meta.update(councils="all")
            meta["notes"].append("Shire districts show their own figure plus their county's per resident (the "
                                 "county's total over its residents), so every area counts all its councils.")
    if meta["per"] == "resident" or not additive(state, measure):  # a rate or a figure per resident
        rows, filled = county_figures(rows, state.places())
        if filled:
            meta["county_figures"] = filled
            meta["notes"].append(f"{filled} shire districts have no figure of their own (their county provides the "
                                 "service): each is coloured with its county's figure, named as such when you point at it.")
    elif (rows["tier"] == "county").any() and not rows.loc[rows["tier"] == "shire_district", "value"].notna().any():
        meta["notes"].append("Shire districts have no figure of their own (their county provides the service) and a "
                             "county's total cannot be split between them: choose per resident to colour them.")
    return rows.reset_index(drop=True), meta


def county_figures(rows: pd.DataFrame, places: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """For a county-level measure (one no shire district has a figure of, such as children looked
    after), each shire district on the map's boundaries takes its county's figure, marked in
    ``figure_of`` (the county's name) and in ``name``. ``rows`` has ``code, name, tier, value`` and
    may hold county rows. Returns the rows and how many districts were filled (0 when any district
    has a figure of its own: then a missing one is a council that did not report)."""
    if rows.loc[rows["tier"] == "shire_district", "value"].notna().any():
        return rows.assign(figure_of=None), 0
    on_map = places[in_force(places, BOUNDARY_YEAR) & (places["tier"] == "shire_district")]
    counties = rows[(rows["tier"] == "county") & rows["value"].notna()].set_index("code")["value"]
    has_own = set(rows.loc[rows["value"].notna(), "code"])
    gaps = on_map[~on_map["code"].isin(has_own) & on_map["county_code"].isin(counties.index)]
    if gaps.empty:
        return rows.assign(figure_of=None), 0
    county_names = places.set_index("code")["name"]
    filled = pd.DataFrame({"code": gaps["code"].to_numpy(), "tier": "shire_district",
                           "value": gaps["county_code"].map(counties).to_numpy(dtype=np.float64),
                           "figure_of": gaps["county_code"].map(county_names).to_numpy()})
    filled["name"] = gaps["name"].to_numpy() + " (" + filled["figure_of"] + " County Council's figure)"
    kept = rows[~rows["code"].isin(set(filled["code"]))].assign(figure_of=None)
    return pd.concat([kept, filled], ignore_index=True)[list(kept.columns)], len(filled)


#: Units of things counted whole (people, children, dwellings, ranks): shown without decimals.
WHOLE_UNITS = frozenset({"persons", "children", "dwellings", "rank"})


def figure(value: float | None, unit: str) -> str:
    """A value as the place page's table of latest figures shows it (its unit in the next column):
    money with the sign before £ (pence below £100), counts whole, others to 2 decimals below 1,000;
    nothing for a missing value, never "-0"."""
    if value is None or pd.isna(value):
        return ""
    if unit.startswith("GBP"):
        return money(value, 2 if abs(value) < 100 else 0)
    return number(value, 0 if unit in WHOLE_UNITS or abs(value) >= 1000 else 2)


def display(value: float | None, unit: str) -> str:
    if value is None or pd.isna(value):
        return "no figure"
    if unit.startswith("GBP"):
        return money(value, 2 if abs(value) < 100 else 0) + unit[3:]
    return f"{value:,.3g} {unit}" if abs(value) < 10 else f"{value:,.0f} {unit}"


def peers(state: AppState, code: str) -> pd.DataFrame:
    """Current places of the same tier and region as ``code`` (itself included)."""
    places = state.places()
    place = places.set_index("code").loc[code]
    same = places[(places["tier"] == place["tier"]) & (places["region_code"] == place["region_code"])
                  & places["current"].astype(bool)]
    return same[["code", "name", "tier"]].reset_index(drop=True)
