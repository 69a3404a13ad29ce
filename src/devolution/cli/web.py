"""`devo serve`: the web dashboard and open API."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from devolution.cli.common import app, console, friendly


def check_port_free(host: str, port: int) -> None:
    """Refuse, before anything starts or prints its address, a port something already listens on."""
    import errno
    import socket

    from devolution.errors import DevolutionError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: TIME_WAIT is no obstacle
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise DevolutionError(f"port {port} on {host} is already in use (another server, perhaps an earlier "
                                      f"`devo serve`): stop it, or choose another port with --port") from None
            raise DevolutionError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


@app.command("serve")
@friendly
def serve_command(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (127.0.0.1: this machine only)."),
    port: int = typer.Option(8000, help="Port to listen on."),
    submissions: Optional[Path] = typer.Option(None, "--submissions", help="SQLite file for budget submissions "
                                               "(default: DEVOLUTION_SUBMISSIONS, else submissions.sqlite next to the store); "
                                               "ignored when DEVOLUTION_DB_URL names a PostgreSQL database."),
    forwarded_allow_ips: Optional[str] = typer.Option(
        None, "--forwarded-allow-ips", help="Behind a reverse proxy: the proxy's address(es), comma-separated "
        "(IPs or networks), trusted to name the visitor with X-Forwarded-For and X-Forwarded-Proto "
        "(default: DEVOLUTION_FORWARDED_ALLOW_IPS, else none: the headers are ignored)."),
):
    """Serve the dashboard, the open API and the resident budget simulator.

    The store (DEVOLUTION_STORE) is opened read-only; submissions go to their own small file, or to
    PostgreSQL when DEVOLUTION_DB_URL is set (a shared deployment).
    Set DEVOLUTION_ADMIN_PASSWORD to see the simulator's results at /simulator/results.
    What the server stores, shows and limits: docs/security.md.

    Examples:

        devo serve

        devo serve --port 8080 --submissions /var/lib/devolution/submissions.sqlite

        devo serve --host 127.0.0.1 --forwarded-allow-ips 127.0.0.1   # behind nginx on this machine
    """
    import os

    from devolution import config
    from devolution.errors import StoreError

    if not config.store_path().exists():
        raise StoreError(f"no store at {config.store_path()}: run `devo data load` first")
    check_port_free(host, port)
    if submissions is not None:
        os.environ["DEVOLUTION_SUBMISSIONS"] = str(submissions)
    elif not os.environ.get("DEVOLUTION_SUBMISSIONS"):
        os.environ["DEVOLUTION_SUBMISSIONS"] = str(config.store_path().with_name("submissions.sqlite"))
    if forwarded_allow_ips is not None:
        os.environ["DEVOLUTION_FORWARDED_ALLOW_IPS"] = forwarded_allow_ips
    os.environ.setdefault("DEVOLUTION_WARM", "1")   # scenario workers ready before the first visitor
    os.environ.setdefault("DEVOLUTION_WARM_PAGES", "1")  # and every current place's pages (web/warm.py)
    console().print(f"devolution starting on http://{host}:{port}/  (API docs at /docs; Ctrl+C to stop): it "
                    f"answers once it says ready, after building what every page shares (10 to 40 s)")
    from devolution.web.app import serve

    serve(host=host, port=port)
