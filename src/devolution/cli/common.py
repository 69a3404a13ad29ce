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
            Console(stderr=True).print(f"[bold red]error:[/] {plain(exc)}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    return wrapper


def console():
    from rich.console import Console

    return Console()


def show(frame, fmt: Format, title: str | None = None, money: tuple[str, ...] = ()) -> None:
    """Print a DataFrame as a coloured table, CSV or JSON, or write it to standard output as Parquet
    (refused onto a terminal: redirect it to a file)."""
    if fmt is Format.parquet:
        if sys.stdout.isatty():
            raise DevolutionError("--format parquet writes a binary file: redirect it, e.g. `... --format parquet "
                                  "> table.parquet`")
        sys.stdout.flush()
        sys.stdout.buffer.write(frame.reset_index(drop=True).to_parquet(index=False))
        sys.stdout.buffer.flush()
        return
    if fmt is Format.csv:
        sys.stdout.write(frame.to_csv(index=False))
        return
    if fmt is Format.json:
        sys.stdout.write(frame.to_json(orient="records", indent=1, date_format="iso") + "\n")
        return
    from rich.table import Table

    table = Table(title=plain(title) if title else None, header_style="bold cyan", row_styles=["", "dim"])
    for column in frame.columns:
        numeric = frame[column].dtype.kind in "if"
        table.add_column(plain(column), justify="right" if numeric else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*[_cell(v) for v in row])
    console().print(table)


def _cell(value) -> str:
    """A value as table text (cells are data, so "[x]" in them is escaped, not read as markup)."""
    import math

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        text = f"{value:,.1f}" if abs(value) < 1e15 else f"{value:.3g}"
        return "0.0" if text == "-0.0" else text  # a tiny negative is not "-0.0"
    return plain(value)
