"""The API's documentation pages, `/docs` (Swagger UI) and `/redoc` (ReDoc), served with no CDN:
their script and style files come from the fastapi-offline package (which ships Swagger UI 5 and
ReDoc 2 as published on npm, MIT / Apache-2.0), the pages' own start-up code from
``static/api-docs.js`` (no inline script, so a Content-Security-Policy without 'unsafe-inline'
holds)."""

from __future__ import annotations

import functools
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response

from devolution.web import served
from devolution.web.templating import templates

router = APIRouter(include_in_schema=False)

#: The files of the fastapi-offline package the pages load (nothing else there is served).
VENDOR_FILES = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
                "redoc.standalone.js": "text/javascript"}


def vendor_directory() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


#: ReDoc draws its maker's logo from their CDN, which the pages' Content-Security-Policy blocks (an
#: error in the browser's console): the bundle is served with the logo's address made an empty
#: image, so nothing is asked of another server (the link "API docs by Redocly" stays).
REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
EMPTY_IMAGE = b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='0' height='0'/%3E"


@functools.lru_cache(maxsize=1)
def redoc_bundle() -> bytes:
    return (vendor_directory() / "redoc.standalone.js").read_bytes().replace(REDOC_LOGO, EMPTY_IMAGE)


@router.get("/vendor/api-docs/{name}")
@served.by_address
def vendor_file(name: str):
    if name not in VENDOR_FILES:
        raise HTTPException(404, f"no file {name[:60]!r} here (the API documentation's files: "
                                 f"{', '.join(VENDOR_FILES)})")
    headers = {"Cache-Control": "public, max-age=86400"}
    if name == "redoc.standalone.js":
        return Response(redoc_bundle(), media_type=VENDOR_FILES[name], headers=headers)
    return FileResponse(vendor_directory() / name, media_type=VENDOR_FILES[name], headers=headers)


@router.get("/docs")
@served.by_address
def swagger_page(request: Request):
    return templates.TemplateResponse(request, "api_docs.html", {"viewer": "swagger",
                                                                 "openapi": request.app.openapi_url})


@router.get("/redoc")
@served.by_address
def redoc_page(request: Request):
    return templates.TemplateResponse(request, "api_docs.html", {"viewer": "redoc",
                                                                 "openapi": request.app.openapi_url})
