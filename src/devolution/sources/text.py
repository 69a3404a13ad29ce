"""Reading a CSV file's text: the first byte that is not text in the file's encoding, found by row and
column; the CSV tokenizer's complaint as one line naming the row; a file cut off; a column that is not
in the file's layout. Each refusal is a ``DataError`` naming the file, row and column."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from devolution.errors import DataError


def refuse_undecodable(data: bytes, encoding: str, file: str) -> None:
    """Refuse a CSV file's bytes that are not text in ``encoding`` (a Latin-1 é in a UTF-8 file):
    a ``DataError`` naming the row and column of the first (the decoder alone gives an offset in
    the chunk it was reading, which names neither)."""
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        header = next(csv.reader([data[:data.find(b"\n")].decode(encoding, errors="replace").strip()]), [])
        field = len(next(csv.reader([data[line_start:exc.start].decode(encoding, errors="replace")]), [""])) - 1
        raise DataError(f"byte 0x{data[exc.start]:02x} is not {encoding.upper()} text (save the file as "
                        f"{encoding.upper()})", file=file, row=data.count(b"\n", 0, exc.start) + 1,
                        column=header[field] if field < len(header) else None) from None


def csv_error(message: str, file: str) -> DataError:
    """pandas' tokenizer message ("Expected 3 fields in line 7, saw 4\\n") as one line naming the row."""
    text = " ".join(message.split())
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if found:
        want, line, saw = (int(g) for g in found.groups())
        return DataError(f"has {saw} fields where the header has {want} (a stray comma, or a value with a "
                         f"comma not in quotes?)", file=file, row=line)
    return DataError(f"cannot be read as CSV ({text})", file=file)


def read_csv(path: Path, columns: Iterable[str], encoding: str = "utf-8",
             unread: Iterable[str] | None = ()) -> pd.DataFrame:
    """Read a CSV as text, refusing it if a required column is missing (named, with the header row),
    if it has no rows of data, or if a row is cut short (fewer fields than the header, or a last
    line that stops after a comma with no line break: a file cut off while it was written).

    ``columns``: the columns read (each required). ``unread``: the other columns the file's layout
    has, carried for people and not read (an authority's name, a source note); a column in neither
    is refused, since a column added to a file would otherwise be silently ignored. ``None``: any
    other column is welcome (a table kept whole, whose every column is stored)."""
    columns = list(columns)
    data = path.read_bytes()
    refuse_undecodable(data, encoding, path.name)
    try:
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[""],
                            encoding=encoding)
    except pd.errors.EmptyDataError:
        raise DataError("is empty (expected a header row and rows of data)", file=path.name) from None
    except pd.errors.ParserError as exc:
        raise csv_error(str(exc), path.name) from None
    _refuse_bad_header(data, encoding, path)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        semicolons = ";" in str(frame.columns[0]) and len(frame.columns) == 1
        raise DataError(
            f"missing column(s) {', '.join(map(repr, missing))}; "
            f"expected columns include {', '.join(columns)}"
            + ("; the header is one field holding ';': is the file separated by semicolons? (commas expected)"
               if semicolons else ""),
            file=path.name, row=1, column=missing[0],
        )
    if unread is not None:
        refuse_unknown_columns(frame, columns, unread, path)
    if frame.empty:
        raise DataError("has a header but no rows of data (an emptied or cut-off file?)", file=path.name, row=2)
    _refuse_cut_rows(data, frame, path)
    return frame


def _refuse_bad_header(data: bytes, encoding: str, path: Path) -> None:
    """Refuse a header with a column named twice or a column with no name. pandas renames them
    (``sfa.1``, ``Unnamed: 6``), so a copied column loaded under a made-up name, and a refusal
    named a column the file does not have."""
    line = data.split(b"\n", 1)[0].rstrip(b"\r").decode(encoding, errors="replace").lstrip("\ufeff")
    names = next(csv.reader([line]), [])
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if not name.strip():
            raise DataError(f"column {position} of the header has no name", file=path.name, row=1)
        if name in seen:
            raise DataError(f"column {name!r} appears twice in the header (columns {seen[name]} and {position}): "
                            f"each column may appear once", file=path.name, row=1, column=name)
        seen[name] = position


def _some(names: list[str], shown: int = 12) -> str:
    """The first names of a long list, and how many there are in all."""
    return ", ".join(names) if len(names) <= shown else f"{', '.join(names[:shown])} ... ({len(names)} in all)"


def refuse_unknown_columns(frame: pd.DataFrame, columns: list[str], unread: Iterable[str], path: Path) -> None:
    """Refuse a column that is neither read nor known to the file's layout, naming it and the layout."""
    layout = [*columns, *(c for c in unread if c not in columns)]
    extra = [c for c in frame.columns if c not in layout]
    if extra:
        raise DataError(
            f"column {extra[0]!r} is not in this file's layout, so it would not be read"
            f"{f' (nor {len(extra) - 1} more)' if len(extra) > 1 else ''}: remove it (the columns this file "
            f"may have: {_some(layout)})",
            file=path.name, row=1, column=str(extra[0]))


def _refuse_cut_rows(data: bytes, frame: pd.DataFrame, path: Path) -> None:
    """Refuse a CSV with a row cut short. pandas fills a short row's missing fields with blanks,
    so only a file whose last column has a blank can hold one; pyarrow's parser (which counts the
    fields of every row, minding quotes) then finds it."""
    if not data.endswith(b"\n") and data.rsplit(b"\n", 1)[-1].rstrip(b"\r").endswith(b","):
        raise DataError("the file ends in the middle of a row (its last line stops after a comma, with no "
                        "line break): it looks cut off; fetch it again", file=path.name,
                        row=data.count(b"\n") + 1)
    if not frame.iloc[:, -1].isna().any():
        return
    import pyarrow as pa
    from pyarrow import csv as pa_csv

    short: list = []

    def note(row) -> str:
        short.append(row)
        return "skip"

    names = [f"c{i}" for i in range(len(frame.columns))]
    try:
        pa_csv.read_csv(io.BytesIO(data),
                        read_options=pa_csv.ReadOptions(skip_rows=1, column_names=names),
                        parse_options=pa_csv.ParseOptions(invalid_row_handler=note, newlines_in_values=True),
                        convert_options=pa_csv.ConvertOptions(include_columns=names[:1],
                                                              column_types={names[0]: pa.string()}))
    except pa.ArrowInvalid as exc:
        raise DataError(f"cannot be read as CSV ({exc})", file=path.name) from None
    if short:
        row = short[0]
        raise DataError(f"a row is cut short: it has {row.actual_columns} of the header's "
                        f"{row.expected_columns} fields ({row.text[:60]!r}); the file looks cut off "
                        f"or damaged", file=path.name, row=_line_of(data, row.text))


def _line_of(data: bytes, text: str) -> int | None:
    """The line number (1 = header) on which a whole line ``text`` first appears in ``data``."""
    needle = text.encode()
    at = data.find(b"\n" + needle)
    while at != -1:
        end = at + 1 + len(needle)
        if data[end:end + 1] in (b"", b"\n", b"\r"):
            return data.count(b"\n", 0, at + 1) + 1
        at = data.find(b"\n" + needle, at + 1)
    return None
