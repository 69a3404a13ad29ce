"""Residents' budget submissions: a small SQLite file in WAL mode, apart from the read-only store.

Each submission is committed (``synchronous=FULL``) before the server acknowledges it; the one-time
token is a UNIQUE key, so a token can be used once and a retried request is never counted twice.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY, token TEXT NOT NULL UNIQUE, place TEXT NOT NULL, year INTEGER NOT NULL,
    council_tax_change REAL NOT NULL, changes TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class AlreadySubmitted(Exception):
    """The one-time token was used before."""


class Submissions:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.lock = threading.Lock()
        self.db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

    def secret(self) -> bytes:
        """The key that signs tokens, made once and kept in the file (so tokens survive restarts)."""
        with self.lock:
            self.db.execute("INSERT OR IGNORE INTO settings VALUES ('secret', ?)", [secrets.token_hex(32)])
            return bytes.fromhex(self.db.execute("SELECT value FROM settings WHERE key='secret'").fetchone()[0])

    def add(self, token: str, place: str, year: int, council_tax_change: float, changes: dict[str, float]) -> int:
        """Store one submission, committed before returning its id; a used token raises."""
        row = [token, place, year, council_tax_change, json.dumps(changes, sort_keys=True),
               datetime.now(timezone.utc).isoformat(timespec="seconds")]
        with self.lock:
            try:
                cursor = self.db.execute("INSERT INTO submissions (token, place, year, council_tax_change, changes, "
                                         "created_at) VALUES (?, ?, ?, ?, ?, ?)", row)
            except sqlite3.IntegrityError:
                raise AlreadySubmitted(token) from None
            return int(cursor.lastrowid)

    def used(self, token: str) -> bool:
        with self.lock:
            return self.db.execute("SELECT 1 FROM submissions WHERE token = ?", [token]).fetchone() is not None

    def frame(self) -> pd.DataFrame:
        with self.lock:
            return pd.read_sql_query("SELECT * FROM submissions ORDER BY id", self.db)

    def aggregate(self) -> pd.DataFrame:
        """Per place: submissions, mean council tax change, and the mean change asked for each service."""
        rows = self.frame()
        if rows.empty:
            return pd.DataFrame(columns=["place", "year", "submissions", "mean_council_tax_change", "service",
                                         "mean_change_gbp", "share_cutting", "share_raising"])
        changes = pd.DataFrame([json.loads(c) for c in rows["changes"]]).fillna(0.0)
        long = pd.concat([rows[["place", "year", "council_tax_change"]], changes], axis=1).melt(
            id_vars=["place", "year", "council_tax_change"], var_name="service", value_name="change")
        grouped = long.groupby(["place", "year", "service"])
        out = grouped.agg(mean_change_gbp=("change", "mean"),
                          share_cutting=("change", lambda v: float((v < 0).mean())),
                          share_raising=("change", lambda v: float((v > 0).mean()))).reset_index()
        head = rows.groupby(["place", "year"]).agg(submissions=("id", "size"),
                                                   mean_council_tax_change=("council_tax_change", "mean")).reset_index()
        return head.merge(out, on=["place", "year"])[["place", "year", "submissions", "mean_council_tax_change",
                                                      "service", "mean_change_gbp", "share_cutting", "share_raising"]]

    def close(self) -> None:
        with self.lock:
            self.db.close()
