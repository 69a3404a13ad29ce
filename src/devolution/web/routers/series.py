"""The open API for measures, series and the England overview (JSON or CSV, paged)."""

from __future__ import annotations

from enum import Enum
from typing import Optional

from fastapi import APIRouter, Depends, HTTPException, Query

from devolution import api
from devolution.analysis.prices import deflator_years, source_note, to_prices
from devolution.places.tiers import TIER_LABELS
from devolution.web.figures import additive
from devolution.web.formats import Format, Page, table
from devolution.web import served
from devolution.web.routers import PRICES, FinancialYear, data, held_year, measure_name, place_code, price_base
from devolution.web.state import AppState
from devolution.years import year_label, year_spans

router = APIRouter(tags=["series"])



class Grouping(str, Enum):
    none = "none"
    tier = "tier"
    region = "region"


class OverviewTable(str, Enum):
    councils = "councils"
    by_tier = "by_tier"
    by_region = "by_region"
    left_out = "left_out"


@router.get("/api/measures", summary="Every measure held, with its unit, years and publication")
@served.by_address
def measures(state: AppState = Depends(data), page: Page = Depends(), format: Format = Format.json):
    return table(state.measures(), format, page, filename="measures")


@router.get("/api/series/{measure}", summary="One measure for every place, by year (long form)")
@served.by_address
def series(measure: str, state: AppState = Depends(data), page: Page = Depends(),
           year: Optional[FinancialYear] = Query(None, ge=1990, le=2100, description=(
               "Only this financial year: 2024, 2024-25 or 2024/25 (404 with the years held if the data has none).")),
           boundaries: Optional[FinancialYear] = Query(None, ge=2009, le=2030,
                                                      description="Put every year on the places in force in this year."),
           tier: Optional[str] = Query(None, max_length=40, description="Only places of this tier."),
           region: Optional[str] = Query(None, max_length=80, description="Only places in this region (code or name)."),
           group: Grouping = Query(Grouping.none, description="Sum places by tier or region (additive units only)."),
           prices: str = PRICES, format: Format = Format.json):
    name = measure_name(state, measure)
    region = place_code(state, region, "region") if region is not None else None
    base = price_base(prices)
    key = ("series_response", name, year, boundaries, tier, region, group, base, format, page.limit, page.offset)
    return state.cached(key, lambda _: _series(state, name, year, boundaries, tier, region, group, base, format, page))


def _series(state, name, year, boundaries, tier, region, group, base, fmt, page):
    long = state.cached(("series", name, boundaries),
                        lambda s: api.series(name, boundaries=boundaries, wide=False, store=s))
    if tier is not None:
        if tier not in TIER_LABELS:
            raise HTTPException(422, f"unknown tier {tier!r}; expected one of {', '.join(TIER_LABELS)}")
        long = long[long["tier"] == tier]
    if region is not None:
        codes = set(state.places().loc[lambda p: p["region_code"] == region, "code"])
        long = long[long["code"].isin(codes)]
    if year is not None:
        long = long[long["year"] == held_year(year, long["year"], name)]
    unit = state.measures().set_index("measure").loc[name, "unit"]
    if group is not Grouping.none:
        if not additive(state, name):
            raise HTTPException(422, f"{name} is in {unit}, which does not add up across places: ask without group")
        key = "tier" if group is Grouping.tier else "region_code"
        with_key = long.merge(state.places()[["code", "region_code"]], on="code", how="left") if key == "region_code" else long
        long = (with_key.groupby([key, "year"], as_index=False)
                .agg(value=("value", "sum"), places=("code", "nunique")).rename(columns={key: group.value}))
    long = long.sort_values([c for c in ("code", "tier", "region", "year") if c in long.columns]).reset_index(drop=True)
    meta = {"measure": name, "unit": unit, "prices": "cash"}
    if base is not None and unit == "GBP":  # money in one year's prices: the years compare
        missing = set(long["year"].astype(int)) - set(deflator_years())
        if missing:
            raise HTTPException(400, f"prices: no GDP deflator for {year_spans(missing)} of {name}: ask for cash, "
                                     f"or one year at a time (year=) within {year_spans(deflator_years())}")
        long = long.assign(value=to_prices(long["value"].to_numpy(dtype=float), long["year"].to_numpy(), base))
        meta.update(prices=year_label(base), notes=[f"In {year_label(base)} prices. {source_note()}"])
    return table(long, fmt, page, meta=meta, filename=name)


@router.get("/api/overview", summary="The England overview: CSP and net current expenditure per head")
@served.by_address
def overview(state: AppState = Depends(data), page: Page = Depends(),
             part: OverviewTable = Query(OverviewTable.by_region, description="Which table of the overview."),
             format: Format = Format.json):
    result = state.cached("overview", lambda s: api.overview(store=s))
    frame = getattr(result, part.value)
    return table(frame, format, page, meta={"boundary_year": result.boundary_year, "notes": list(result.notes)},
                 filename=f"overview_{part.value}")

