"""``/api/change/{measure}``: how a measure changed between two years, by group or council by
council (ranked), as ``devo change`` computes it (``devolution.analysis.change``): JSON or CSV."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

from fastapi import APIRouter, Depends, Query

from devolution import api
from devolution.analysis.groupings import GROUPINGS
from devolution.web.formats import Format, Page, table
from devolution.web import served
from devolution.web.routers import PRICES, FinancialYear, data, measure_name, place_codes, price_base
from devolution.web.state import AppState
from devolution.years import year_label

router = APIRouter(tags=["change"])

Grouping = Enum("Grouping", {g: g for g in (*GROUPINGS, "place")}, type=str)
Per = Enum("Per", {p: p for p in ("resident", "child", "older", "looked_after_child", "total")}, type=str)


@router.get("/api/change/{measure}", summary="Change in a measure between two years, by group or council by council")
@served.by_address
def change(measure: str,
           first: Annotated[FinancialYear, Query(alias="from", ge=2000, le=2100,
                                                 description="First financial year: 2010, 2010-11 or 2010/11.")],
           last: Annotated[FinancialYear, Query(alias="to", ge=2000, le=2100, description="Last financial year.")],
           state: AppState = Depends(data), page: Page = Depends(),
           by: Grouping = Query(Grouping("england"), description="A grouping; places: the councils of `places` "
                                                       "against the rest; or place: every council area, ranked "
                                                       "(1 = the lowest change)."),
           places: Optional[str] = Query(None, max_length=2000, description="With by=places: councils (GSS codes "
                                         "or names), comma-separated, e.g. E06000001,Leeds."),
           per: Optional[Per] = Query(None, description="The denominator: the count of the spending year (resident "
                                                        "when left out; Band D is per Band D equivalent and "
                                                        "refuses another)."),
           region: Optional[str] = Query(None, max_length=60, description="With by=place: one region (name or E12 code)."),
           type: Optional[str] = Query(None, max_length=60, description="With by=place: one type of area, e.g. "
                                                                        "london_borough or \"Unitary authority\"."),
           top: Optional[int] = Query(None, ge=1, le=400, description="With by=place: ranks 1 to N (the lowest changes)."),
           bottom: Optional[int] = Query(None, ge=1, le=400, description="With by=place: the N highest ranks."),
           prices: str = PRICES, format: Format = Format.json):
    """Service spending like for like (``service_spending``) is the measure for cuts questions;
    ``/api/measures`` lists the others, derived ones with their formula. The response carries the
    title (naming the measure), unit, notes, councils left out and sources."""
    name = measure_name(state, measure)
    base = price_base(prices)
    codes = place_codes(state, places) if places else None
    frame = state.run(api.change, name, first, last, by.value, prices=base, per=per.value if per else None,
                      places=codes, region=region, type=type, top=top, bottom=bottom)
    meta = {key: frame.attrs[key] for key in ("title", "unit", "measure", "per", "by", "notes", "publications")}
    meta.update(first=year_label(first), last=year_label(last), left_out=frame.attrs["left_out"],
                england=frame.attrs.get("england"))
    return table(frame, format, page, meta=meta, filename=f"change_{name}_{first}_{last}")
