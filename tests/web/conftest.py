"""Fixtures for the web tests: the app on the real store (TestClient), and a real uvicorn server."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from devolution.web.app import create_app
from devolution.web.state import Settings

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"


@pytest.fixture(scope="session")
def web_app(loaded_store_path, tmp_path_factory):
    settings = Settings(store_path=loaded_store_path,
                        submissions_path=tmp_path_factory.mktemp("web") / "submissions.sqlite",
                        scenario_capacity=10_000, scenario_per_second=10_000,  # tests compute many settings
                        submissions_per_address=1_000_000)  # and submit from one address
    return create_app(settings)


@pytest.fixture(scope="session")
def client(web_app):
    with TestClient(web_app) as c:
        yield c


class ClosedGate:
    """A cold-work gate (``AppState.work``) that fails any request that would read the store: put in
    place after preparing, it proves what follows is answered from what was kept."""

    waiting = 0
    owner = None

    @contextlib.contextmanager
    def __call__(self):
        raise AssertionError("a kept or prepared answer went back to the store")
        yield

    def visitors_active(self) -> bool:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


DEVO = Path(sys.executable).with_name("devo")


class Server:
    """``devo serve`` itself (the command users run, with its uvicorn settings: forwarded headers,
    log redaction) in a subprocess on loopback. Its output (start-up line, logs) goes to ``log``.
    The scenario workers are not warmed unless ``env`` asks (``DEVOLUTION_WARM=1``)."""

    def __init__(self, store: Path, submissions: Path, rate: str = "1000,1000", env: dict | None = None,
                 args: tuple[str, ...] = ()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "DEVOLUTION_STORE": str(store), "DEVOLUTION_SUBMISSIONS": str(submissions),
                    "DEVOLUTION_RATE_LIMIT": rate, "DEVOLUTION_SCENARIO_RATE": rate, "DEVOLUTION_WARM": "0",
                    "DEVOLUTION_WARM_PAGES": "0",  # a test asks for the pages it needs
                    "DEVOLUTION_SUBMISSIONS_PER_ADDRESS": "1000000",  # every test client shares 127.0.0.1
                    **(env or {})}
        self.args = args
        self.log = Path(submissions).with_name(f"server-{self.port}.log")
        self.process = None

    def start(self, timeout: float = 30.0) -> "Server":
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen([str(DEVO), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                                             *self.args], env=self.env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(self.url + "/api/measures?limit=1", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the server did not start: {self.output()[-2000:]}")

    def output(self) -> str:
        """What the server printed so far (its start-up line and its logs)."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no clean shutdown
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture(scope="session")
def live_server(loaded_store_path, tmp_path_factory):
    server = Server(loaded_store_path, tmp_path_factory.mktemp("live") / "submissions.sqlite",
                    env={"DEVOLUTION_ADMIN_PASSWORD": "test-admin-password"}).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def fuzz_schema(web_app):
    import schemathesis

    return schemathesis.openapi.from_asgi("/openapi.json", web_app)


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL server started by ``.ci/install-postgres.sh`` (which installs Debian's
    postgresql first if it is missing): its URL. Stopped and deleted at the end of the session."""
    script = ROOT / ".ci" / "install-postgres.sh"
    try:
        done = subprocess.run(["sh", str(script)], capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{script} did not start PostgreSQL within 900 s", pytrace=False)
    values = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    if done.returncode != 0 or "DEVOLUTION_DB_URL" not in values:
        tail = " | ".join(done.stderr.strip().splitlines()[-6:])
        pytest.fail(f"could not start PostgreSQL with {script} (exit {done.returncode}): {tail}", pytrace=False)
    yield values["DEVOLUTION_DB_URL"]
    subprocess.run(["sh", str(script), "stop", values["DEVOLUTION_PG_DIR"]], capture_output=True, timeout=60)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def watch_errors(page) -> None:
    """Collect in ``page.errors`` the page's script errors and whatever its Content-Security-Policy
    refused (an inline script or style, a handler attribute, eval, a request elsewhere)."""
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda message: page.errors.append(message.text) if message.type == "error"
            and "Content Security Policy" in message.text else None)


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium (Playwright), one per test module; screenshots go to SCREENSHOTS."""
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def page(live_server):
    """A headless Chromium page (Debian's package, driven by Playwright) that may reach only the
    test server: any request elsewhere (a CDN) is refused, so a page that needs one fails.
    Script errors and CSP refusals on the page collect in ``page.errors``."""
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1200, "height": 1000})
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live_server.url)
                      else route.abort())
        new = context.new_page()
        watch_errors(new)
        yield new
        browser.close()
