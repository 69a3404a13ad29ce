"""The FastAPI app: routers by area, templates, static files, the request guard and error handling.

Bad input gets a 4xx with a message: FastAPI checks parameters (422, every problem listed with
where it is), the project's own errors become 400 (404 for an unknown place), and nothing else is
allowed to leak as a traceback. Every answer carries the security headers and every body is
bounded (:mod:`devolution.web.middleware`). A database that is down is a 503 that names nothing
of it (the operator's log has the detail, passwords redacted); a store busy with other requests'
cold work is a 503 with Retry-After (:class:`devolution.web.state.ColdWork`).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import secrets
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from devolution.errors import DevolutionError, PlaceError, StoreError
from devolution.web import served, warm
from devolution.web.formats import TableSuffix
from devolution.web.middleware import Guard
from devolution.web.redaction import DB_URL_ENV
from devolution.web.routers import (api_docs, budgets, change, claims, deals, maps, only_declared_query, places,
                                    reorganisation, results, scenarios, search, series, settlement, simulator)
from devolution.web.security import Lockout, Signer, TokenBucket
from devolution.web.state import AppState, Busy, Settings, vega_bundle
from devolution.web.submissions import SubmissionStore, SubmissionsUnavailable
from devolution.web.submissions_postgres import PostgresSubmissions
from devolution.web.submissions_sqlite import SqliteSubmissions
from devolution.web.templating import templates

HERE = Path(__file__).parent
log = logging.getLogger("devolution.web")

DESCRIPTION = """Open data on English local government finance and devolution, from official
publications (MHCLG, ONS, DfE, HM Treasury). Every table is JSON (paged with `limit` and `offset`)
or CSV (`?format=csv` or a `.csv` suffix). Pages have a `.json` twin."""


def settings_from_env() -> Settings:
    """Settings from ``DEVOLUTION_STORE``, ``DEVOLUTION_SUBMISSIONS``, ``DEVOLUTION_RATE_LIMIT``
    (submissions, "capacity,per_second"), ``DEVOLUTION_SUBMISSIONS_PER_ADDRESS`` (budgets one
    address may send for one council), ``DEVOLUTION_SCENARIO_RATE`` (new scenario computations,
    "capacity,per_second"), ``DEVOLUTION_FORWARDED_ALLOW_IPS`` (proxies trusted with
    X-Forwarded-For; none by default), ``DEVOLUTION_WARM`` ("1": start the scenario workers
    with the app) and ``DEVOLUTION_WARM_PAGES`` ("1": build every current place's pages at start-up). A value that is not a number is refused naming the variable."""
    env = os.environ
    settings = Settings(store_path=Path(env["DEVOLUTION_STORE"]) if env.get("DEVOLUTION_STORE") else None)
    if env.get("DEVOLUTION_SUBMISSIONS"):
        settings.submissions_path = Path(env["DEVOLUTION_SUBMISSIONS"])
    if env.get("DEVOLUTION_RATE_LIMIT"):
        settings.rate_capacity, settings.rate_per_second = _rate("DEVOLUTION_RATE_LIMIT")
    if env.get("DEVOLUTION_SCENARIO_RATE"):
        settings.scenario_capacity, settings.scenario_per_second = _rate("DEVOLUTION_SCENARIO_RATE")
    if env.get("DEVOLUTION_SUBMISSIONS_PER_ADDRESS"):
        settings.submissions_per_address = int(_number("DEVOLUTION_SUBMISSIONS_PER_ADDRESS",
                                                       env["DEVOLUTION_SUBMISSIONS_PER_ADDRESS"], whole=True))
    settings.forwarded_allow_ips = env.get("DEVOLUTION_FORWARDED_ALLOW_IPS", "").strip()
    settings.warm = env.get("DEVOLUTION_WARM", "") == "1"
    settings.warm_pages = env.get("DEVOLUTION_WARM_PAGES", "") == "1"
    return settings


def _number(name: str, text: str, whole: bool = False) -> float:
    """A number in the setting ``name``: at least 0, or a whole number from 1 when ``whole``."""
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        value = math.nan
    if not value >= (1 if whole else 0) or math.isinf(value):
        raise DevolutionError(f"{name}={os.environ[name]!r}: expected {'a whole number from 1' if whole else 'numbers from 0'}")
    return value


def _rate(name: str) -> tuple[float, float]:
    """``capacity,per_second`` in the setting ``name`` (per_second 1 when left out)."""
    capacity, _, rate = os.environ[name].partition(",")
    return _number(name, capacity), _number(name, rate or "1")


def open_submissions(path: Path | str | None = None, url: str | None = None) -> SubmissionStore:
    """The residents' submissions: PostgreSQL when ``url`` (default: ``DEVOLUTION_DB_URL``) is set,
    else the SQLite file at ``path`` (``submissions.sqlite`` if None). Errors: ``SubmissionsUnavailable``
    (a ``StoreError``) when the database cannot be reached, naming its URL without the password."""
    url = os.environ.get(DB_URL_ENV, "") if url is None else url
    return PostgresSubmissions(url) if url else SqliteSubmissions(path)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or settings_from_env()

    # No shutdown hook closes the store or the submissions file: every submission is committed when
    # acknowledged, and a test client's lifespan must not close an app other tests still use. The
    # scenario worker processes start with the app when ``settings.warm`` (``devo serve``) and are
    # stopped with it (a later run starts new ones).
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        if settings.warm:
            scenarios.warm(app.state.data)
        pages = None
        if settings.warm_pages:  # what pages share is built before the server says it is ready
            seconds = await run_in_threadpool(warm.shared_parts, app)
            log.info("ready: shared parts of the pages built in %.1f s; the places' pages are being made "
                     "in the background", seconds)
            pages = warm.start(app)
        yield
        if pages:
            pages[1].set()
        await scenarios.shutdown(app.state.data)

    app = FastAPI(title="devolution", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # served without a CDN by routers/api_docs.py
                  dependencies=[Depends(only_declared_query)])
    app.add_middleware(served.Kept)  # inside Guard: kept answers get its headers (web/served.py)
    app.add_middleware(Guard, max_body=settings.max_body)
    app.state.data = AppState(settings)
    app.state.prepare_secret = secrets.token_hex(16)  # the start-up preparation's requests (web/served.py)
    app.state.submissions = open_submissions(settings.submissions_path)
    app.state.signer = Signer(app.state.submissions.secret())
    app.state.bucket = TokenBucket(settings.rate_capacity, settings.rate_per_second)
    app.state.scenario_bucket = TokenBucket(settings.scenario_capacity, settings.scenario_per_second)
    app.state.lockout = Lockout()

    routers = (maps, places, search, series, change, results, simulator, budgets, deals, settlement, scenarios, claims,
               reorganisation, api_docs)
    for module in routers:
        app.include_router(module.router)
    app.add_middleware(TableSuffix, routes=[route for module in routers for route in module.router.routes])
    for route in app.router.routes:  # FastAPI's own OpenAPI document is the same for every visitor
        if getattr(route, "path", None) == app.openapi_url:
            served.by_address(route.endpoint)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.get("/vendor/vega.js", include_in_schema=False)
    @served.by_address
    def vega_js() -> Response:
        return Response(vega_bundle(), media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})

    # Every route with its endpoint, the routers' and the app's own (the start-up preparation
    # derives the site's addresses from them: web/warm.py).
    app.state.routes = [*(route for module in routers for route in module.router.routes),
                        *(route for route in app.router.routes if hasattr(route, "endpoint"))]

    @app.exception_handler(DevolutionError)
    async def devolution_error(request: Request, exc: DevolutionError):
        if isinstance(exc, SubmissionsUnavailable):  # the detail names the database: the log only
            log.warning("%s %s: %s", request.method, request.url.path, exc)
            return _error(request, 503, exc.public, {"Retry-After": "30"})
        status = 404 if isinstance(exc, PlaceError) else 400
        if isinstance(exc, StoreError):
            status = 503
        return _error(request, status, str(exc))

    @app.exception_handler(Busy)
    async def busy(request: Request, exc: Busy):
        log.info("%s %s refused: the store is busy (%s)", request.method, request.url.path, exc)
        return _error(request, 503, "the server is busy preparing other pages: try again in a few seconds",
                      {"Retry-After": str(exc.retry_after)})

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
        problems = [{"path": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        listed = "; ".join(f"{p['path']}: {p['message']}" for p in problems[:5])
        return _error(request, 422, f"invalid request: {listed}", problems=problems[:20])

    return app


def _error(request: Request, status: int, message: str, headers=None, problems: list | None = None):
    wants_html = "text/html" in request.headers.get("accept", "") and not request.url.path.startswith("/api/")
    if wants_html:
        return templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                          status_code=status, headers=headers)
    body = {"error": message, "status": status, **({"problems": problems} if problems else {})}
    return JSONResponse(body, status_code=status, headers=headers)


def uvicorn_options(settings: Settings) -> dict:
    """How ``devo serve`` runs uvicorn: forwarded headers (X-Forwarded-For, -Proto) trusted only
    from the proxies in ``settings.forwarded_allow_ips``, and not at all when it is empty (uvicorn
    alone would trust them from 127.0.0.1, so any local client could choose its address); log lines
    redacted (:mod:`devolution.web.redaction`); no ``server`` header."""
    from devolution.web.redaction import log_config

    trusted = settings.forwarded_allow_ips
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted or None, "server_header": False,
            "log_config": log_config(), "log_level": "warning"}


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Run the app with uvicorn (the store opened read-only), as :func:`uvicorn_options` says."""
    import uvicorn

    uvicorn.run("devolution.web.app:create_app", factory=True, host=host, port=port, workers=workers,
                **uvicorn_options(settings_from_env()))
