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
from devolution.sources.text import read_csv

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
    frame = read_csv(path, (), encoding="utf-8-sig", unread=None)  # ONS's own fields, renamed below
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


# ------------------------------------------------------------------ MHCLG local authority workbooks

#: MHCLG's official file names (as published on assets.publishing.service.gov.uk).
CTR_WORKBOOK = "CTR_Table_9_2023-24.ods"
RSX_WORKBOOK = "RSX_LA_Data_2024-25_data_by_LA.ods"
TAXBASE_WORKBOOK = "Council_Taxbase_local_authority_level_data_2022.ods"

#: A finance "E-code" of one authority (class totals use other codes: TE, ILB, [Y] ...).
_ECODE = re.compile(r"^E\d{4}$")
_LINE = re.compile(r"^\s*(\d+[a-z]?)\s*\.")
_FINANCIAL_YEAR = re.compile(r"\b(\d{4}-\d{2})\b")

#: CTR table 9 lines (current year) -> columns of the tidy levels CSV, by sheet.
CTR_SHEETS = {
    "billing": ("Data_Billing", {
        "ctr_incl_parish": "1", "parish_precepts": "2", "ctr_excl_parish": "3",
        "taxbase_after_ctr_scheme": "4", "collection_rate": "5", "taxbase_for_ct_setting": "7",
        "band_d_incl_parish": "8", "band_d_excl_parish": "9", "asc_precept_total": "10",
        "band_d_area_total": "17"}),
    "precepting": ("Data_Precepting", {
        "ctr_incl_parish": "1", "taxbase_for_ct_setting": "2", "band_d_incl_parish": "3",
        "asc_precept_total": "4"}),
}
CTR_COLUMNS = ["year", "section", "ecode", "ons_code", "authority", "la_class",
               *dict.fromkeys(c for _, lines in CTR_SHEETS.values() for c in lines)]
TAXBASE_COLUMNS = ["year", "ecode", "ons_code", "authority", *(f"dwellings_band_{b}" for b in "ABCDEFGH"),
                   "dwellings_total"]


def _sheet(path: Path, wanted: Callable[[str], bool], expected: str) -> tuple[pd.DataFrame, str]:
    """The first sheet whose name ``wanted`` accepts, as raw cells (row i = sheet row i + 1)."""
    try:
        book = pd.ExcelFile(path, engine="calamine")
    except Exception as exc:  # calamine raises its own types for a file that is not a workbook
        raise DataError(f"cannot be read as a workbook ({exc})", file=path.name) from exc
    names = [n for n in book.sheet_names if wanted(n)]
    if not names:
        shown = ", ".join(n for n in book.sheet_names if "/" not in n)  # not the external-link ghosts
        raise DataError(f"no sheet {expected} (sheets: {shown})", file=path.name)
    return pd.read_excel(book, sheet_name=names[0], header=None, dtype=object), names[0]


def _header(raw: pd.DataFrame, first: str, path: Path, sheet: str, expected: str) -> tuple[int, list[str]]:
    """The header row (the first whose first cell is ``first``) and its cells as text."""
    cells = raw.iloc[:, 0].map(lambda v: str(v).strip().lower() if isinstance(v, str) else "")
    rows = cells.index[cells == first.lower()]
    if len(rows) == 0:
        raise DataError(f"sheet {sheet}: no header row starting with {first!r} (expected {expected})",
                        file=path.name)
    at = int(rows[0])
    return at, [" ".join(str(v).split()) if isinstance(v, str) else "" for v in raw.iloc[at]]


def _find(header: list[str], name: str, path: Path, sheet: str, at: int) -> int:
    """The position of a named column (case and spacing ignored), or a refusal naming it."""
    lowered = [h.lower() for h in header]
    if name.lower() not in lowered:
        raise DataError(f"sheet {sheet}: missing column {name!r}", file=path.name, row=at + 1, column=name)
    return lowered.index(name.lower())


def _year(raw: pd.DataFrame, at: int, pattern: re.Pattern, path: Path, sheet: str, expected: str) -> str:
    """The year the notes above the header state (the last match of ``pattern``)."""
    text = " ".join(str(v) for v in raw.iloc[:at].to_numpy().ravel() if isinstance(v, str))
    found = pattern.findall(text)
    if not found:
        raise DataError(f"sheet {sheet}: the title rows do not state the year (expected {expected})",
                        file=path.name, row=1)
    return found[-1]


def _authorities(raw: pd.DataFrame, at: int, ecode: int, end: int | None = None) -> pd.DataFrame:
    """Rows below the header whose E-code is one authority's (class and England totals set aside)."""
    body = raw.iloc[at + 1:end]
    codes = body.iloc[:, ecode].map(lambda v: str(v).strip() if isinstance(v, str) else "")
    return body[codes.str.match(_ECODE.pattern).to_numpy()]


def _values(rows: pd.DataFrame, position: int, path: Path, sheet: str, column: str) -> list[str | None]:
    """A column of numbers as CSV text; a cell that is neither a number, blank nor a missing-value
    marker is refused with its sheet row and column."""
    from devolution.sources.base import MISSING_MARKERS

    out = []
    for index, value in rows.iloc[:, position].items():
        text = _text(value)
        if isinstance(value, str) and text not in MISSING_MARKERS and text != "":
            try:
                float(text.replace(",", ""))
            except ValueError:
                raise DataError(f"sheet {sheet}: {value!r} is not a number (expected a number, blank or "
                                f"a missing-value marker such as [x])", file=path.name, row=int(index) + 1,
                                column=column) from None
        out.append(text)
    return out


def read_ctr_workbook(path: Path) -> pd.DataFrame:
    """MHCLG "Council Tax levels set by local authorities", table 9 (CTR1/CTR2 data by authority):
    the current year of sheets Data_Billing and Data_Precepting as the tidy levels frame."""
    parts = []
    for section, (sheet, lines) in CTR_SHEETS.items():
        raw, sheet = _sheet(path, lambda n, s=sheet: n == s, f"{sheet!r} (CTR {section} authorities)")
        at, header = _header(raw, "E-code", path, sheet, "E-code, ONS Code, Authority, Region, Class, ...")
        year = _year(raw, at, re.compile(r"financial year (\d{4}-\d{2})"), path, sheet,
                     "'... relates to financial year 2023-24'")
        ids = {name: _find(header, label, path, sheet, at) for name, label in
               (("ecode", "E-code"), ("ons_code", "ONS Code"), ("authority", "Authority"), ("la_class", "Class"))}
        current: dict[str, int] = {}
        for position, text in enumerate(header):
            match = _LINE.match(text)
            if match and "(previous year)" not in text.lower():
                current.setdefault(match.group(1), position)
        rows = _authorities(raw, at, ids["ecode"])
        frame = pd.DataFrame({"year": year, "section": section}, index=rows.index)
        for name, position in ids.items():
            frame[name] = [_text(v) for v in rows.iloc[:, position]]
        for column, line in lines.items():
            if line not in current:
                raise DataError(f"sheet {sheet}: no column for line {line} of the CTR return "
                                f"(current year), read as {column}", file=path.name, row=at + 1,
                                column=f"{line}. ... (current year)")
            frame[column] = _values(rows, current[line], path, sheet, header[current[line]])
        parts.append(frame)
    return pd.concat(parts, ignore_index=True).reindex(columns=CTR_COLUMNS)


def read_rsx_workbook(path: Path) -> pd.DataFrame:
    """MHCLG Revenue Outturn "Service Expenditure Summary (RSX) data by LA": one row per body (the
    sheet's first table), one column per RSX line ID (the sheet's hidden ID row), £ thousand."""
    raw, sheet = _sheet(path, lambda n: n.lower().startswith("rsx_la_data"), "'RSX_LA_Data_YYYYYY'")
    at, header = _header(raw, "E-code", path, sheet, "E-code, ONS Code, Local authority, Notes, Class, ...")
    year = _year(raw, at, _FINANCIAL_YEAR, path, sheet, "'Revenue Outturn (RO) 2024-25: ...'")
    ids = {name: _find(header, label, path, sheet, at) for name, label in
           (("ecode", "E-code"), ("ons_code", "ONS Code"), ("authority", "Local authority"), ("la_class", "Class"))}
    is_id = raw.iloc[at + 1:].map(lambda v: isinstance(v, str) and v.startswith("RSX-"))
    counts = is_id.sum(axis=1)
    if counts.max() == 0:
        raise DataError(f"sheet {sheet}: no row of RSX line IDs (the hidden row of 'RSX-edu-empl', ...)",
                        file=path.name, row=at + 1, column="RSX line IDs")
    id_at = int(counts.idxmax())
    lines = {str(v): position for position, v in enumerate(raw.iloc[id_at]) if is_id.loc[id_at].iloc[position]}
    # The sheet's second table (class totals) repeats the GLA's row: read the first table only.
    first = raw.iloc[at + 1:id_at, ids["ecode"]].map(lambda v: str(v).strip().lower() if isinstance(v, str) else "")
    end = int(first.index[first == "e-code"][0]) if (first == "e-code").any() else id_at
    rows = _authorities(raw, at, ids["ecode"], end=end)
    frame = pd.DataFrame({"year": year}, index=rows.index)
    for name, position in ids.items():
        frame[name] = [_text(v) for v in rows.iloc[:, position]]
    values = {line: _values(rows, position, path, sheet, header[position] or line) for line, position in lines.items()}
    return pd.concat([frame, pd.DataFrame(values, index=rows.index)], axis=1).reset_index(drop=True)


def read_taxbase_workbook(path: Path) -> pd.DataFrame:
    """MHCLG "Council Taxbase" local authority level data: table 1.01 (dwellings on the valuation
    list, line 1 of the CTB return) of sheet Council_Taxbase_Data as the tidy dwellings frame."""
    raw, sheet = _sheet(path, lambda n: n == "Council_Taxbase_Data", "'Council_Taxbase_Data'")
    at, header = _header(raw, "E-code", path, sheet, "E-code, ONS Code, Region, Local Authority, Notes, "
                                                     "Band A ... Band H, Total")
    year = _year(raw, at, re.compile(r"\b(?:September|October)\s+(\d{4})\b"), path, sheet,
                 "'... collection in October 2022'")
    ids = {name: _find(header, label, path, sheet, at) for name, label in
           (("ecode", "E-code"), ("ons_code", "ONS Code"), ("authority", "Local Authority"))}
    titles = raw.iloc[:at].map(lambda v: isinstance(v, str) and v.strip().startswith("Table 1.01"))
    start = int(titles.any(axis=0).to_numpy().argmax()) if titles.any().any() else 0
    end = next((p for p in range(start + 1, len(header)) if header[p] == ""), len(header))
    block = header[start:end]
    rows = _authorities(raw, at, ids["ecode"])
    frame = pd.DataFrame({"year": year}, index=rows.index)
    for name, position in ids.items():
        frame[name] = [_text(v) for v in rows.iloc[:, position]]
    for band in [*"ABCDEFGH", "Total"]:
        label = f"Band {band}" if band != "Total" else "Total"
        if label.lower() not in [h.lower() for h in block]:
            raise DataError(f"sheet {sheet}: table 1.01 (dwellings on the valuation list) has no column "
                            f"{label!r}", file=path.name, row=at + 1, column=label)
        position = start + [h.lower() for h in block].index(label.lower())
        column = "dwellings_total" if band == "Total" else f"dwellings_band_{band}"
        frame[column] = _values(rows, position, path, sheet, label)
    return frame.reindex(columns=TAXBASE_COLUMNS).reset_index(drop=True)


def tidy_and_official(files: dict[str, Path], tidy: str, columns: Iterable[str], official: str,
                      reader: Callable[[Path], pd.DataFrame], year: str = "year",
                      unread: Iterable[str] | None = ()) -> list[tuple[Path, pd.DataFrame]]:
    """The frames to parse, each with its file: the tidy CSV's, less the year(s) the official
    workbook holds, and the workbook's (the original wins for its year; either may be absent).
    ``columns`` and ``unread``: the tidy CSV's layout, as ``read_csv`` takes them."""
    out = []
    book = reader(files[official]) if official in files else None
    if tidy in files:
        frame = read_csv(files[tidy], list(columns), unread=unread)
        if book is not None:
            frame = frame[~frame[year].isin(set(book[year]))]
        out.append((files[tidy], frame))
    if book is not None:
        out.append((files[official], book))
    return out
