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

Two ways of keeping: a route that answers for a place keeps its answer under the register's code
(:func:`served`, :func:`prepare`), so every spelling of the place shares one copy; every other route
whose answer depends on nothing but its address, the store and the day is marked :func:`by_address`,
and :class:`Kept` (ASGI middleware) keeps its answers by address and answers the next request for
that address before routing. What is prepared at start-up for each is in :mod:`devolution.web.warm`.
"""

from __future__ import annotations

import datetime as dt
import hmac
from urllib.parse import parse_qsl
from dataclasses import dataclass
from typing import Callable

from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from devolution.web.formats import takes
from devolution.web.state import AppState
from devolution.web.templating import templates


@dataclass(frozen=True)
class Served:
    """An answer's bytes and media type, as sent (and, when kept by :class:`Kept`, its status and
    every header the app set: a redirect's Location, a download's Content-Disposition)."""

    body: bytes
    media_type: str
    status: int = 200
    headers: tuple[tuple[bytes, bytes], ...] = ()

    def response(self) -> Response:
        return Response(self.body, media_type=self.media_type)


def by_address(endpoint):
    """Mark a route's endpoint as answering from its address, the store and the day alone (no
    cookie, token, header, submission or visitor in the answer): :class:`Kept` keeps its answers.
    The mark is on the function (a module-level set grew with every app's own closures)."""
    endpoint.by_address = True
    return endpoint


def is_by_address(endpoint) -> bool:
    """Whether ``endpoint`` is marked :func:`by_address`."""
    return getattr(endpoint, "by_address", False) is True


class Kept:
    """ASGI middleware: the GET answers (status below 400) of routes marked :func:`by_address`,
    kept as sent under their address (path and query) and the day, in the app's bounded cache; the
    same address asked again is answered from memory before routing. An address with a query
    parameter its route does not take, or one given twice, is not kept (a page ignores unknown
    parameters). An answer made for the start-up preparation (its request carries the app's
    ``prepare_secret`` in :data:`PREPARE_HEADER`) goes in the cache; one made for a visitor goes in
    a pool of its own (``AppState.keep_for_visitor``), so visitors asking many distinct addresses
    (every spelling of a place) push out none of the prepared answers. Sits inside
    :class:`devolution.web.middleware.Guard`, so a kept answer gets the security headers, and HEAD
    is answered as GET."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET":
            return await self.app(scope, receive, send)
        state: AppState = scope["app"].state.data
        address = key("address", scope["path"], scope.get("query_string", b""))
        found = state.peek(address)
        if found is not None:
            await send({"type": "http.response.start", "status": found.status, "headers": list(found.headers)})
            await send({"type": "http.response.body", "body": found.body, "more_body": False})
            return
        sent: dict = {"body": []}

        async def copy(message):
            if message["type"] == "http.response.start":
                sent["status"], sent["headers"] = message["status"], tuple(message.get("headers", ()))
            elif message["type"] == "http.response.body":
                sent["body"].append(message.get("body", b""))
                if not message.get("more_body", False) and _keeps(scope, sent.get("status", 500), sent["headers"]):
                    media = dict(sent["headers"]).get(b"content-type", b"").decode("latin-1")
                    answer = Served(b"".join(sent["body"]), media, sent["status"], sent["headers"])
                    if _preparing(scope):
                        state.keep(address, answer)
                    else:
                        state.keep_for_visitor(address, answer)
            await send(message)

        await self.app(scope, receive, copy)


#: The header of the start-up preparation's requests (web/warm.py), holding ``app.state.prepare_secret``.
PREPARE_HEADER = "x-devolution-prepare"


def _preparing(scope) -> bool:
    """Whether the request is the start-up preparation's (it knows the app's secret; a visitor cannot)."""
    secret = getattr(scope["app"].state, "prepare_secret", None)
    given = dict(scope.get("headers", ())).get(PREPARE_HEADER.encode(), b"")
    return bool(secret) and hmac.compare_digest(given, secret.encode())


def _keeps(scope, status: int, headers) -> bool:
    """Whether an answer may be kept by its address (:class:`Kept`)."""
    route = scope.get("route")
    if status >= 400 or route is None or not is_by_address(getattr(route, "endpoint", None)):
        return False
    if any(name.lower() == b"set-cookie" for name, _ in headers):
        return False
    names = [name for name, _ in parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)]
    return len(names) == len(set(names)) and all(takes(route, name) for name in names)


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
