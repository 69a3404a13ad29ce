"""Pages kept as the bytes served (issue #20). A prepared page's document is cached
(``AppState.cached``), but rendering it again for every visitor (Jinja, or JSON encoding) costs
about 10 ms of CPU, so fifty visitors at once queue for half a second. So the answer itself is kept:
the HTML or JSON bytes, keyed by what the request asked for (the page, its ``.json`` twin, its tab)
and the day (as the place document is: readiness and deals are judged on the day), in the same
bounded cache as the documents; a hit is a dictionary look-up, answered on the event loop.

Only pages with nothing of the visitor in them are kept: no CSRF token, cookie, submitted form
value or "already submitted" flag (the simulator page's HTML and its ``.json`` twin carry those, so
only its ``/api/`` JSON is kept). Errors are never kept. The store is opened read-only and cannot
change while the app runs (a load needs the server stopped), so what is kept lasts while its day
does or until the cache's bytes push it out, like the documents it was made from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from devolution.web.state import AppState
from devolution.web.templating import templates


@dataclass(frozen=True)
class Served:
    """An answer's bytes and media type, as sent."""

    body: bytes
    media_type: str

    def response(self) -> Response:
        return Response(self.body, media_type=self.media_type)


def key(*parts) -> tuple:
    """The cache key of a kept page: what the request asked for, and today."""
    return ("served", *parts, dt.date.today().isoformat())


def render(template: str, context: dict) -> bytes:
    """A page's HTML, as ``templates.TemplateResponse`` renders it (a kept page's template must not
    read the request: it is rendered without one, e.g. by :mod:`devolution.web.warm`)."""
    return templates.get_template(template).render({"request": None, **context}).encode("utf-8")


def html_page(template: str, context: dict) -> Served:
    return Served(render(template, context), HTMLResponse.media_type)


def json_page(document) -> Served:
    """``document`` encoded exactly as FastAPI encodes a route's return value."""
    return Served(JSONResponse(jsonable_encoder(document)).body, JSONResponse.media_type)


def prepare(state: AppState, parts: tuple, make: Callable[[], Served]) -> Served:
    """The kept page ``parts`` (:func:`key`), made by ``make()`` and kept when not yet held."""
    found = state.peek(key(*parts))
    if found is None:
        found = make()
        state.keep(key(*parts), found)
    return found


async def served(state: AppState, parts: tuple, make: Callable[[], Served]) -> Response:
    """The response of the kept page ``parts``: from the cache on the event loop, else made (in
    the thread pool: a miss may build its document behind the cold-work gate) and kept."""
    found = state.peek(key(*parts))
    if found is None:
        found = await run_in_threadpool(prepare, state, parts, make)
    return found.response()
