"""One router per area: maps, places, series, simulator, and the areas other packages fill
(budgets, deals, settlement, scenarios, claims), each answering 501 until its package exists."""

from __future__ import annotations

import importlib
import re

from fastapi import HTTPException, Request

from devolution.web.state import AppState

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
        raise HTTPException(404, f"not a place code: {code!r} (expected a GSS code such as E06000001)")
    if code not in set(state.places()["code"]):
        raise HTTPException(404, f"unknown place code {code!r} (see /api/places)")
    return code


def measure_name(state: AppState, measure: str) -> str:
    known = set(state.measures()["measure"])
    if measure not in known:
        raise HTTPException(404, f"unknown measure {measure[:60]!r}; see /api/measures for the {len(known)} held")
    return measure
