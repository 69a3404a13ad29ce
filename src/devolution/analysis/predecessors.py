"""A new council's predecessors, and their council tax on the new council's area.

When councils are merged or a county is split (Dorset and Bournemouth, Christchurch and Poole 2019,
Buckinghamshire 2020, North and West Northamptonshire 2021, Cumberland, Westmorland and Furness,
North Yorkshire and Somerset 2023), the new council has no Band D of its own for the year before
it began: the council tax statistics print 0.00 or nothing there. Its first-year increase is judged
against its predecessors' "alternative notional amount" (LGFA 1992 s.52ZE): their council tax
requirement on the new area over their tax base there. Here that is built from the store:

- each predecessor billing council (district or unitary) whose ``replaced_by`` names the new council
  is one piece: its own requirement (excluding parish precepts) and tax base, plus its county's
  requirement on its area (the county's Band D times the district's tax base, since a county
  precept is the same Band D everywhere in the county) and likewise its county's adult social care
  precept;
- ``rules.council_tax.notional_band_d`` sums the pieces by new council.

Functions take the register (``places``) and long observations (``code, year, measure, value``) and
return DataFrames; ``for_council`` reads them from a store.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import yaml

from devolution.places.register import successor_links
from devolution.places.tiers import BILLING_TIERS
from devolution.rules.council_tax import band_d, notional_band_d
from devolution.years import financial_year_of

REQUIREMENT = "council_tax_requirement_excl_parish"
TAX_BASE = "tax_base"
COUNTY_BAND_D = "band_d_incl_parish"     # a county's precept Band D (counties have no parishes)
ASC_PRECEPT = "adult_social_care_precept"
MEASURES = (REQUIREMENT, TAX_BASE, COUNTY_BAND_D, ASC_PRECEPT, "band_d_excl_parish")

#: How close the predecessors' notional Band D comes to the comparison MHCLG printed on the new
#: council's row (£ per Band D): the inputs are printed to the pound (requirements) and to one or
#: two decimals (tax bases), which moves a Band D by well under half a penny.
TOLERANCE = 0.005

def _gaps() -> dict[str, dict]:
    """``notional_gaps.yaml``: code -> reason, county_wide, source (see that file)."""
    return yaml.safe_load(resources.files("devolution.analysis").joinpath("notional_gaps.yaml").read_text("utf-8"))


#: Known reasons the printed comparison differs from the predecessors' amount on the area (code -> text).
GAPS = {code: gap["reason"] for code, gap in _gaps().items()}
#: The gaps that are one element of the county's Band D, the same in every predecessor area.
COUNTY_WIDE_GAPS = frozenset(code for code, gap in _gaps().items() if gap["county_wide"])


def first_years(places: pd.DataFrame) -> pd.Series:
    """For each council that replaced others: the financial year it began (code -> start year)."""
    new = set(successor_links(places)["successor"])
    rows = places[places["code"].isin(new)].copy()
    start = pd.to_datetime(rows["start_date"], errors="coerce")
    years = financial_year_of(start).to_numpy()
    return pd.Series(years, index=rows["code"].to_numpy(), dtype="Int64").dropna().astype(int)


def pieces(places: pd.DataFrame, codes) -> pd.DataFrame:
    """The predecessor billing councils of each new council: ``successor, predecessor, county``.

    ``county`` is the predecessor's county where the new council took over the county's functions
    on that area (a unitary: its Band D includes what the county precepted there); it is empty
    where the new council is itself a district under a county that goes on (East Suffolk 2019)."""
    billing = places[places["tier"].isin(BILLING_TIERS)][["code", "county_code"]]
    target = billing.merge(successor_links(places), on="code")
    target = target[target["successor"].isin(list(codes))]
    tier = places.set_index("code")["tier"]
    target["county"] = target["county_code"].where(target["successor"].map(tier).ne("shire_district").to_numpy())
    return (target.rename(columns={"code": "predecessor"})[["successor", "predecessor", "county"]]
            .reset_index(drop=True))


def on_new_area(places: pd.DataFrame, observations: pd.DataFrame, codes) -> pd.DataFrame:
    """For each new council and each year its predecessors reported: their council tax requirement,
    tax base and adult social care precept on its area, and the notional Band D.

    Returns ``code, year, council_tax_requirement, tax_base, adult_social_care_precept,
    notional_band_d, predecessors`` (the predecessors that reported that year); a year in which a
    predecessor or its county has no figure gives NaN, never a partial sum."""
    return on_area(pieces(places, codes), observations)


def piece_amounts(parts: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    """Each piece's council tax on its own area in every year it reported: ``successor,
    predecessor, county, year, requirement`` (its own requirement excluding parish precepts plus its
    county's Band D times its tax base), ``tax_base``, ``asc`` (its own adult social care precept plus
    its county's share by tax base) and ``band_d`` (requirement over tax base: what a Band D
    dwelling there paid the predecessors, parish precepts apart). ``parts`` is :func:`pieces`'s
    table (or a proposal's, in the same columns); NaN where a figure is missing."""
    wide = observations.pivot_table(index=["code", "year"], columns="measure", values="value").reset_index()
    for m in MEASURES:
        if m not in wide:
            wide[m] = np.nan
    own = parts.merge(wide, left_on="predecessor", right_on="code", how="inner").drop(columns="code")
    county = wide.rename(columns={"code": "county", COUNTY_BAND_D: "county_band_d", TAX_BASE: "county_tax_base",
                                  ASC_PRECEPT: "county_asc"})[["county", "year", "county_band_d", "county_tax_base",
                                                              "county_asc"]]
    own = own.merge(county, on=["county", "year"], how="left")
    has_county = own["county"].notna()
    share = own[TAX_BASE]
    own["requirement"] = own[REQUIREMENT] + np.where(has_county, own["county_band_d"] * share, 0.0)
    own["asc"] = own[ASC_PRECEPT] + np.where(has_county, own["county_asc"] / own["county_tax_base"] * share, 0.0)
    own["band_d"] = band_d(own["requirement"].to_numpy(), own[TAX_BASE].to_numpy())
    return own[["successor", "predecessor", "county", "year", "requirement", TAX_BASE, "asc", "band_d"]]


def on_area(parts: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    """:func:`on_new_area` for any pieces: ``parts`` has ``successor, predecessor, county`` (a
    new council, a predecessor billing council, and its county where the new council takes over
    the county's functions there), from the register (:func:`pieces`) or from a proposal."""
    own = piece_amounts(parts, observations)
    order = {c: i for i, c in enumerate(sorted(set(parts["successor"])))}
    out = []
    for year, rows in own.groupby("year"):
        expected = parts.assign(year=year)
        complete = expected.groupby("successor")["predecessor"].apply(set)
        present = rows.dropna(subset=["requirement", TAX_BASE]).groupby("successor")["predecessor"].apply(set)
        codes_full = [c for c in complete.index if present.get(c, set()) == complete[c]]
        rows = rows[rows["successor"].isin(codes_full)]
        if rows.empty:
            continue
        index = rows["successor"].map(order).to_numpy()
        n = len(order)
        band = notional_band_d(rows["requirement"].to_numpy(), rows[TAX_BASE].to_numpy(), index, n)
        sums = rows.groupby("successor")[["requirement", TAX_BASE, "asc"]].sum(min_count=1)
        sums["asc"] = rows.groupby("successor")["asc"].apply(lambda s: s.sum() if s.notna().all() else np.nan)
        frame = sums.reset_index().rename(columns={"successor": "code", "requirement": "council_tax_requirement",
                                                   TAX_BASE: "tax_base", "asc": "adult_social_care_precept"})
        frame["notional_band_d"] = band[frame["code"].map(order).to_numpy()]
        frame["predecessors"] = frame["code"].map(lambda c: ", ".join(sorted(complete[c])))
        out.append(frame.assign(year=int(year)))
    columns = ["code", "year", "council_tax_requirement", "tax_base", "adult_social_care_precept",
               "notional_band_d", "predecessors"]
    if not out:
        return pd.DataFrame(columns=columns)
    return pd.concat(out, ignore_index=True)[columns].sort_values(["code", "year"]).reset_index(drop=True)


def notional_band_d_table(places: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    """Every new council in the register: its first year, its predecessors' notional Band D for the
    year before, the comparison MHCLG printed on the new council's own row for that year
    (requirement over tax base), and the Band D it set in its first year (the printed Band D, or the
    requirement over the tax base where the statistics print 0.00 or nothing).

    Columns ``code, first_year, notional_band_d, predecessors, published_comparison,
    first_year_band_d, increase``."""
    starts = first_years(places)
    area = on_new_area(places, observations, starts.index)
    wanted = pd.DataFrame({"code": starts.index, "first_year": starts.to_numpy()})
    before = wanted.assign(year=wanted["first_year"] - 1).merge(area, on=["code", "year"], how="left")
    wide = observations.pivot_table(index=["code", "year"], columns="measure", values="value")
    column = lambda m: wide[m] if m in wide else pd.Series(np.nan, index=wide.index)  # noqa: E731
    amount = band_d(column(REQUIREMENT).to_numpy(), column(TAX_BASE).to_numpy())
    printed = column("band_d_excl_parish").to_numpy()
    # Where the statistics print 0.00 or nothing, the Band D is the requirement over the tax base (s.31B).
    set_amount = pd.Series(np.where(printed > 0, printed, amount), index=wide.index)
    before["published_comparison"] = pd.Series(amount, index=wide.index).reindex(
        pd.MultiIndex.from_arrays([before["code"], before["year"]])).to_numpy()
    before["first_year_band_d"] = set_amount.reindex(
        pd.MultiIndex.from_arrays([before["code"], before["first_year"]])).to_numpy()
    before["increase"] = before["first_year_band_d"] / before["notional_band_d"] - 1
    return before[["code", "first_year", "notional_band_d", "predecessors", "published_comparison",
                   "first_year_band_d", "increase"]].sort_values("first_year").reset_index(drop=True)


def for_council(store, code: str) -> pd.DataFrame:
    """``on_new_area`` for one council, read from a store (every year its predecessors reported)."""
    places = store.places()
    parts = pieces(places, [code])
    involved = sorted(set(parts["predecessor"]) | set(parts["county"].dropna()))
    rows = store.observations(list(MEASURES))
    return on_new_area(places, rows[rows["code"].isin(involved)], [code])
