"""The DuckDB store: tidy observations, the register of places, other tables, and provenance.

Loading is all or nothing: every file is parsed and checked before the store is touched, and
then everything is written in one transaction, so a bad file leaves the store as it was, byte for
byte. A publication never shrinks silently: one that would come back with far fewer rows or
places than the store holds is refused unless the caller allows it by name. Only one process may
write the store, and none may while another reads it; a command waits a bounded time for it,
then names the process that holds it.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from devolution import config
from devolution.errors import DataError, StoreError
from devolution.memo import Memo
from devolution.places import coverage
from devolution.sources import PUBLICATIONS, REGISTER_ID, folder
from devolution.sources.base import OBSERVATION_COLUMNS, Context, Parsed, Publication
from devolution.store import refusals

SCHEMA = """
CREATE TABLE IF NOT EXISTS observations (
    publication VARCHAR NOT NULL, code VARCHAR NOT NULL, year INTEGER NOT NULL,
    measure VARCHAR NOT NULL, value DOUBLE NOT NULL);
CREATE TABLE IF NOT EXISTS measures (
    measure VARCHAR PRIMARY KEY, publication VARCHAR, unit VARCHAR, description VARCHAR);
CREATE TABLE IF NOT EXISTS provenance (
    publication VARCHAR, title VARCHAR, publisher VARCHAR, url VARCHAR, licence VARCHAR,
    file VARCHAR, sha256 VARCHAR, rows BIGINT, set_aside BIGINT, loaded_at TIMESTAMP);
"""

@dataclass
class LoadReport:
    """What a load did: publications loaded (with rows), files not recognised, publications absent."""

    loaded: dict[str, int] = field(default_factory=dict)
    set_aside: dict[str, int] = field(default_factory=dict)
    #: council-years of placeholder zeros set aside, by publication (``refusals.placeholders``)
    placeholders: dict[str, int] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)
    gaps: pd.DataFrame | None = None  # councils in force a loaded publication lacks (places.coverage.gaps)


def _holder(message: str) -> str:
    """``process 1234 (devo serve)`` from DuckDB's lock error, which names the process holding it."""
    found = re.search(r"\(PID (\d+)\)", message)
    if not found:
        return "another process"
    pid = found.group(1)
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0").split(b"\0")
    except OSError:  # not Linux, or the process has gone
        return f"process {pid}"
    words = [a.decode(errors="replace") for a in argv]
    words[:2] = [Path(w).name for w in words[:2]]  # "python3 devo serve ...", not their full paths
    return f"process {pid} ({' '.join(' '.join(words).split())[:80]})"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Store:
    """An embedded DuckDB database file (``DEVOLUTION_STORE``), opened on first use.

    ``wait``: seconds to wait for another process that holds the file (default
    ``DEVOLUTION_STORE_WAIT``, 10 s) before ``StoreError`` names it.
    """

    def __init__(self, path: Path | str | None = None, read_only: bool = False, wait: float | None = None):
        self.path = Path(path) if path is not None else config.store_path()
        self.read_only = read_only
        self.wait = config.store_wait_seconds() if wait is None else wait
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._memo = Memo()

    # ------------------------------------------------------------------ connection
    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        if self._connection is None:
            if self.read_only and not self.path.exists():
                raise StoreError(f"no store at {self.path}: run `devo data load` first")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._memo.forget()  # another process may have loaded the file since it was last open
            self._connection = self._open()
            if not self.read_only:
                self._connection.execute(SCHEMA)
        return self._connection

    def _open(self) -> duckdb.DuckDBPyConnection:
        """Connect, waiting up to ``self.wait`` seconds while another process holds the file's lock
        (DuckDB lets one process write, or several read)."""
        deadline = time.monotonic() + self.wait
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=self.read_only)
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    raise StoreError(f"cannot open the store {self.path}: {exc}") from None
                if time.monotonic() >= deadline:
                    raise StoreError(f"the store {self.path} is in use by {_holder(str(exc))} (waited "
                                     f"{self.wait:g} s); wait for it to finish or stop it, then try again "
                                     f"(or set DEVOLUTION_STORE to another file)") from None
                time.sleep(0.2)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._memo.forget()

    def memo(self, key, build: Callable[["Store"], object]):
        """``build(self)`` once per ``key`` for as long as this store's data stays as it is: what the
        analysis derives from the store and uses again on every call (the places on a year's
        boundaries and their crosswalk, a count moved onto them, a measure's rows). Dropped when
        this store loads data and when its connection is opened again (another process may have
        loaded the file meanwhile); the least recently used go first past ``memo.MAX_VALUES``. The
        values are shared: callers never change them in place."""
        return self._memo.get(key, lambda: build(self))

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ loading
    def load(self, directory: Path | str, publications: Sequence[Publication] = PUBLICATIONS,
             progress: Callable[[str], None] | None = None, allow_shrink: Collection[str] = (),
             max_file_bytes: int | None = None) -> LoadReport:
        """Parse every known file in ``directory``, check it, then write it all in one transaction.

        ``allow_shrink``: ids of publications that may come back with far fewer rows or places
        than the store holds (see ``refusals.KEEP_AT_LEAST``). ``max_file_bytes``: the size limit of one
        file (default ``DEVOLUTION_MAX_FILE_MB``). Raises ``DataError`` (naming file, row and
        column) or ``StoreError``, and then nothing in the store has changed.
        """
        directory = Path(directory)
        if not directory.is_dir():
            raise DataError(f"not a folder: {directory} (set DEVOLUTION_DATA to the folder of official "
                            f"files, or fetch them with `devo data pull {directory}`)")
        report = LoadReport()
        located = folder.find(directory, publications,
                              config.max_file_bytes() if max_file_bytes is None else max_file_bytes)
        found = located.found
        report.absent, report.unrecognised = located.absent, located.unrecognised
        if not found:
            raise DataError(f"no file of a known publication in {directory} "
                            f"(expected e.g. {publications[0].files[0]}; see `devo data sources --known`)")
        not_here = sorted(set(allow_shrink) - set(found))
        if not_here:
            raise DataError(f"--allow-shrink {', '.join(not_here)}: not a publication loaded from {directory} "
                            f"(it loads {', '.join(found)})")

        # The register comes first: every other file's codes are checked against it.
        by_id = {item.id: item for item in publications}
        parsed: dict[str, Parsed] = {}
        if REGISTER_ID in found:
            if progress:
                progress(REGISTER_ID)
            parsed[REGISTER_ID] = by_id[REGISTER_ID].parse(found[REGISTER_ID], Context())
            codes = parsed[REGISTER_ID].tables["places"]["code"]
        else:
            codes = self._known_codes()
        context = Context(known_codes=frozenset(codes))
        for id_, files in found.items():
            if id_ == REGISTER_ID:
                continue
            if progress:
                progress(id_)
            parsed[id_] = by_id[id_].parse(files, dataclasses.replace(context, years=by_id[id_].years))
        for id_, result in parsed.items():
            refusals.years_outside(by_id[id_], result, found[id_])
            if refusals.size(result)[0] == 0:
                raise DataError(f"publication {id_} gives no rows (every row blank, or set aside as a body "
                                f"outside the register?); nothing was loaded", file=", ".join(found[id_]))

        places = self._carry_onto_current_codes(parsed)
        aside = refusals.placeholders(parsed, found, places)
        report.placeholders = {id_: len(pairs) for id_, pairs in aside.items()}
        refusals.shrinks(self, parsed, found, directory, allow_shrink)
        refusals.lost_places(self, parsed, found, directory, allow_shrink, places, aside)
        self._write(parsed, found, by_id, report)
        report.gaps = coverage.gaps(places, pd.concat(
            [result.observations[["code", "year"]].drop_duplicates().assign(publication=id_)
             for id_, result in parsed.items() if result.observations is not None] or [pd.DataFrame()]))
        return report

    def _carry_onto_current_codes(self, parsed: dict[str, Parsed]) -> pd.DataFrame:
        """Series published under a council's former code (Barnsley E08000016) are held under the
        code it goes on under (E08000038), as the register's code changes say; so are the
        boundaries the map joins on. Lookup tables keep the codes of their year. Returns the
        register of places it followed."""
        from devolution.places.crosswalk import code_changes, onto_current_codes

        places = parsed[REGISTER_ID].tables["places"] if REGISTER_ID in parsed else self.places()
        changes = code_changes(places)
        for id_, result in parsed.items():
            if result.observations is not None:
                result.observations = onto_current_codes(result.observations, changes, id_)
            if "boundaries" in result.tables:
                result.tables["boundaries"] = onto_current_codes(result.tables["boundaries"], changes, id_, ())
        return places

    def _known_codes(self) -> Iterable[str]:
        if not self.path.exists() or not self.has_table("places"):
            raise StoreError("the register of places is not loaded: load la_register_england.csv "
                             "with (or before) the other files")
        return self.connection.execute("SELECT code FROM places").df()["code"]

    def _write(self, parsed: dict[str, Parsed], found: dict[str, dict[str, Path]],
               by_id: dict[str, Publication], report: LoadReport) -> None:
        con = self.connection
        loaded_at = datetime.now(timezone.utc).replace(tzinfo=None)
        con.execute("BEGIN TRANSACTION")
        try:
            for id_, result in parsed.items():
                item = by_id[id_]
                rows = refusals.size(result)[0]
                con.execute("DELETE FROM observations WHERE publication = ?", [id_])
                con.execute("DELETE FROM measures WHERE publication = ?", [id_])
                con.execute("DELETE FROM provenance WHERE publication = ?", [id_])
                if result.observations is not None:
                    frame = result.observations[OBSERVATION_COLUMNS].assign(publication=id_)
                    con.register("incoming", frame)
                    con.execute("INSERT INTO observations SELECT publication, code, year::INTEGER, "
                                "measure, value FROM incoming")
                    con.unregister("incoming")
                for measure in item.measures:
                    con.execute("INSERT OR REPLACE INTO measures VALUES (?, ?, ?, ?)",
                                [measure.name, id_, measure.unit, measure.description])
                for name, table in result.tables.items():
                    con.register("incoming", table)
                    con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM incoming')
                    con.unregister("incoming")
                for name, path in found[id_].items():
                    con.execute("INSERT INTO provenance VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                [id_, item.title, item.publisher, item.url_of(name), item.licence, name,
                                 _sha256(path), rows, result.skipped, loaded_at])
                report.loaded[id_] = rows
                report.set_aside[id_] = result.skipped
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        finally:
            self._memo.forget()

    # ------------------------------------------------------------------ reading
    def has_table(self, name: str) -> bool:
        """Whether the store holds a table called ``name``."""
        found = self.connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()
        return bool(found and found[0])

    def table(self, name: str) -> pd.DataFrame:
        """A whole table as a DataFrame (an error naming the publication to load if absent)."""
        if not self.has_table(name):
            raise StoreError(f"the store has no table {name!r}: run `devo data load` first")
        return self.connection.execute(f'SELECT * FROM "{name}"').df()

    def query(self, sql: str, parameters: Sequence | None = None) -> pd.DataFrame:
        return self.connection.execute(sql, parameters or []).df()

    def observations(self, measures: str | Sequence[str], years: Sequence[int] | None = None) -> pd.DataFrame:
        """Long ``code, year, measure, value`` rows for the given measures (and years)."""
        names = [measures] if isinstance(measures, str) else list(measures)
        known = self.memo("store.measure_names", lambda s: frozenset(
            s.query("SELECT DISTINCT measure FROM observations")["measure"]))
        missing = [m for m in names if m not in known]
        if missing:
            hint = ", ".join(sorted(known)[:12]) if known else "none: run `devo data load`"
            raise StoreError(f"unknown measure(s) {', '.join(missing)}; the store has {hint} "
                             f"(see `devo data measures`)")
        sql = "SELECT code, year, measure, value FROM observations WHERE list_contains(?, measure)"
        parameters: list = [names]
        if years is not None:
            sql += " AND list_contains(?, year)"
            parameters.append([int(y) for y in years])
        return self.query(sql + " ORDER BY measure, code, year", parameters)

    def wide(self, measures: str | Sequence[str], year: int) -> pd.DataFrame:
        """A year's ``measures``, one row per code holding any of them (index ``code``, sorted), one
        float64 column per measure in the order given, in the store's units (``devo data measures``):
        NaN where a code lacks a measure, a column of NaN for a measure with no row that year. Read
        once while the store's data stays as it is (:meth:`memo`): the frame is shared, never change
        it in place. Raises :class:`StoreError` for a measure the store holds in no year."""
        names = (measures,) if isinstance(measures, str) else tuple(measures)
        return self.memo(("store.wide", names, int(year)), lambda s: s.observations(names, [year]).pivot(
            index="code", columns="measure", values="value").reindex(columns=list(names)).astype(float))

    def places(self) -> pd.DataFrame:
        return self.table("places")

    def provenance(self) -> pd.DataFrame:
        return self.query("SELECT * FROM provenance ORDER BY publication, file")

    def measures(self) -> pd.DataFrame:
        return self.query("""
            SELECT m.measure, m.unit, m.publication, min(o.year) AS first_year, max(o.year) AS last_year,
                   count(*) AS rows, m.description
            FROM measures m JOIN observations o USING (measure)
            GROUP BY ALL ORDER BY m.publication, m.measure""")


@contextlib.contextmanager
def open_store(store: Store | None = None) -> Iterator[Store]:
    """``store`` if given, else the default store (``DEVOLUTION_STORE``) opened read-only for the
    duration of the ``with`` block: what the public API and the analysis use when no store is given.
    Errors: :class:`StoreError` when there is no store to open."""
    if store is not None:
        yield store
        return
    with Store(read_only=True) as opened:
        yield opened
