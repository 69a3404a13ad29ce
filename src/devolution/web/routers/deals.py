"""Devolution deals and powers from ``devolution.powers``; 501 until it exists."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Query

from devolution.errors import PlaceError
from devolution.powers import catalogue, deals, timeline
from devolution.web.formats import Format, Page, table
from devolution.web import served
from devolution.web.routers import data
from devolution.web.state import AppState

router = APIRouter(tags=["deals"])


@router.get("/api/deals", summary="Devolution deals by place: date, powers, verified amounts, source")
@served.by_address
def deal_list(place: Optional[str] = Query(None, max_length=120, description=(
                  "A strategic authority, or a council in one (its authority's deals): GSS code, E-code or name.")),
              limit: int = Query(500, ge=1, le=5000), offset: int = Query(0, ge=0), format: Format = Format.json,
              state: AppState = Depends(data)):
    note = None
    if place is not None:
        from devolution.places.register import strategic_authority_for
        from devolution.web.routers import not_a_place, place_index

        try:
            found, note = strategic_authority_for(state.places(), place, place_index(state))
        except PlaceError as exc:
            raise not_a_place(state, exc) from None
        place = str(found["code"])
    return table(deals.table(place), format, Page(limit, offset), filename="deals",
                 meta={"place": place, "note": note} if place else None)


@router.get("/api/powers", summary="The catalogue of powers that can be devolved")
@served.by_address
def power_list(limit: int = Query(500, ge=1, le=5000), offset: int = Query(0, ge=0), format: Format = Format.json):
    return table(catalogue.table(), format, Page(limit, offset), filename="powers")


@router.get("/api/deals/timeline", summary="Deals by calendar year, and the share of England's population in a "
                                           "mayoral strategic authority on 30 June of each year")
@served.by_address
def deal_timeline(state: AppState = Depends(data), page: Page = Depends(), format: Format = Format.json):
    return table(timeline_frame(state), format, page, filename="deals_timeline")


def timeline_frame(state: AppState):
    """Deals by year with the mayoral share of England's population (cached; about 4 s to build,
    so ``devo serve`` prepares it: web/warm.py)."""
    from devolution.web.powers_view import register

    return state.cached("deals_timeline", lambda s: timeline.by_year(register(state), s.observations("population")))
