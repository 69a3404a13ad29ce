"""One router per area: maps, places, series, simulator, and the areas other packages fill
(budgets, deals, settlement, scenarios, claims), each answering 501 until its package exists."""

from __future__ import annotations

import importlib
import re

from fastapi import HTTPException, Query, Request

from devolution.web.state import AppState
from devolution.years import parse_year, year_spans

CODE = re.compile(r"^E\d{8}$")


async def data(request: Request) -> AppState:
    """The app's data (async: FastAPI calls it on the event loop, not through its thread pool)."""
    return request.app.state.data


def optional(module: str):
    """The module if its package exists, else None (the router then answers 501)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def not_yet(what: str, module: str) -> HTTPException:
    return HTTPException(501, f"{what} is not available yet: it needs {module}, which this installation does not have")


def place_code(state: AppState, code: str) -> str:
    """A current or former place's GSS code, checked (404 names the code)."""
    if not CODE.match(code):
        raise HTTPException(404, f"not a place code: {code[:40]!r} (expected a GSS code such as E06000001)")
    if code not in set(state.places()["code"]):
        raise HTTPException(404, f"unknown place code {code!r} (see /api/places)")
    return code


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
