"""Residents' budget submissions in a SQLite file (WAL mode, ``synchronous=FULL``): the default
backend (``--submissions`` / ``DEVOLUTION_SUBMISSIONS``). Each submission is committed before the
server acknowledges it; the file is readable by its owner only (0600), as it holds the key that
signs the tokens.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
from pathlib import Path

import pandas as pd

from devolution.web.submissions import COLUMNS, AlreadySubmitted, TooManyFromClient, aggregate, submission_row

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
#: A council's results read its own rows: the count and latest id of every results page asked for.
PLACE_INDEX = "CREATE INDEX IF NOT EXISTS submissions_place ON submissions (place, year)"


class SqliteSubmissions:
    """The SQLite backend (``synchronous=FULL``): a :class:`~devolution.web.submissions.SubmissionStore`."""

    backend = "sqlite"

    def __init__(self, path: Path | str | None = None):
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
        self.db.execute(PLACE_INDEX)

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

    def tally(self, place: str, year: int) -> tuple[int, int]:
        with self.lock:
            count, latest = self.db.execute("SELECT count(*), coalesce(max(id), 0) FROM submissions "
                                            "WHERE place = ? AND year = ?", [place, int(year)]).fetchone()
        return int(count), int(latest)

    def rows_for(self, place: str, year: int) -> pd.DataFrame:
        with self.lock:
            return pd.read_sql_query(f"SELECT {', '.join(COLUMNS)} FROM submissions WHERE place = ? AND year = ? "
                                     "ORDER BY id", self.db, params=[place, int(year)])

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
