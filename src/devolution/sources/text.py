"""Text files as bytes: the first byte that is not text in the file's encoding, found by row and column;
the CSV tokenizer's complaint as one line naming the row."""

from __future__ import annotations

import csv
import re

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
