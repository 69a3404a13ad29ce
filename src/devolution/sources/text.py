"""Text files as bytes: the first byte that is not text in the file's encoding, found by row and column."""

from __future__ import annotations

import csv

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
