"""Tables out of the API: JSON (with paging), CSV or Parquet (``?format=csv|parquet`` or a
``.csv`` / ``.parquet`` / ``.json`` suffix on any table route, by ``TableSuffix``; CSV and Parquet
are not paged)."""

from __future__ import annotations

import json
from enum import Enum

import pandas as pd
from fastapi import HTTPException, Query
from fastapi.responses import JSONResponse, Response

from devolution.errors import DevolutionError
from devolution.exports import clean, parquet_bytes, records, without_negative_zero
from devolution.files import parse_yaml

MAX_LIMIT = 5000


class Format(str, Enum):
    json = "json"
    csv = "csv"
    parquet = "parquet"


PARQUET_TYPE = "application/vnd.apache.parquet"


class Page:
    """``limit`` and ``offset`` query parameters, checked by FastAPI (1..5000, 0 or more)."""

    def __init__(self, limit: int = Query(500, ge=1, le=MAX_LIMIT, description="Rows per page."),
                 offset: int = Query(0, ge=0, le=10_000_000, description="Rows to skip.")):
        self.limit, self.offset = limit, offset


def table(frame: pd.DataFrame, fmt: Format = Format.json, page: Page | None = None,
          meta: dict | None = None, filename: str = "table") -> Response:
    """One table as a paged JSON document, or a CSV or Parquet download (never paged; Parquet
    keeps the column types and carries ``meta`` in its schema's metadata)."""
    if fmt is Format.csv:
        return Response(without_negative_zero(frame).to_csv(index=False), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'inline; filename="{filename}.csv"'})
    if fmt is Format.parquet:
        return Response(parquet_bytes(frame, meta), media_type=PARQUET_TYPE,
                        headers={"Content-Disposition": f'attachment; filename="{filename}.parquet"'})
    total = len(frame)
    if page is not None:
        frame = frame.iloc[page.offset:page.offset + page.limit]
    body = {**(meta or {}), "total": total, "offset": page.offset if page else 0,
            "limit": page.limit if page else total, "rows": records(frame)}
    return JSONResponse(body)


def dumps(value) -> str:
    """JSON for embedding in a page (``</`` escaped so it cannot close a script tag)."""
    return json.dumps(value, default=clean).replace("</", "<\\/")


def takes_format(route) -> bool:
    """Whether a route answers a table in any ``Format`` (it has a ``format`` query parameter)."""
    from fastapi.routing import APIRoute

    return isinstance(route, APIRoute) and any(p.name == "format" for p in route.dependant.query_params)


class TableSuffix:
    """ASGI middleware: ``/api/X.csv``, ``.parquet`` or ``.json`` is ``/api/X?format=csv`` (...) for
    every table route (``takes_format``), so each has its twins without a route of its own. The
    suffix sets the format (a ``format`` in the query is replaced). Other paths pass unchanged."""

    def __init__(self, app, routes):
        self.app = app
        self.patterns = [route.path_regex for route in routes if takes_format(route)]

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            scope = self.rewritten(scope)
        await self.app(scope, receive, send)

    def rewritten(self, scope: dict) -> dict:
        path, fmt = split_suffix(scope["path"])
        if fmt is None or not any(p.match(path) for p in self.patterns):
            return scope
        from urllib.parse import parse_qsl, urlencode

        query = [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
                 if k != "format"]
        raw = scope.get("raw_path")
        suffix = f".{fmt.value}".encode()
        return {**scope, "path": path, "raw_path": raw[: -len(suffix)] if raw and raw.endswith(suffix) else raw,
                "query_string": urlencode([*query, ("format", fmt.value)]).encode("latin-1")}


def split_suffix(name: str) -> tuple[str, Format | None]:
    """``"E06000001.csv"`` -> ``("E06000001", Format.csv)``; no suffix -> ``(name, None)``."""
    for fmt in Format:
        if name.endswith("." + fmt.value):
            return name[: -len(fmt.value) - 1], fmt
    return name, None


#: Characters of YAML a form may paste (claims, reorganisation proposals).
MAX_YAML = 20_000


def pasted_yaml(text: str, what: str, deep: str = "") -> object:
    """YAML pasted into a form (``what`` names it in errors, e.g. "claims"), read safely: at most
    ``MAX_YAML`` characters, valid YAML, not nested past the loader's recursion (``deep`` says how
    deep the format goes), UTF-8 (a form's other bytes arrive as U+FFFD). Errors: ``HTTPException``
    422 naming ``what`` and the fault."""
    if len(text) > MAX_YAML:
        raise HTTPException(422, f"{what}: at most {MAX_YAML:,} characters of YAML (got {len(text):,})")
    if "\ufffd" in text:  # the form's bytes were not UTF-8 (the server decodes them with replacement)
        raise HTTPException(422, f"{what}: not UTF-8 text (a byte that is not UTF-8 at character "
                                 f"{text.index(chr(0xFFFD))}); paste or send it as UTF-8")
    try:
        return parse_yaml(text, what, deep=deep)
    except DevolutionError as exc:
        raise HTTPException(422, str(exc)) from None


def reads_query(*names: str, prefixes: tuple[str, ...] = ()):
    """Mark an endpoint that reads query parameters from ``request.query_params`` itself (the
    reorganisation page's knobs, ``driver.SERVICE``), so they count as declared (:func:`takes`)."""
    def mark(endpoint):
        endpoint.reads_query = (names, prefixes)
        return endpoint
    return mark


def declared_query(route) -> tuple[str, ...]:
    """The query parameters a route declares, its dependencies' included (``limit``, ``offset``
    of a ``Page``) and those its endpoint reads itself (:func:`reads_query`), by the name they are
    given in the URL; worked out once and kept on the route."""
    taken = getattr(route, "_query_parameters", None)
    if taken is None:
        names, stack = set(read_by_endpoint(route)[0]), [route.dependant]
        while stack:
            dependant = stack.pop()
            names.update(field.alias for field in dependant.query_params)
            stack.extend(dependant.dependencies)
        taken = route._query_parameters = tuple(sorted(names))
    return taken


def takes(route, name: str) -> bool:
    """Whether ``route`` reads the query parameter ``name`` (declared, or under a prefix its endpoint
    reads, such as ``driver.``)."""
    return name in declared_query(route) or any(name.startswith(prefix) for prefix in read_by_endpoint(route)[1])


def read_by_endpoint(route) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(names, prefixes) of the query parameters ``route``'s endpoint reads itself (:func:`reads_query`)."""
    return getattr(route.endpoint, "reads_query", ((), ()))
