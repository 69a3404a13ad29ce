"""The England map: any measure (per resident where it is money or a count) by place, with a year
slider; clicking a place opens its page. ``/`` is the page, ``/map.json`` its twin."""

from __future__ import annotations

import json
from typing import Optional

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from devolution.errors import ParameterError
from devolution.exports import records
from devolution.web.figures import display, map_values, years_of
from devolution.web.formats import Format, Page, reads_query, table
from devolution.web import charts, served
from devolution.web.routers import PRICES, FinancialYear, data, held_year, measure_name, price_base
from devolution.web.state import AppState
from devolution.web.templating import templates
from devolution.years import year_label

router = APIRouter(tags=["map"])
DEFAULT_MEASURE = "nce_total_service_expenditure"


def map_document(state: AppState, measure: str, year: Optional[int], per_resident: bool,
                 councils: str = "own", prices: str = "cash") -> dict:
    base = price_base(prices)
    measure = measure_name(state, measure)
    years = years_of(state, measure)
    if not years:
        raise HTTPException(404, f"{measure} has no values on the map's boundaries")
    year = years[-1] if year is None else held_year(year, years, measure)
    try:
        rows, meta = map_values(state, measure, year, per_resident, with_county=councils == "all", price_base=base)
    except ParameterError:  # the year shown has no deflator
        raise HTTPException(400, f"prices: no GDP deflator for {year_label(year)}, so its figures cannot be shown in "
                                 f"{year_label(base)} prices: choose cash or another year") from None
    rows["display"] = [display(v, meta["unit"]) for v in rows["value"]]
    description = state.measures().set_index("measure").loc[measure, "description"]
    how = [w for w in ("per resident" if meta["per"] == "resident" else "",
                       f"{meta['prices']} prices" if meta["prices"] != "cash" else "") if w]
    title = f"{description}, {year_label(year)}" + (f" ({', '.join(how)})" if how else "")
    values = records(rows)
    return {**meta, "label": year_label(year), "years": years, "year_labels": [year_label(y) for y in years],
            "title": title, "values": values,
            "spec": charts.choropleth(values, title, meta["unit"], (description, year_label(year)), prices=meta["prices"])}


@router.get("/", include_in_schema=False)
@served.by_address
@reads_query("measure", "year", "per", "councils", "prices")  # by the page's script (static/app.js)
def map_page(request: Request, state: AppState = Depends(data)):
    measures = state.measures()
    return templates.TemplateResponse(request, "map.html", {
        "measures": measures[["measure", "description", "unit"]].to_dict("records"), "default": DEFAULT_MEASURE,
        "real_base": year_label(price_base("real"))})


@router.get("/map.json", summary="The map's data and Vega-Lite spec for a measure and year")
@served.by_address
def map_json(state: AppState = Depends(data),
             measure: str = Query(DEFAULT_MEASURE, max_length=80, description="A measure from /api/measures."),
             year: Optional[FinancialYear] = Query(None, ge=1990, le=2100, description="Financial year (2024, 2024-25 or 2024/25); latest if omitted."),
             per: str = Query("resident", pattern="^(resident|total)$", description="resident or total."),
             councils: str = Query("own", pattern="^(own|all)$", description="own: each council's own figure; all "
                                   "(per resident): shire districts add their county's."),
             prices: str = PRICES):
    return state.cached(("map_response", measure, year, per, councils, prices.strip().lower()),
                        lambda _: JSONResponse(map_document(state, measure, year, per == "resident", councils, prices)))


@router.get("/api/map/{measure}", summary="A measure for every place on the map's boundaries in a year")
@served.by_address
def map_table(measure: str, state: AppState = Depends(data), page: Page = Depends(),
              year: Optional[FinancialYear] = Query(None, ge=1990, le=2100),
              per: str = Query("resident", pattern="^(resident|total)$"),
              councils: str = Query("own", pattern="^(own|all)$"), prices: str = PRICES,
              format: Format = Format.json):
    document = map_document(state, measure, year, per == "resident", councils, prices)
    import pandas as pd

    frame = pd.DataFrame(document["values"])
    return table(frame, format, page, meta={k: document[k] for k in ("measure", "year", "unit", "per", "prices", "notes")},
                 filename=f"{measure}_{document['year']}")


def _signed_area(ring: list) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0, *_), (x1, y1, *_) in zip(ring, ring[1:] + ring[:1])) / 2


def clockwise(geometry: dict) -> dict:
    """Outer rings clockwise and holes anticlockwise, the winding d3-geo (Vega) expects; the
    official file follows RFC 7946 (the reverse), which d3 would draw as the whole globe."""
    def fix(polygon: list) -> list:
        return [ring if (_signed_area(ring) < 0) == (i == 0) else ring[::-1] for i, ring in enumerate(polygon)]

    if geometry.get("type") == "Polygon":
        return {**geometry, "coordinates": fix(geometry["coordinates"])}
    if geometry.get("type") == "MultiPolygon":
        return {**geometry, "coordinates": [fix(p) for p in geometry["coordinates"]]}
    return geometry


@router.get("/api/boundaries.geojson", summary="Boundaries of the places on the map (GeoJSON)")
@served.by_address
def boundaries(state: AppState = Depends(data)):
    def build(store) -> str:
        frame = store.table("boundaries")
        features = [{"type": "Feature", "properties": {"code": r.code, "name": r.name},
                     "geometry": clockwise(json.loads(r.geometry))} for r in frame.itertuples()]
        return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))

    return Response(state.cached("geojson", build), media_type="application/geo+json",
                    headers={"Cache-Control": "public, max-age=3600"})
