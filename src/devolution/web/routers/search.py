"""The search box: ``/search?q=`` (a page, or straight to the place when the query names one) and
``/search.json?q=`` (its twin), through ``web.search.find_places``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse

from devolution.web import served
from devolution.web.routers import data
from devolution.web.search import find_places
from devolution.web.state import AppState
from devolution.web.templating import templates

router = APIRouter(tags=["places"])
QUERY = Query("", max_length=100, description="A GSS code, an E-code or a name (spelling may be loose).")


@router.get("/search.json", summary="Find a place by code or name (loose spelling); former councils "
                                    "with their successors")
@served.by_address
def search_json(q: str = QUERY, state: AppState = Depends(data)):
    return find_places(state.places(), q)


@router.get("/search", include_in_schema=False)
@served.by_address
def search_page(request: Request, q: str = QUERY, state: AppState = Depends(data)):
    found = find_places(state.places(), q)
    if found["exact"]:
        return RedirectResponse(found["results"][0]["url"], status_code=303)
    return templates.TemplateResponse(request, "search.html", {"found": found})
