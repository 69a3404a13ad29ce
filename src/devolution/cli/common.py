"""What every `devo` command shares: the app, output formats, the error wrapper and table printer."""

from __future__ import annotations

import functools
import sys
from enum import Enum

import typer

from devolution.errors import DevolutionError

app = typer.Typer(
    help="devolution: English local government finance and devolution, computable and checkable.\n\n"
         "Start with `devo data load` (reads the official datasets in DEVOLUTION_DATA), then "
         "`devo overview`.",
    no_args_is_help=True, rich_markup_mode="markdown", pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Load, list and fetch the official datasets.", no_args_is_help=True)
places_app = typer.Typer(help="The register of places: councils, strategic authorities, regions.",
                         no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(places_app, name="places")


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


def plain(value) -> str:
    """Text from a file or a user (a message, a name, a path) for rich to print as written:
    "[x]" in it is escaped, not read as markup."""
    from rich.markup import escape

    return escape(str(value))


def friendly(command):
    """Print the project's own errors as one red line and exit 1, instead of a traceback."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except DevolutionError as exc:
            from rich.console import Console

            # The message quotes file content and user input: "[x]" there is text, not markup.
            message = _in_other_nations(exc) or str(exc)
            Console(stderr=True).print(f"[bold red]error:[/] {plain(message)}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    return wrapper


def _in_other_nations(exc: Exception) -> str | None:
    """For a name the register does not know, the sentence saying it is a council of Wales, Scotland
    or Northern Ireland ("Cardiff"), from ONS's district codes in the store; ``None`` otherwise."""
    from devolution.places.names import NoPlaceMatch, in_other_nations

    if not isinstance(exc, NoPlaceMatch) or not exc.query:
        return None
    try:
        from devolution.store import Store

        with Store(read_only=True) as store:
            return in_other_nations(exc.query, store.table("lad_code_history")) \
                if store.has_table("lad_code_history") else None
    except DevolutionError:  # no store, or it is in use: the register's own message
        return None


def console():
    from rich.console import Console

    return Console()


def show(frame, fmt: Format, title: str | None = None, narrow: tuple[str, ...] = (),
         counts: tuple[str, ...] = (), shares: tuple[str, ...] = ()) -> None:
    """Print a DataFrame as a coloured table, CSV or JSON, or write it to standard output as Parquet
    (refused onto a terminal: redirect it to a file). No figure is written as "-0.0".

    A table too wide for the terminal, even wrapped at its spaces, is printed one card a row; or,
    when ``narrow`` names the columns a reader cannot do without, with the others left out (the
    rightmost first, only as many as it takes) and a line below naming them and how to see them.
    ``counts`` names columns of whole counts (people, dwellings): on a terminal, whole with thousands
    separated ("168,115", not "168,115.0"); in the other formats, integers ("168115", not "168115.0";
    a missing one blank or null). ``shares`` names columns of fractions (0.0306): on a terminal, per
    cent to one decimal ("3.1%"); the other formats keep the fraction whole. Raises DevolutionError
    for a count that is not whole (a column named wrongly), rather than print it rounded."""
    from devolution.exports import without_negative_zero

    frame = _whole(without_negative_zero(frame), counts)
    if fmt is Format.parquet:
        if sys.stdout.isatty():
            raise DevolutionError("--format parquet writes a binary file: redirect it, e.g. `... --format parquet "
                                  "> table.parquet`")
        sys.stdout.flush()
        from devolution.exports import parquet_bytes

        sys.stdout.buffer.write(parquet_bytes(frame))
        sys.stdout.buffer.flush()
        return
    if fmt is Format.csv:
        sys.stdout.write(frame.to_csv(index=False))
        return
    if fmt is Format.json:
        sys.stdout.write(frame.to_json(orient="records", indent=1, date_format="iso") + "\n")
        return
    from rich.table import Table

    out = console()
    kinds = ["count" if column in counts else "share" if column in shares else "" for column in frame.columns]
    cells = [[_cell(v, k) for v, k in zip(row, kinds)] for row in frame.itertuples(index=False)]
    headers = [plain(c) for c in frame.columns]
    columns = [[header, *(row[i] for row in cells)] for i, header in enumerate(headers)]
    least = [max([len(w) for text in texts for w in text.split()] or [1]) for texts in columns]
    kept = list(range(len(headers)))
    droppable = [i for i in kept if narrow and frame.columns[i] not in narrow]
    while droppable and _too_wide([least[i] for i in kept], out.width):
        kept.remove(droppable.pop())
    if _too_wide([least[i] for i in kept], out.width):
        _cards(frame, cells, title, out)
        return
    table = Table(title=plain(title) if title else None, header_style="bold cyan", row_styles=["", "dim"])
    widths = _widths([columns[i] for i in kept], [least[i] for i in kept], out.width)
    for i, width in zip(kept, widths):
        numeric = frame[frame.columns[i]].dtype.kind in "iuf"
        table.add_column(headers[i], justify="right" if numeric else "left", width=width)
    for row in cells:
        table.add_row(*(row[i] for i in kept))
    out.print(table)
    if len(kept) < len(headers):
        left_out = ", ".join(h for i, h in enumerate(headers) if i not in kept)
        out.print(f"Left out to fit {out.width} columns: {left_out}. See them with --format csv, or in a wider "
                  f"terminal (e.g. COLUMNS=200 before the command).", highlight=False)


def show_with_notes(frame, fmt: Format, title: str | None, notes, counts: tuple[str, ...] = (),
                    shares: tuple[str, ...] = (), on_stderr: bool = False) -> None:
    """``show`` a table; on a terminal, then each of ``notes`` (text, printed as written) as a
    "- note" line below it. Other formats carry what the notes say in their columns; or, with
    ``on_stderr`` (notes no column carries), as "note: ..." lines on standard error, so that
    standard output stays one whole table."""
    show(frame, fmt, title=title, counts=counts, shares=shares)
    if fmt is Format.table:
        out = console()
        for note in notes:
            out.print(f"- {plain(note)}", highlight=False)
    elif on_stderr:
        say_on_stderr(notes)


def say_on_stderr(notes) -> None:
    """Each of ``notes`` as a "note: ..." line on standard error (with --format csv, json or parquet,
    where standard output holds only the table)."""
    from rich.console import Console

    err = Console(stderr=True)
    for note in notes:
        err.print(f"note: {plain(note)}", highlight=False, soft_wrap=True)


def _too_wide(least: list[int], width: int) -> bool:
    """Whether a table cannot fit ``width`` even with every cell wrapped at its spaces: its
    columns' longest words (``least``) and borders are wider (rich would then cut words to "Cum…")."""
    return sum(least) + 3 * len(least) + 1 > width


def _widths(columns: list[list[str]], least: list[int], width: int) -> list[int | None]:
    """Each column's width when the table must wrap to fit ``width``: its longest word (``least``),
    and the space left shared in proportion to what each column's longest line still lacks.
    ``columns``: each column's header then cells. (rich's own squeeze narrows the widest columns
    first and then all alike, and cut a population of 2,685,386.0 to "2,685,386…" at 120 columns.)
    None for every column when the table fits whole."""
    most = [max([len(text) for text in texts] or [1]) for texts in columns]
    room = width - 3 * len(columns) - 1
    if sum(most) <= room:
        return [None] * len(columns)
    spare, lack = room - sum(least), [m - lo for m, lo in zip(most, least)]
    extra = [spare * gap // sum(lack) for gap in lack]
    return [lo + e for lo, e in zip(least, extra)]


def _cards(frame, cells: list[list[str]], title: str | None, out) -> None:
    """Each row as a card of its own (column: value), for a table too wide for the terminal."""
    from rich.table import Table

    if title:
        out.print(f"[bold]{plain(title)}[/]")
    for row in cells:
        card = Table(title=row[0] or None, show_header=False, title_justify="left", title_style="bold cyan")
        card.add_column(style="cyan")
        card.add_column(overflow="fold")  # a word longer than the terminal (a URL) goes on, not cut to "…"
        for column, value in zip(frame.columns[1:], row[1:]):
            card.add_row(plain(column), value)
        out.print(card)


def _whole(frame, counts: tuple[str, ...]):
    """``frame`` with its ``counts`` columns as integers (pandas' nullable Int64 where one is
    missing), column by column; a DevolutionError naming the column if one holds a fraction."""
    import numpy as np

    floats = [c for c in frame.columns if c in counts and frame[c].dtype.kind == "f"]
    if not floats:
        return frame
    out = frame.copy()
    for column in floats:
        values = out[column].to_numpy()
        held = values[~np.isnan(values)]
        if not np.array_equal(held, np.round(held)):
            raise DevolutionError(f"column {column!r} is shown as a count but holds a fraction "
                                  f"({float(held[held != np.round(held)][0])!r})")
        out[column] = out[column].astype("Int64")
    return out


def _cell(value, kind: str = "") -> str:
    """A value as table text (cells are data, so "[x]" in them is escaped, not read as markup);
    ``kind`` "count": with thousands separated and no decimals; "share": a fraction as per cent."""
    import math
    import numbers

    import pandas as pd

    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind and isinstance(value, numbers.Real) and not isinstance(value, bool):
        from devolution.numbers import number

        return number(value, 0) if kind == "count" else f"{number(100 * value, 1)}%"
    if isinstance(value, float):
        from devolution.numbers import number

        return number(value, 1) if abs(value) < 1e15 else f"{value:.3g}"  # never "-0.0"
    return plain(value)


def checked_out(out, fmt: Format, page: tuple[str, ...] = (".html",), what: str = "the result"):
    """``--out`` of a command whose result is several tables, checked before any work: with
    ``--format table`` a page (``page`` suffixes) or nothing; ``json`` a ``.json`` file or standard
    output; ``csv`` and ``parquet`` a folder that exists (one file per table), never standard output."""
    from devolution.files import output_folder, output_path

    if fmt in (Format.csv, Format.parquet):
        if out is None:
            raise DevolutionError(f"--format {fmt.value}: {what} is several tables, so it needs --out FOLDER "
                                  f"(one .{fmt.value} file per table); or use --format json (one object with a key "
                                  f"per table) or --format table")
        return output_folder(out)
    if out is None:
        return None
    return output_path(out, (".json",) if fmt is Format.json else page)


def write_tables(tables: dict, fmt: Format, out) -> list:
    """Several tables in one format (``checked_out`` gave ``out``): JSON as one object with a key per
    table (to ``out`` or standard output); CSV or Parquet as ``out/NAME.csv`` / ``.parquet``. Returns
    the files written."""
    import json as json_module

    from devolution.exports import parquet_bytes, records, without_negative_zero
    from devolution.files import write_output

    if fmt is Format.json:
        text = json_module.dumps({name: records(frame) for name, frame in tables.items()}, indent=1) + "\n"
        if out is None:
            sys.stdout.write(text)
            return []
        return [write_output(out, text)]
    written = []
    for name, frame in tables.items():
        frame = without_negative_zero(frame)
        content = frame.to_csv(index=False) if fmt is Format.csv else parquet_bytes(frame)
        written.append(write_output(out / f"{name}.{fmt.value}", content))
    return written
