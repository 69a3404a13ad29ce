"""The API's documentation pages, `/docs` (Swagger UI) and `/redoc` (ReDoc), served with no CDN:
their script and style files come from the fastapi-offline package (which ships Swagger UI 5 and
ReDoc 2 as published on npm, MIT / Apache-2.0), the pages' own start-up code from
``static/api-docs.js`` (no inline script, so a Content-Security-Policy without 'unsafe-inline'
holds)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse
from devolution.web.templating import templates

router = APIRouter(include_in_schema=False)

#: The files of the fastapi-offline package the pages load (nothing else there is served).
VENDOR_FILES = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
                "redoc.standalone.js": "text/javascript"}


def vendor_directory() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


@router.get("/vendor/api-docs/{name}")
def vendor_file(name: str):
    if name not in VENDOR_FILES:
        raise HTTPException(404, f"no file {name[:60]!r} here (the API documentation's files: "
                                 f"{', '.join(VENDOR_FILES)})")
    return FileResponse(vendor_directory() / name, media_type=VENDOR_FILES[name],
                        headers={"Cache-Control": "public, max-age=86400"})


@router.get("/docs")
def swagger_page(request: Request):
    return templates.TemplateResponse(request, "api_docs.html", {"viewer": "swagger",
                                                                 "openapi": request.app.openapi_url})


@router.get("/redoc")
def redoc_page(request: Request):
    return templates.TemplateResponse(request, "api_docs.html", {"viewer": "redoc",
                                                                 "openapi": request.app.openapi_url})
