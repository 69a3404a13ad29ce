"""Tables out: as JSON-safe rows (the web's answers), any table as Parquet bytes (the API's and
the command line's ``--format parquet``), and the whole store as Parquet files with a data
dictionary (``devo data export DIR``)."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import pandas as pd

from devolution.errors import StoreError

#: What the core tables' columns hold (the tables each publication adds are described by their
#: publication: see provenance.parquet and `devo data sources`).
COLUMN_NOTES = {
    ("observations", "publication"): "The publication the value comes from (provenance.publication)",
    ("observations", "code"): "GSS code of the place (places.code)",
    ("observations", "year"): "Financial year as the int of its start (2024 = 2024-25)",
    ("observations", "measure"): "The measure (measures.measure gives its unit and description)",
    ("observations", "value"): "The value, in the measure's unit (money in pounds)",
    ("measures", "measure"): "Name of the measure",
    ("measures", "publication"): "The publication that provides it",
    ("measures", "unit"): "Unit of its values (GBP = pounds)",
    ("measures", "description"): "What it measures, in plain words",
    ("places", "code"): "GSS code", ("places", "name"): "Short name", ("places", "official_name"): "Official name",
    ("places", "tier"): "Tier: county, shire_district, unitary, metropolitan_district, london_borough, "
                        "city_of_london, combined_authority, greater_london_authority, region, england",
    ("places", "region_code"): "Region (GSS code)", ("places", "county_code"): "County of a shire district",
    ("places", "strategic_authority_code"): "Combined authority or GLA the place belongs to",
    ("places", "start_date"): "First day in being (blank: before the register's records)",
    ("places", "end_date"): "End date (blank: current)", ("places", "current"): "In being today",
    ("places", "replaced_by"): "Successor code(s), ';'-separated", ("places", "ecode"): "MHCLG E-code",
    ("provenance", "publication"): "Publication id", ("provenance", "title"): "Official title",
    ("provenance", "publisher"): "Publisher", ("provenance", "url"): "Official URL", ("provenance", "licence"): "Licence",
    ("provenance", "file"): "File loaded", ("provenance", "sha256"): "SHA-256 of the file loaded",
    ("provenance", "rows"): "Rows loaded from the publication",
    ("provenance", "set_aside"): "Rows of bodies outside the register set aside", ("provenance", "loaded_at"): "When (UTC)",
}


def clean(value):
    """JSON-safe scalars: NaN and infinities become null, numpy types become Python ones, -0.0 is 0.0."""
    if value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value + 0.0
    if hasattr(value, "item"):
        return clean(value.item())
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def without_negative_zero(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with -0.0 made 0.0 in its float columns (a sum of income held as negative, turned
    round, can be -0.0, which CSV and JSON would print as "-0.0"). Column by column, not row by row."""
    floats = [i for i in range(frame.shape[1]) if frame.dtypes.iloc[i].kind == "f"]
    if not floats:
        return frame
    out = frame.copy()
    for i in floats:
        out.iloc[:, i] = frame.iloc[:, i] + 0.0
    return out


def records(frame: pd.DataFrame) -> list[dict]:
    """JSON-safe rows (``clean`` on every value), read column by column (several times faster than
    row tuples on wide tables)."""
    columns = [str(c) for c in frame.columns]
    cleaned = [[clean(v) for v in frame.iloc[:, i].to_numpy(dtype=object, na_value=None)]
               for i in range(frame.shape[1])]
    return [dict(zip(columns, row)) for row in zip(*cleaned)]


def parquet_bytes(frame: pd.DataFrame, meta: dict | None = None) -> bytes:
    """The table as a Parquet file (pyarrow), with ``meta`` (units, notes, prices) as JSON under
    the schema metadata key ``devolution``. A column of mixed Python values is written as text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = without_negative_zero(frame.reset_index(drop=True))
    mixed = [c for c in frame.columns if frame[c].dtype == object and len({type(v) for v in frame[c].dropna()}) > 1]
    arrow = pa.Table.from_pandas(frame.astype({c: "string" for c in mixed}), preserve_index=False)
    if meta:
        arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}),
                                               b"devolution": json.dumps(meta, default=str).encode()})
    buffer = io.BytesIO()
    pq.write_table(arrow, buffer)
    return buffer.getvalue()


def export_store(store, directory: Path | str) -> pd.DataFrame:
    """Write every table of ``store`` as ``DIRECTORY/TABLE.parquet`` (DuckDB's own writer, types
    kept) and ``DIRECTORY/data_dictionary.csv`` (table, column, type, rows, what it holds); returns
    the dictionary. The folder is made if needed; files of the same names are replaced."""
    directory = Path(directory)
    tables = store.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                         "ORDER BY table_name")["table_name"].tolist()
    if not tables:
        raise StoreError(f"the store at {store.path} holds no tables: run `devo data load` first")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot make the folder {directory}: {exc.strerror}") from None
    columns = store.query("SELECT table_name, column_name, data_type, ordinal_position FROM information_schema.columns "
                          "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position")
    rows = {}
    for name in tables:
        target = directory / f"{name}.parquet"
        store.connection.execute(f"COPY \"{name}\" TO '{str(target).replace(chr(39), chr(39) * 2)}' (FORMAT PARQUET)")
        rows[name] = int(store.query(f'SELECT count(*) AS n FROM "{name}"')["n"].iloc[0])
    dictionary = pd.DataFrame({
        "table": columns["table_name"], "file": columns["table_name"] + ".parquet",
        "column": columns["column_name"], "type": columns["data_type"],
        "rows": columns["table_name"].map(rows),
        "description": [COLUMN_NOTES.get((t, c), "As in the official file (see provenance.parquet)")
                        for t, c in zip(columns["table_name"], columns["column_name"])]})
    dictionary.to_csv(directory / "data_dictionary.csv", index=False)
    return dictionary
