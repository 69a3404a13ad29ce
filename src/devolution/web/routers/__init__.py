"""One router per area (maps, places, search, series, change, results, simulator, budgets, deals,
settlement, scenarios, claims, API docs), and what they share: the app's data, financial years and
places as the API takes them."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BeforeValidator
from starlette.concurrency import run_in_threadpool

from devolution.errors import DevolutionError, PlaceError
from devolution.web import served
from devolution.web.formats import declared_query, read_by_endpoint, takes
from devolution.web.state import AppState
from devolution.years import parse_year, year_label, year_spans


def _financial_year(value):
    """A query or path value as a financial year: ``2019``, ``2019-20`` and ``2019/20`` alike."""
    if value is None or isinstance(value, int):
        return value
    try:
        return parse_year(str(value)[:20])
    except DevolutionError as exc:
        raise ValueError(str(exc)) from None


#: A financial year as the API takes it everywhere: ``2019``, ``2019-20`` or ``2019/20`` (held as 2019).
FinancialYear = Annotated[int, BeforeValidator(_financial_year)]


def held_year(year: int, held, what: str) -> int:
    """``year`` if the data holds it, else a 404 naming the years it does hold."""
    held = sorted({int(y) for y in held})
    if year not in held:
        raise HTTPException(404, f"no {what} for {year_label(year) if 1000 <= year <= 9998 else year}: "
                                 f"the data holds {year_spans(held)}")
    return year


#: Query parameters a shared link may carry that no page reads (campaign tags, click ids): pages
#: ignore them; the API does not.
LINK_TAGS = ("fbclid", "gclid", "msclkid")


def _link_tag(name: str) -> bool:
    return name.startswith("utm_") or name in LINK_TAGS


async def only_declared_query(request: Request) -> None:
    """Every route refuses a query parameter it does not take (``/api/map/population?tier=xx``
    answered every row; ``/map.json?mesure=...`` the default measure): a 422 naming it and listing
    those the route takes, as JSON or, for a page asked for as HTML, as the error page. Pages let
    a link's campaign tags through (``utm_*``, ``fbclid``: ``LINK_TAGS``)."""
    route = request.scope.get("route")
    if route is None:
        return
    page = not request.url.path.startswith("/api/")
    given = [name for name, _ in request.query_params.multi_items() if not (page and _link_tag(name))]
    twice = [name for name in dict.fromkeys(given) if given.count(name) > 1]
    if twice:  # the last one won, silently (/search?q=Kent&q=Hull went to Hull)
        raise RequestValidationError([
            {"loc": ("query", name[:40]), "type": "repeated_parameter", "input": None,
             "msg": f"parameter {name[:40]!r} is given {given.count(name)} times: give it once"}
            for name in twice[:5]])
    unknown = [name for name in dict.fromkeys(given) if not takes(route, name)]
    if unknown:
        taken = declared_query(route)
        prefixes = read_by_endpoint(route)[1]
        listed = [*taken, *(f"{prefix}*" for prefix in prefixes)]
        what = f"takes {', '.join(listed)}" if listed else "takes no query parameters"
        raise RequestValidationError([
            {"loc": ("query", name[:40]), "type": "unknown_parameter", "input": None,
             "msg": f"unknown parameter {name[:40]!r}: {route.path} {what}"} for name in unknown[:5]])


async def data(request: Request) -> AppState:
    """The app's data (async: FastAPI calls it on the event loop, not through its thread pool)."""
    return request.app.state.data


def place_code(state: AppState, code: str, kind: str | None = None) -> str:
    """The GSS code of the place ``code`` names: a GSS code (current or former), an MHCLG E-code or
    a name in any official spelling, of ``kind`` if given (``council``, ``strategic_authority``,
    ``region``). A 404 says why none or several match, with the closest names."""
    try:
        return place_index(state).code(code[:120], kind)
    except PlaceError as exc:
        raise not_a_place(state, exc) from None


async def kept_code(state: AppState, kind: str, name: str, *rest) -> str:
    """The place under which the kept answer ``(kind, name, *rest)`` (:mod:`devolution.web.served`)
    is held: ``name`` itself when an answer is kept under it (a prepared page asked for by its code
    costs nothing), else the register's code for it (:func:`place_code`; 404 when it names none), so
    every spelling of a place (``kent``, ``Kent%20``, ``e10000016``) shares one kept copy and none can
    push the prepared pages out of the cache."""
    if state.peek(served.key(kind, name, *rest)) is not None:
        return name
    return await run_in_threadpool(place_code, state, name)


def place_codes(state: AppState, text: str) -> list[str]:
    """The GSS codes of a comma-separated list of places (``PlaceIndex.find_all``: "Bristol, City
    of" is one name); a 404 as :func:`place_code`."""
    try:
        return [str(row["code"]) for row in place_index(state).find_all(text[:2000])]
    except PlaceError as exc:
        raise not_a_place(state, exc) from None


def not_a_place(state: AppState, exc: PlaceError) -> HTTPException:
    """The 404 for a place the register does not know: its message, or, for a council of Wales,
    Scotland or Northern Ireland ("Cardiff"), a sentence saying so (``places.names.in_other_nations``
    over ONS's district codes, when the store holds them)."""
    from devolution.places.names import NoPlaceMatch, in_other_nations

    message = str(exc)
    if isinstance(exc, NoPlaceMatch) and exc.query:
        history = state.cached("lad_code_history", lambda s: s.table("lad_code_history")
                               if s.has_table("lad_code_history") else pd.DataFrame())
        message = in_other_nations(exc.query, history) or message
    return HTTPException(404, message)


def place_index(state: AppState):
    """The register's names and codes, indexed once while the app runs."""
    from devolution.places.names import PlaceIndex

    return state.cached("place_index", lambda _: PlaceIndex.of(state.places()))


def measure_name(state: AppState, measure: str) -> str:
    known = set(state.measures()["measure"])
    if measure not in known:
        raise HTTPException(404, f"unknown measure {measure[:60]!r}; see /api/measures for the {len(known)} held")
    return measure


PRICES = Query("cash", max_length=10, description="cash, or a financial year whose prices money is shown in "
                                                    "(real terms by HM Treasury's GDP deflator), e.g. 2024-25; "
                                                    "real: the latest year with a deflator.")


def price_base(prices_query: str) -> int | None:
    """The ``prices`` query as a financial year (None for cash); a 400 naming what is allowed."""
    from devolution.analysis.prices import deflator_years

    held = deflator_years()
    text = prices_query.strip().lower()
    if text == "cash":
        return None
    try:
        year = held[-1] if text == "real" else parse_year(text)
    except Exception:  # not a year the parser reads
        year = None
    if year not in held:
        raise HTTPException(400, f"prices: {prices_query[:20]!r} is not cash, real or a year with a GDP deflator "
                                 f"({year_spans(held)})")
    return year
