"""The England overview: Core Spending Power (2015-16 to 2020-21, cash) and service spending like
for like (2010-11 to 2024-25, in 2024-25 prices) per head, by council, region and type of council.
``METHOD`` states how (the report prints it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from devolution.analysis import measures as derived
from devolution.analysis import per_head, prices
from devolution.places.crosswalk import DRIVERS, crosswalk, reported_in_full, to_boundaries
from devolution.places.register import in_force
from devolution.places.tiers import BILLING_TIERS, COUNCIL_TIERS, TIER_LABELS
from devolution.years import year_label

METHOD = (
    "Every series is put on the councils of the boundary year (2023-24: the geography of the ONS "
    "population series) through the crosswalk, so a council merged since is compared like for like.",
    "A council enters a comparison only if it (and, after a merger, every council it was made of) has a "
    "value in both years; the rest are listed as left out. Groups sum money and population over the "
    "councils left in.",
    "Per head: ONS mid-year population of the same year, or the nearest within one year (mid-2011 for "
    "2010-11, mid-2023 for 2024-25). Each comparison says its price base: Core Spending Power in cash, as "
    "the settlement publishes it; service spending in 2024-25 prices (HM Treasury's GDP deflator), since "
    "fourteen years of cash would hide the inflation between them.",
    "Regions are seen by resident: each area's own council spending plus its share (by population) of "
    "its county's, so two-tier areas are counted once.",
    "CSP here is the total of the six components in the published extract (SFA, under-indexing "
    "compensation, council tax, New Homes Bonus and its returned funding, Rural Services Delivery Grant): "
    "below official CSP, which also counts social care grants.",
    "Service spending, like for like (service_spending): net current expenditure on services (Revenue "
    "Outturn line 699) less education, public health, police and fire, the measure for cuts questions: "
    "schools leaving for academies and public health arriving in 2013-14 are changes of responsibility, "
    "not of spending. See docs/measures.md.",
)

BOUNDARY_YEAR = 2023
POPULATION = "population"


@dataclass(frozen=True)
class Comparison:
    """A measure compared between two years."""

    measure: str
    label: str
    first: int
    last: int
    #: the financial year whose prices money is in (HM Treasury's GDP deflator); None for cash
    prices: int | None = None

    def unit(self) -> str:
        return "cash" if self.prices is None else f"{year_label(self.prices)} prices"


COMPARISONS = (
    Comparison("csp_total", "Core Spending Power (six listed components), cash", 2015, 2020),
    Comparison("service_spending", "Service spending, like for like, 2024-25 prices", 2010, 2024, prices=2024),
)


@dataclass
class Overview:
    councils: pd.DataFrame
    by_tier: pd.DataFrame
    by_region: pd.DataFrame
    left_out: pd.DataFrame
    comparisons: tuple[Comparison, ...]
    boundary_year: int
    notes: list[str] = field(default_factory=list)


def england_overview(store, comparisons: tuple[Comparison, ...] = COMPARISONS,
                     boundary_year: int = BOUNDARY_YEAR) -> Overview:
    places = store.places()
    walk = crosswalk(places, boundary_year, store.observations(list(DRIVERS)))
    population = store.observations(POPULATION)[["code", "year", "value"]]
    councils = places[in_force(places, boundary_year) & places["tier"].isin(COUNCIL_TIERS)]
    councils = councils[["code", "name", "tier", "region_code", "county_code"]].reset_index(drop=True)
    region_names = places.set_index("code")["name"]

    council_table = councils.assign(tier_label=councils["tier"].map(TIER_LABELS),
                                    region=councils["region_code"].map(region_names))
    left_out, tier_rows, region_rows = [], [], []
    for c in comparisons:
        money, reported = _on_boundaries(store, c, walk, places)
        complete = reported_in_full(reported, walk, places, set(councils["code"]), COUNCIL_TIERS)
        for code in sorted(set(councils["code"]) - complete):
            left_out.append({"measure": c.label, "code": code})
        panel = councils[councils["code"].isin(complete)]
        wide = _money_and_people(panel, money, population, c)
        for y in (c.first, c.last):
            money_y = wide[["code", f"money_{y}"]].rename(columns={f"money_{y}": "value"})
            rows, _ = per_head.per_resident(money_y, population, y)
            council_table[f"{c.measure}_{y}_per_head"] = council_table["code"].map(rows.set_index("code")["value"])
        council_table[f"{c.measure}_change_pct"] = 100 * (
            council_table[f"{c.measure}_{c.last}_per_head"] / council_table[f"{c.measure}_{c.first}_per_head"] - 1)
        tier_rows.append(_grouped(wide, "tier", c).assign(measure=c.label))
        region_rows.append(_by_region(panel, money, population, councils, c).assign(measure=c.label))

    by_tier = pd.concat(tier_rows, ignore_index=True)
    by_tier["group"] = by_tier["tier"].map(TIER_LABELS).fillna(by_tier["tier"])
    by_region = pd.concat(region_rows, ignore_index=True)
    by_region["group"] = by_region["region_code"].map(region_names).fillna("England")
    names = councils.set_index("code")["name"]
    left = pd.DataFrame(left_out, columns=["measure", "code"])
    left["name"] = left["code"].map(names)
    return Overview(councils=council_table, by_tier=by_tier, by_region=by_region, left_out=left,
                    comparisons=comparisons, boundary_year=boundary_year, notes=list(METHOD))


def _on_boundaries(store, c: Comparison, walk: pd.DataFrame,
                   places: pd.DataFrame) -> tuple[pd.DataFrame, dict[int, set[str]]]:
    """The measure on the boundary year's councils, and which councils reported in each year."""
    rows = derived.observations(store, c.measure, years=[c.first, c.last])[["code", "year", "value"]]
    rows = rows[rows["code"].isin(places.loc[places["tier"].isin(COUNCIL_TIERS), "code"])]
    reported = {y: set(rows.loc[rows["year"] == y, "code"]) for y in (c.first, c.last)}
    moved = to_boundaries(rows, walk)
    moved["value"] = prices.to_prices(moved["value"].to_numpy(), moved["year"].to_numpy(), c.prices)
    return moved, reported


def _money_and_people(panel: pd.DataFrame, money: pd.DataFrame, population: pd.DataFrame,
                      c: Comparison) -> pd.DataFrame:
    out = panel[["code", "tier", "region_code", "county_code"]].copy()
    for y in (c.first, c.last):
        m = money[money["year"] == y].set_index("code")["value"]
        p, _ = per_head.count_for(population, y)
        out[f"money_{y}"] = out["code"].map(m)
        out[f"people_{y}"] = out["code"].map(p)
    return out


def _grouped(wide: pd.DataFrame, by: str, c: Comparison) -> pd.DataFrame:
    sums = wide.groupby(by)[[f"{k}_{y}" for k in ("money", "people") for y in (c.first, c.last)]].sum()
    counts = wide.groupby(by).size()
    out = pd.DataFrame({
        "councils": counts,
        "per_head_first": per_head.per_unit(sums[f"money_{c.first}"], sums[f"people_{c.first}"]),
        "per_head_last": per_head.per_unit(sums[f"money_{c.last}"], sums[f"people_{c.last}"]),
    })
    out["change_pct"] = 100 * (out["per_head_last"] / out["per_head_first"] - 1)
    return out.reset_index().assign(first=year_label(c.first), last=year_label(c.last))


def _by_region(panel: pd.DataFrame, money: pd.DataFrame, population: pd.DataFrame,
               councils: pd.DataFrame, c: Comparison) -> pd.DataFrame:
    """Per resident: each billing area's spending plus its population share of its county's."""
    wide = _money_and_people(councils, money, population, c)
    areas = wide[wide["tier"].isin(BILLING_TIERS)].copy()
    counties = wide[wide["tier"] == "county"].set_index("code")
    complete = set(panel["code"])
    # An area is in only if it and its county (where it has one) are complete.
    areas = areas[areas["code"].isin(complete) & (areas["county_code"].isna() | areas["county_code"].isin(complete))]
    for y in (c.first, c.last):
        share = areas[f"people_{y}"] / areas["county_code"].map(counties[f"people_{y}"])
        county_money = areas["county_code"].map(counties[f"money_{y}"]) * share
        areas[f"money_{y}"] = areas[f"money_{y}"] + county_money.fillna(0.0)
    regions = _grouped(areas, "region_code", c)
    england = areas.assign(region_code="E92000001")
    return pd.concat([regions[regions["region_code"] != "E92000001"], _grouped(england, "region_code", c)],
                     ignore_index=True)
