"""Residents' budget submissions, apart from the read-only store: what every backend holds and
answers (:class:`SubmissionStore`), its errors, and the rows and aggregates they share. The backends
are a small SQLite file in WAL mode (the default, ``web/submissions_sqlite.py``), or a PostgreSQL
database named by ``DEVOLUTION_DB_URL`` for a shared deployment where several servers take
submissions (``web/submissions_postgres.py``); ``web.app.open_submissions`` picks one.

Either way each submission is committed before the server acknowledges it, and the one-time token is
a UNIQUE key, so a token can be used once and a retried request is never counted twice. Each row
also keeps a pseudonym of the sender's address (``client``: an HMAC with the signing key, never the
address), so the number of budgets one address sends for a council can be capped: a fresh browser
token is free, an address is not. The SQLite file is created readable by its owner only (0600): it
holds the key that signs the tokens.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Protocol

import numpy as np
import pandas as pd

from devolution.errors import StoreError
from devolution.web.redaction import redact

COLUMNS = ["id", "token", "place", "year", "council_tax_change", "changes", "created_at"]
AGGREGATE_COLUMNS = ["place", "year", "submissions", "mean_council_tax_change", "service", "mean_change_gbp",
                     "share_cutting", "share_raising"]

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


class SubmissionStore(Protocol):
    """What a submissions backend does (``backend`` names it: "sqlite" or "postgresql")."""

    backend: str

    def secret(self) -> bytes:
        """The key that signs tokens, made once and kept with the submissions."""

    def add(self, token: str, place: str, year: int, council_tax_change: float, changes: dict[str, float],
            client: str = "", per_client: int | None = None) -> int:
        """Store one submission, committed before returning its id; :class:`AlreadySubmitted` for a
        used token, :class:`TooManyFromClient` past ``per_client`` budgets from ``client`` for ``place``."""

    def used(self, token: str) -> bool:
        """Whether a submission was made with ``token``."""

    def frame(self) -> pd.DataFrame:
        """Every submission, ``COLUMNS``, in the order received."""

    def tally(self, place: str, year: int) -> tuple[int, int]:
        """How many submissions there are for ``place`` and budget ``year``, and the latest one's id
        (0 when none): what a council's public results are built from, so a kept results page is
        used while its tally is unchanged (``web/routers/results.py``)."""

    def rows_for(self, place: str, year: int) -> pd.DataFrame:
        """:meth:`frame` of ``place`` and budget ``year`` only."""

    def aggregate(self) -> pd.DataFrame:
        """:func:`aggregate` of :meth:`frame`."""

    def close(self) -> None:
        """Let go of the database."""
