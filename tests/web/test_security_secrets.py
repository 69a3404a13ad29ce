"""No secret in a public answer, a start-up line or a log; public errors name no connection details;
a visitor can still open the simulator while the submissions database is down.

The database goes down for real: the app reaches the test PostgreSQL server through a TCP relay
that the test cuts (every connection dropped, new ones refused)."""

from __future__ import annotations

import socket
import subprocess
import threading
import uuid
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from devolution.web.app import create_app
from devolution.web.redaction import known_secrets, passwords_in, redact
from devolution.web.security import CSRF_COOKIE, SUBMIT_COOKIE
from devolution.web.state import Settings
from tests.web.conftest import DEVO, Server, free_port

CODE = "E06000002"
PASSWORD_FORMS = [
    ("postgresql://u@db.example:5432/devo?password=hunter2-secret", "hunter2-secret"),
    ("postgresql://u@db.example/devo?sslmode=require&password=hunter2-secret&x=1", "hunter2-secret"),
    ("postgresql://u:hunter2-secret@db.example:5432/devo", "hunter2-secret"),
    ("postgresql://u:hunter2@secret@db.example:5432/devo", "hunter2@secret"),   # a raw @ in the password
    ("postgres://u:hunter2%40secret@db.example/devo", "hunter2@secret"),      # percent-encoded
    ("host=db.example port=5432 user=u password=hunter2-secret dbname=devo", "hunter2-secret"),
    ("host=db.example user=u password='hunter2 secret' dbname=devo", "hunter2 secret"),
    ("PGPASSWORD=hunter2-secret psql -h db.example", "hunter2-secret"),
]


@pytest.mark.parametrize("text, password", PASSWORD_FORMS)
def test_every_password_form_is_redacted(text, password):
    assert password in passwords_in(text) or password.replace("@", "%40") in passwords_in(text)
    shown = redact(text, ())
    assert "hunter2" not in shown and "***" in shown
    assert "db.example" in shown or "psql" in shown  # only the password goes


def test_the_servers_own_secrets_are_redacted_wherever_they_appear(monkeypatch):
    monkeypatch.setenv("DEVOLUTION_DB_URL", "postgresql://u@h/d?password=s3cr3t-value")
    monkeypatch.setenv("DEVOLUTION_ADMIN_PASSWORD", "admin-pass-123")
    assert set(known_secrets()) == {"s3cr3t-value", "admin-pass-123"}
    line = 'FATAL: auth failed "s3cr3t-value" (tried admin-pass-123)'
    assert redact(line) == 'FATAL: auth failed "***" (tried ***)'


class Relay:
    """A TCP relay from a local port to ``target``; :meth:`cut` drops every connection and stops
    listening, as a database server that went down."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.down = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.down.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        self.down.set()
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(): close alone leaves it listening
        except OSError:
            pass
        self.listener.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass


@pytest.fixture()
def relayed_url(postgres_url):
    """A fresh database on the test server, reached through a :class:`Relay`, named by a URL with
    the password as a query parameter (the form whose password leaked): (url, password, relay)."""
    parts = urlsplit(postgres_url)
    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    relay = Relay((parts.hostname, parts.port))
    url = f"postgresql://{parts.username}@127.0.0.1:{relay.port}/{name}?password={parts.password}"
    yield url, parts.password, relay
    relay.cut()


def names_nothing(text: str, url: str, password: str) -> None:
    """No connection detail of ``url`` in ``text``: password, user, host, port or database."""
    parts = urlsplit(url)
    for detail in (password, parts.username, "127.0.0.1", str(parts.port), parts.path.strip("/"), "postgres"):
        assert detail not in text, (detail, text)


def test_database_down_is_a_503_naming_nothing_and_the_simulator_still_opens(relayed_url, loaded_store_path,
                                                                             tmp_path, monkeypatch, caplog):
    url, password, relay = relayed_url
    monkeypatch.setenv("DEVOLUTION_DB_URL", url)
    app = create_app(Settings(store_path=loaded_store_path, submissions_path=tmp_path / "unused.sqlite"))
    assert app.state.submissions.backend == "postgresql"
    with TestClient(app) as browser:
        browser.get(f"/simulator/{CODE}")
        assert browser.cookies.get(SUBMIT_COOKIE)  # a visitor with a submission cookie
        relay.cut()  # the database goes down
        for accept in ("text/html", "application/json"):
            page = browser.get(f"/simulator/{CODE}", headers={"accept": accept})
            assert page.status_code == 200, page.text[:300]  # the simulator still opens
        assert "Submit my budget" in browser.get(f"/simulator/{CODE}", headers={"accept": "text/html"}).text
        sent = browser.post(f"/simulator/{CODE}/submit", data={"csrf": browser.cookies.get(CSRF_COOKIE),
                                                               "council_tax_change": "0", "changes": "{}"})
        assert sent.status_code == 503 and sent.headers["Retry-After"]
        assert sent.json()["error"] == "the submissions database is unavailable: try again in a minute"
        names_nothing(sent.text, url, password)
    assert "password=***" in caplog.text and password not in caplog.text  # the operator's log: redacted


def test_no_password_in_the_start_up_line_or_the_logs_of_devo_serve(relayed_url, loaded_store_path, tmp_path):
    url, password, relay = relayed_url
    server = Server(loaded_store_path, tmp_path / "unused.sqlite", env={"DEVOLUTION_DB_URL": url}).start()
    try:
        relay.cut()
        with httpx.Client(base_url=server.url, timeout=20) as browser:
            browser.get(f"/simulator/{CODE}")
            sent = browser.post(f"/simulator/{CODE}/submit", data={"csrf": browser.cookies.get(CSRF_COOKIE),
                                                                   "council_tax_change": "0", "changes": "{}"})
        assert sent.status_code == 503
        names_nothing(sent.text, url, password)
    finally:
        server.stop()
    logged = server.output()
    assert "submissions database" in logged and "password=***" in logged  # the failure is logged...
    assert password not in logged  # ...without the password

    # A server that cannot reach its database at start stops with one line, in every password form.
    env = {**server.env, "DEVOLUTION_WARM": "0"}
    for broken in (f"postgresql://someone@127.0.0.1:1/nowhere?password={password}",
                   f"postgresql://someone:{password}@127.0.0.1:1/nowhere",
                   f"host=127.0.0.1 port=1 user=someone password='{password}' dbname=nowhere"):
        done = subprocess.run([str(DEVO), "serve", "--port", str(free_port())], env={**env, "DEVOLUTION_DB_URL": broken},
                              capture_output=True, text=True, timeout=120)
        said = done.stdout + done.stderr
        assert done.returncode == 1 and "cannot connect to the submissions database" in said, said[-500:]
        assert password not in said and "***" in said
