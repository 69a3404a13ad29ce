"""Tables out of the API: JSON (with paging), CSV or Parquet (``?format=csv|parquet`` or a
``.csv`` / ``.parquet`` suffix; neither is paged)."""

from __future__ import annotations

import json
from enum import Enum

import pandas as pd
from fastapi import Query
from fastapi.responses import JSONResponse, Response

from devolution.exports import clean, parquet_bytes, records

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
        return Response(frame.to_csv(index=False), media_type="text/csv; charset=utf-8",
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


def split_suffix(name: str) -> tuple[str, Format | None]:
    """``"E06000001.csv"`` -> ``("E06000001", Format.csv)``; no suffix -> ``(name, None)``."""
    for fmt in Format:
        if name.endswith("." + fmt.value):
            return name[: -len(fmt.value) - 1], fmt
    return name, None
