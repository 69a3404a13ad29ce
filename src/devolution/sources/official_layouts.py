"""Readers for files in the layout their publisher releases them in.

The parsers in the source modules read tidy CSVs (lower-case columns, one row per place and year).
The official originals come in other layouts: the ONS mid-year estimates as an Excel workbook with
one column per year, the ONS lookups as CSVs with upper-case field names (``LAD24CD``). The
readers here turn an official file into the frame the tidy CSV would have given (``read_csv``:
every column as text), so the parsers check and load it the same way.

``DERIVED`` says, for an official file that cannot stand in for the tidy CSV under the tidy name
(a workbook), which tidy CSV it yields; ``devo data pull`` writes that CSV next to the original.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from devolution.errors import DataError
from devolution.sources.base import read_csv

# ------------------------------------------------------------------ ONS mid-year estimates

#: The ONS workbook "Estimates of the population for England and Wales, mid-2023 (2023 local
#: authority boundaries edition)": table MYE4 holds mid-2011 to mid-2023 for every area.
MYE_WORKBOOK = "mye23tablesew.xlsx"
MYE_SHEET = "MYE4"
MYE_COLUMNS = ["gss_code", "name", "geography", "year", "population"]
_MID_YEAR = re.compile(r"^\s*mid-?\s*(\d{4})\s*$", re.IGNORECASE)


def read_mye_workbook(path: Path, sheet: str = MYE_SHEET) -> pd.DataFrame:
    """The ONS MYE workbook's MYE4 table as the tidy ``gss_code, name, geography, year,
    population`` frame (text columns, like ``read_csv``), one row per area and mid-year."""
    try:
        book = pd.ExcelFile(path, engine="calamine")
    except Exception as exc:  # calamine raises its own types for a file that is not a workbook
        raise DataError(f"cannot be read as a workbook ({exc})", file=path.name) from exc
    if sheet not in book.sheet_names:
        raise DataError(f"no sheet {sheet!r} (sheets: {', '.join(book.sheet_names)}); expected the "
                        f"ONS table of mid-2011 to mid-2023 estimates", file=path.name)
    raw = pd.read_excel(book, sheet_name=sheet, header=None, dtype=object)
    first = raw.iloc[:, 0].astype("string").str.strip().str.lower()
    headers = first.index[first == "code"]
    if len(headers) == 0:
        raise DataError(f"sheet {sheet}: no header row starting with 'Code' (expected Code, Name, "
                        f"Geography, Mid-2023, Mid-2022, ...)", file=path.name)
    header_at = int(headers[0])
    header = [str(v).strip() if v is not None and not pd.isna(v) else "" for v in raw.iloc[header_at]]
    table = raw.iloc[header_at + 1:].copy()
    table.columns = header
    lowered = {h.lower(): h for h in header}
    for needed in ("code", "name", "geography"):
        if needed not in lowered:
            raise DataError(f"sheet {sheet}: missing column {needed.title()!r}", file=path.name,
                            row=header_at + 1, column=needed.title())
    years = {h: int(m.group(1)) for h in header if (m := _MID_YEAR.match(h))}
    if not years:
        raise DataError(f"sheet {sheet}: no Mid-YYYY columns", file=path.name, row=header_at + 1)
    table = table[table[lowered["code"]].notna()]
    parts = []
    for column, year in sorted(years.items(), key=lambda item: item[1]):
        parts.append(pd.DataFrame({
            "gss_code": table[lowered["code"]].astype(str).str.strip(),
            "name": table[lowered["name"]].astype(str).str.strip(),
            "geography": table[lowered["geography"]].astype(str).str.strip(),
            "year": str(year),
            "population": table[column].map(_text),
        }))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["gss_code", "year"], kind="stable").reset_index(drop=True)


def _text(value) -> str | None:
    """A workbook cell as the text a CSV would hold (integers without a trailing ``.0``)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ------------------------------------------------------------------ ONS lookups (Open Geography Portal)

#: Official ONS field-name stems -> our column stems (``LAD24CD`` -> ``ltla24_code``).
_ONS_STEMS = {"LAD": "ltla", "LTLA": "ltla", "UTLA": "utla", "CAUTH": "cauth", "RGN": "region",
              "CTY": "county", "CTRY": "country"}
_ONS_FIELD = re.compile(r"^(LAD|LTLA|UTLA|CAUTH|RGN|CTY|CTRY)(\d{2})(CD|NM)$")


def ons_column(name: str) -> str:
    """An official ONS lookup field name as our column name; other names unchanged.

    >>> ons_column("LAD24CD"), ons_column("RGN24NM"), ons_column("CAUTH23CD")
    ('ltla24_code', 'region24_name', 'cauth23_code')
    """
    match = _ONS_FIELD.match(name.strip().lstrip("\ufeff").upper())
    if not match:
        return name
    stem, year, kind = match.groups()
    return f"{_ONS_STEMS[stem]}{year}_{'code' if kind == 'CD' else 'name'}"


def is_official_lookup(columns: Iterable[str]) -> bool:
    """Whether a header row is in the ONS layout (upper-case ``...CD``/``...NM`` fields)."""
    return any(_ONS_FIELD.match(str(c).strip().lstrip("\ufeff").upper()) for c in columns)


def read_lookup(path: Path, columns: Iterable[str]) -> pd.DataFrame:
    """An ONS lookup CSV in either layout (ours, or the official upper-case one with a BOM and an
    ``ObjectId`` column), with our column names; a required column missing is refused by name."""
    columns = list(columns)
    try:
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"cannot be read as CSV ({exc})", file=path.name) from exc
    if not is_official_lookup(header):
        return read_csv(path, columns)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
    frame = frame.rename(columns={c: ons_column(c) for c in frame.columns})
    frame = frame.drop(columns=[c for c in frame.columns if c.lower() in {"objectid", "fid"}])
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        wanted = ", ".join(f"{c} ({_official_name(c)})" for c in missing)
        raise DataError(f"missing column(s) {wanted}", file=path.name, row=1, column=missing[0])
    return frame


def _official_name(column: str) -> str:
    inverse = {v: k for k, v in _ONS_STEMS.items() if k != "LTLA"}
    stem, _, kind = column.partition("_")
    letters = stem.rstrip("0123456789")
    return f"{inverse.get(letters, letters.upper())}{stem[len(letters):]}{'CD' if kind == 'code' else 'NM'}"


# ------------------------------------------------------------------ official file -> tidy CSV

#: An official file that cannot be saved under the tidy name -> (tidy CSV it yields, reader).
DERIVED: dict[str, tuple[str, Callable[[Path], pd.DataFrame]]] = {
    MYE_WORKBOOK: ("population_mye_2011_2023_lad_county_region.csv", read_mye_workbook),
}
