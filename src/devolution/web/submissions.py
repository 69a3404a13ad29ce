"""Residents' budget submissions, apart from the read-only store: a small SQLite file in WAL mode
(the default), or a PostgreSQL database named by ``DEVOLUTION_DB_URL`` for a shared deployment where
several servers take submissions (``web/submissions_postgres.py``).

Either way each submission is committed before the server acknowledges it, and the one-time token is
a UNIQUE key, so a token can be used once and a retried request is never counted twice. Each row
also keeps a pseudonym of the sender's address (``client``: an HMAC with the signing key, never the
address), so the number of budgets one address sends for a council can be capped: a fresh browser
token is free, an address is not. The SQLite file is created readable by its owner only (0600): it
holds the key that signs the tokens.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from devolution.errors import StoreError
from devolution.web.redaction import DB_URL_ENV, redact
COLUMNS = ["id", "token", "place", "year", "council_tax_change", "changes", "created_at"]
AGGREGATE_COLUMNS = ["place", "year", "submissions", "mean_council_tax_change", "service", "mean_change_gbp",
                     "share_cutting", "share_raising"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY, token TEXT NOT NULL UNIQUE, place TEXT NOT NULL, year INTEGER NOT NULL,
    council_tax_change REAL NOT NULL, changes TEXT NOT NULL, created_at TEXT NOT NULL,
    client TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
#: Added after the first release: files made before it gain the column on open.
CLIENT_COLUMN = "ALTER TABLE submissions ADD COLUMN client TEXT NOT NULL DEFAULT ''"
CLIENT_INDEX = "CREATE INDEX IF NOT EXISTS submissions_client ON submissions (client, place)"


class AlreadySubmitted(Exception):
    """The one-time token was used before."""


class TooManyFromClient(Exception):
    """The sender's address has sent as many budgets for this council as one address may."""

    def __init__(self, sent: int):
        self.sent = sent
        super().__init__(sent)


class SubmissionsUnavailable(StoreError):
    """The submissions database cannot be reached. ``str()`` is for the operator (the URL without
    its password, and the driver's reason, redacted); visitors are shown only :attr:`public`."""

    public = "the submissions database is unavailable: try again in a minute"

    def __init__(self, detail: str):
        super().__init__(redact(detail))


def submission_row(token: str, place: str, year: int, council_tax_change: float, changes: dict[str, float]) -> list:
    """The stored columns after ``id``: changes as sorted JSON, the time in UTC to the second."""
    return [token, place, int(year), float(council_tax_change), json.dumps(changes, sort_keys=True),
            datetime.now(timezone.utc).isoformat(timespec="seconds")]


def changes_long(rows: pd.DataFrame) -> pd.DataFrame:
    """``id, place, year, service, change``: one row per service a submission moved (a service
    left alone is a change of 0 and has no row)."""
    parsed = [json.loads(c) for c in rows["changes"]]
    counts = [len(p) for p in parsed]
    return pd.DataFrame({"id": np.repeat(rows["id"].to_numpy(), counts),
                         "place": np.repeat(rows["place"].to_numpy(), counts),
                         "year": np.repeat(rows["year"].to_numpy(), counts),
                         "service": [s for p in parsed for s in p],
                         "change": np.array([v for p in parsed for v in p.values()], dtype=np.float64)})


def aggregate(rows: pd.DataFrame) -> pd.DataFrame:
    """Per place and year: submissions, mean council tax change, and for each service anyone there
    moved, the mean change asked for (a submission that left it alone counts as 0) and the shares
    cutting and raising it. A place whose submissions only changed council tax has one row with no
    service."""
    if rows.empty:
        return pd.DataFrame(columns=AGGREGATE_COLUMNS)
    head = rows.groupby(["place", "year"]).agg(submissions=("id", "size"),
                                               mean_council_tax_change=("council_tax_change", "mean")).reset_index()
    long = changes_long(rows)
    moved = (long.assign(cut=long["change"] < 0, raised=long["change"] > 0)
             .groupby(["place", "year", "service"], as_index=False)
             .agg(total=("change", "sum"), cutting=("cut", "sum"), raising=("raised", "sum")))
    out = head.merge(moved, on=["place", "year"], how="left")
    n = out["submissions"].to_numpy(dtype=np.float64)
    out["mean_change_gbp"] = out["total"] / n
    out["share_cutting"] = out["cutting"] / n
    out["share_raising"] = out["raising"] / n
    return out[AGGREGATE_COLUMNS].sort_values(["place", "year", "service"], na_position="first").reset_index(drop=True)


class Submissions:
    """The SQLite backend (``synchronous=FULL``). ``Submissions(path)`` gives the PostgreSQL backend
    instead when ``url`` (default: ``DEVOLUTION_DB_URL``) is set, so the app needs no other switch."""

    backend = "sqlite"

    def __new__(cls, path: Path | str | None = None, url: str | None = None):
        url = os.environ.get(DB_URL_ENV, "") if url is None else url
        if cls is Submissions and url:
            from devolution.web.submissions_postgres import PostgresSubmissions

            return PostgresSubmissions(url)  # not a Submissions, so __init__ is not run on it
        return super().__new__(cls)

    def __init__(self, path: Path | str | None = None, url: str | None = None):
        self.path = Path(path if path is not None else "submissions.sqlite")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        owner_only(self.path)
        self.lock = threading.Lock()
        self.db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)
        if "client" not in {row[1] for row in self.db.execute("PRAGMA table_info(submissions)")}:
            self.db.execute(CLIENT_COLUMN)
        self.db.execute(CLIENT_INDEX)

    def secret(self) -> bytes:
        """The key that signs tokens, made once and kept in the file (so tokens survive restarts)."""
        with self.lock:
            self.db.execute("INSERT OR IGNORE INTO settings VALUES ('secret', ?)", [secrets.token_hex(32)])
            return bytes.fromhex(self.db.execute("SELECT value FROM settings WHERE key='secret'").fetchone()[0])

    def add(self, token: str, place: str, year: int, council_tax_change: float, changes: dict[str, float],
            client: str = "", per_client: int | None = None) -> int:
        """Store one submission, committed before returning its id. A used token raises
        :class:`AlreadySubmitted`; a ``client`` that already sent ``per_client`` budgets for
        ``place`` raises :class:`TooManyFromClient` (checked and stored in one transaction)."""
        row = submission_row(token, place, year, council_tax_change, changes) + [client]
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")  # the count and the insert, atomic across processes
            try:
                if self.db.execute("SELECT 1 FROM submissions WHERE token = ?", [token]).fetchone():
                    raise AlreadySubmitted(token)
                if per_client is not None and client:
                    (sent,) = self.db.execute("SELECT count(*) FROM submissions WHERE client = ? AND place = ?",
                                              [client, place]).fetchone()
                    if sent >= per_client:
                        raise TooManyFromClient(sent)
                cursor = self.db.execute("INSERT INTO submissions (token, place, year, council_tax_change, changes, "
                                         "created_at, client) VALUES (?, ?, ?, ?, ?, ?, ?)", row)
            except sqlite3.IntegrityError:
                self.db.execute("ROLLBACK")
                raise AlreadySubmitted(token) from None
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
            return int(cursor.lastrowid)

    def used(self, token: str) -> bool:
        with self.lock:
            return self.db.execute("SELECT 1 FROM submissions WHERE token = ?", [token]).fetchone() is not None

    def frame(self) -> pd.DataFrame:
        with self.lock:
            return pd.read_sql_query(f"SELECT {', '.join(COLUMNS)} FROM submissions ORDER BY id", self.db)

    def aggregate(self) -> pd.DataFrame:
        return aggregate(self.frame())

    def close(self) -> None:
        with self.lock:
            self.db.close()


def owner_only(path: Path) -> None:
    """Create ``path`` readable and writable by its owner only (0600), or take group and other
    access away from an existing file (it holds the signing key). SQLite gives its -wal and -shm
    files the database file's permissions."""
    descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        if os.fstat(descriptor).st_mode & 0o077:
            os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)
