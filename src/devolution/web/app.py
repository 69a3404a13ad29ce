"""The FastAPI app: routers by area, templates, static files and error handling.

Bad input gets a 4xx with a message: FastAPI checks parameters (422), the project's own errors
become 400 (404 for an unknown place), and nothing else is allowed to leak as a traceback.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from devolution.errors import DevolutionError, PlaceError, StoreError
from devolution.web.security import Signer, TokenBucket
from devolution.web.state import AppState, Settings, vega_bundle
from devolution.web.submissions import Submissions

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))

DESCRIPTION = """Open data on English local government finance and devolution, from official
publications (MHCLG, ONS, DfE, HM Treasury). Every table is JSON (paged with `limit` and `offset`)
or CSV (`?format=csv` or a `.csv` suffix). Pages have a `.json` twin."""


def settings_from_env() -> Settings:
    """Settings from ``DEVOLUTION_STORE``, ``DEVOLUTION_SUBMISSIONS``, ``DEVOLUTION_RATE_LIMIT``
    (submissions, "capacity,per_second"), ``DEVOLUTION_SCENARIO_RATE`` (new scenario computations,
    "capacity,per_second") and ``DEVOLUTION_WARM`` ("1": start the scenario workers with the app)."""
    settings = Settings(store_path=Path(os.environ["DEVOLUTION_STORE"]) if os.environ.get("DEVOLUTION_STORE") else None)
    if os.environ.get("DEVOLUTION_SUBMISSIONS"):
        settings.submissions_path = Path(os.environ["DEVOLUTION_SUBMISSIONS"])
    if os.environ.get("DEVOLUTION_RATE_LIMIT"):
        capacity, _, rate = os.environ["DEVOLUTION_RATE_LIMIT"].partition(",")
        settings.rate_capacity, settings.rate_per_second = float(capacity), float(rate or 1)
    if os.environ.get("DEVOLUTION_SCENARIO_RATE"):
        capacity, _, rate = os.environ["DEVOLUTION_SCENARIO_RATE"].partition(",")
        settings.scenario_capacity, settings.scenario_per_second = float(capacity), float(rate or 1)
    settings.warm = os.environ.get("DEVOLUTION_WARM", "") == "1"
    return settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or settings_from_env()

    # No shutdown hook closes the store or the submissions file: every submission is committed when
    # acknowledged, and a test client's lifespan must not close an app other tests still use. The
    # scenario worker processes start with the app when ``settings.warm`` (``devo serve``) and are
    # stopped with it (a later run starts new ones).
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        from devolution.web.routers import scenarios as scenario_routes

        if settings.warm:
            scenario_routes.warm(app.state.data)
        yield
        await scenario_routes.shutdown(app.state.data)

    app = FastAPI(title="devolution", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # served without a CDN by routers/api_docs.py
    app.state.data = AppState(settings)
    app.state.submissions = Submissions(settings.submissions_path)
    app.state.signer = Signer(app.state.submissions.secret())
    app.state.bucket = TokenBucket(settings.rate_capacity, settings.rate_per_second)
    app.state.scenario_bucket = TokenBucket(settings.scenario_capacity, settings.scenario_per_second)

    from devolution.web.routers import (api_docs, budgets, change, claims, deals, maps, places, results, scenarios, search,
                                       series, settlement, simulator)

    for module in (maps, places, search, series, change, results, simulator, budgets, deals, settlement, scenarios, claims,
                   api_docs):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.get("/vendor/vega.js", include_in_schema=False)
    def vega_js() -> Response:
        return Response(vega_bundle(), media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})

    @app.exception_handler(DevolutionError)
    async def devolution_error(request: Request, exc: DevolutionError):
        status = 404 if isinstance(exc, PlaceError) else 400
        if isinstance(exc, StoreError):
            status = 503
        return _error(request, status, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":  # no route: say what was asked for
            where = request.url.path[:100]
            message = (f"there is no API route {where}: see /docs for the routes" if where.startswith("/api/")
                       else f"there is no page at {where}")
        return _error(request, exc.status_code, message, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        return _error(request, 422, f"invalid request: {problems}")

    return app


def _error(request: Request, status: int, message: str, headers=None):
    wants_html = "text/html" in request.headers.get("accept", "") and not request.url.path.startswith("/api/")
    if wants_html:
        return templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                          status_code=status, headers=headers)
    return JSONResponse({"error": message, "status": status}, status_code=status, headers=headers)


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Run the app with uvicorn (the store opened read-only)."""
    import uvicorn

    uvicorn.run("devolution.web.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning")
