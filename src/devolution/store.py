"""The DuckDB store: tidy observations, the register of places, other tables, and provenance.

Loading is all or nothing: every file is parsed and checked before the store is touched, and
then everything is written in one transaction, so a bad file leaves the store as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from devolution import config
from devolution.errors import DataError, StoreError
from devolution.sources import PUBLICATIONS, REGISTER_ID
from devolution.sources.base import OBSERVATION_COLUMNS, Context, Parsed, Publication

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
    absent: list[str] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Store:
    """An embedded DuckDB database file (``DEVOLUTION_STORE``), opened on first use."""

    def __init__(self, path: Path | str | None = None, read_only: bool = False):
        self.path = Path(path) if path is not None else config.store_path()
        self.read_only = read_only
        self._connection: duckdb.DuckDBPyConnection | None = None

    # ------------------------------------------------------------------ connection
    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        if self._connection is None:
            if self.read_only and not self.path.exists():
                raise StoreError(f"no store at {self.path}: run `devo data load` first")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._connection = duckdb.connect(str(self.path), read_only=self.read_only)
            if not self.read_only:
                self._connection.execute(SCHEMA)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ loading
    def load(self, directory: Path | str, publications: Sequence[Publication] = PUBLICATIONS,
             progress: Callable[[str], None] | None = None) -> LoadReport:
        """Parse every known file in ``directory``, check it, then write it all in one transaction."""
        directory = Path(directory)
        if not directory.is_dir():
            raise DataError(f"not a folder: {directory} (set DEVOLUTION_DATA to the folder of official "
                            f"files, or fetch them with `devo data pull {directory}`)")
        report = LoadReport()
        found: dict[str, dict[str, Path]] = {}
        for item in publications:
            files = {name: directory / name for name in item.files if (directory / name).is_file()}
            if not item.missing(set(files)):
                found[item.id] = files
            else:
                report.absent.append(item.id)
        known_files = {name for item in publications for name in item.files}
        report.unrecognised = sorted(p.name for p in directory.iterdir()
                                     if p.is_file() and p.name not in known_files and not p.name.startswith(".")
                                     and p.suffix in {".csv", ".geojson", ".json"})
        if not found:
            raise DataError(f"no file of a known publication in {directory} "
                            f"(expected e.g. {publications[0].files[0]}; see `devo data sources --known`)")

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
            parsed[id_] = by_id[id_].parse(files, context)

        self._carry_onto_current_codes(parsed)
        self._write(parsed, found, by_id, report)
        return report

    def _carry_onto_current_codes(self, parsed: dict[str, Parsed]) -> None:
        """Series published under a council's former code (Barnsley E08000016) are held under the
        code it goes on under (E08000038), as the register's code changes say; so are the
        boundaries the map joins on. Lookup tables keep the codes of their year."""
        from devolution.places.crosswalk import code_changes, onto_current_codes

        places = parsed[REGISTER_ID].tables["places"] if REGISTER_ID in parsed else self.places()
        changes = code_changes(places)
        for id_, result in parsed.items():
            if result.observations is not None:
                result.observations = onto_current_codes(result.observations, changes, id_)
            if "boundaries" in result.tables:
                result.tables["boundaries"] = onto_current_codes(result.tables["boundaries"], changes, id_, ())

    def _known_codes(self) -> Iterable[str]:
        if not self._has_table("places"):
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
                rows = 0
                con.execute("DELETE FROM observations WHERE publication = ?", [id_])
                con.execute("DELETE FROM measures WHERE publication = ?", [id_])
                con.execute("DELETE FROM provenance WHERE publication = ?", [id_])
                if result.observations is not None:
                    frame = result.observations[OBSERVATION_COLUMNS].assign(publication=id_)
                    con.register("incoming", frame)
                    con.execute("INSERT INTO observations SELECT publication, code, year::INTEGER, "
                                "measure, value FROM incoming")
                    con.unregister("incoming")
                    rows += len(frame)
                for measure in item.measures:
                    con.execute("INSERT OR REPLACE INTO measures VALUES (?, ?, ?, ?)",
                                [measure.name, id_, measure.unit, measure.description])
                for name, table in result.tables.items():
                    con.register("incoming", table)
                    con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM incoming')
                    con.unregister("incoming")
                    rows += len(table)
                for name, path in found[id_].items():
                    con.execute("INSERT INTO provenance VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                [id_, item.title, item.publisher, item.url, item.licence, name,
                                 _sha256(path), rows, result.skipped, loaded_at])
                report.loaded[id_] = rows
                report.set_aside[id_] = result.skipped
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------------ reading
    def _has_table(self, name: str) -> bool:
        found = self.connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()
        return bool(found and found[0])

    def table(self, name: str) -> pd.DataFrame:
        """A whole table as a DataFrame (an error naming the publication to load if absent)."""
        if not self._has_table(name):
            raise StoreError(f"the store has no table {name!r}: run `devo data load` first")
        return self.connection.execute(f'SELECT * FROM "{name}"').df()

    def query(self, sql: str, parameters: Sequence | None = None) -> pd.DataFrame:
        return self.connection.execute(sql, parameters or []).df()

    def observations(self, measures: str | Sequence[str], years: Sequence[int] | None = None) -> pd.DataFrame:
        """Long ``code, year, measure, value`` rows for the given measures (and years)."""
        names = [measures] if isinstance(measures, str) else list(measures)
        known = set(self.query("SELECT DISTINCT measure FROM observations")["measure"])
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
