"""The ``devo`` command: nouns then verbs (``devo data load``, ``devo places show``).

Heavy imports (pandas, DuckDB, Altair) happen inside commands so ``devo --help`` starts fast.
Errors of the project's own types print as one clear line and exit with status 1.
"""

from __future__ import annotations

import functools
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

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


def friendly(command):
    """Print the project's own errors as one red line and exit 1, instead of a traceback."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except DevolutionError as exc:
            from rich.console import Console

            Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    return wrapper


def console():
    from rich.console import Console

    return Console()


def show(frame, fmt: Format, title: str | None = None, money: tuple[str, ...] = ()) -> None:
    """Print a DataFrame as a coloured table, CSV or JSON."""
    if fmt is Format.csv:
        sys.stdout.write(frame.to_csv(index=False))
        return
    if fmt is Format.json:
        sys.stdout.write(frame.to_json(orient="records", indent=1, date_format="iso") + "\n")
        return
    from rich.table import Table

    table = Table(title=title, header_style="bold cyan", row_styles=["", "dim"])
    for column in frame.columns:
        numeric = frame[column].dtype.kind in "if"
        table.add_column(str(column), justify="right" if numeric else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*[_cell(v) for v in row])
    console().print(table)


def _cell(value) -> str:
    import math

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) < 1e15 else f"{value:.3g}"
    return str(value)


# ---------------------------------------------------------------------------------- data

@data_app.command("load")
@friendly
def data_load(
    directory: Optional[Path] = typer.Argument(None, help="Folder of official files (default: DEVOLUTION_DATA)."),
):
    """Read the official datasets into the store, all or nothing.

    Every file is checked (columns, types, GSS codes, duplicated keys) before anything is written;
    a bad file leaves the store as it was.

    Examples:

        devo data load                      # the folder in DEVOLUTION_DATA

        devo data load ~/Downloads/devo     # another folder

        DEVOLUTION_STORE=/tmp/x.duckdb devo data load ../shared/data
    """
    from rich.progress import Progress

    from devolution import config
    from devolution.sources import PUBLICATIONS
    from devolution.store import Store

    directory = directory or config.data_dir()
    with Progress(console=console(), transient=True) as progress, Store() as store:
        task = progress.add_task("Reading publications", total=len(PUBLICATIONS))
        report = store.load(directory, progress=lambda id_: progress.update(
            task, advance=1, description=f"Reading {id_}"))
        path = store.path
    out = console()
    out.print(f"[green]Loaded[/] {len(report.loaded)} publications into {path}")
    for id_, rows in report.loaded.items():
        aside = report.set_aside.get(id_, 0)
        note = f" ({aside:,} rows of bodies outside the register set aside)" if aside else ""
        out.print(f"  {id_}: {rows:,} rows{note}")
    if report.absent:
        out.print(f"[yellow]Not in {directory}:[/] {', '.join(report.absent)}")
    if report.unrecognised:
        out.print(f"[yellow]Files not recognised (ignored):[/] {', '.join(report.unrecognised)}")


@data_app.command("sources")
@friendly
def data_sources(
    known: bool = typer.Option(False, "--known", help="List every publication the tool can read, loaded or not."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
):
    """List the loaded publications with their provenance (title, publisher, URL, licence, file, checksum).

    Examples:

        devo data sources

        devo data sources --known --format csv
    """
    import pandas as pd

    if known:
        from devolution.sources import PUBLICATIONS

        frame = pd.DataFrame([{"publication": p.id, "title": p.title, "publisher": p.publisher,
                               "files": ", ".join(p.files), "url": p.url} for p in PUBLICATIONS])
    else:
        from devolution.store import Store

        with Store(read_only=True) as store:
            frame = store.provenance()
        frame = frame[["publication", "title", "publisher", "file", "rows", "url", "licence", "sha256", "loaded_at"]]
        frame["sha256"] = frame["sha256"].str[:12]
    show(frame, fmt, title="Official publications")


@data_app.command("measures")
@friendly
def data_measures(fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json.")):
    """List the measures in the store, their unit, publication and years.

    Example:

        devo data measures --format csv
    """
    from devolution.store import Store

    with Store(read_only=True) as store:
        show(store.measures(), fmt, title="Measures")


# ---------------------------------------------------------------------------------- places

@places_app.command("list")
@friendly
def places_list(
    tier: Optional[str] = typer.Option(None, help="Tier(s), comma-separated: county, shire_district, unitary, "
                                                  "metropolitan_district, london_borough, city_of_london, "
                                                  "combined_authority, greater_london_authority, region, england."),
    region: Optional[str] = typer.Option(None, help="Region code or name, e.g. 'North West'."),
    county: Optional[str] = typer.Option(None, help="County code or name: its districts."),
    strategic_authority: Optional[str] = typer.Option(None, "--strategic-authority", "--sa",
                                                      help="Combined authority or GLA: its members."),
    year: Optional[int] = typer.Option(None, help="Places in force on 1 April of this financial year (e.g. 2019)."),
    former: bool = typer.Option(False, "--former", help="Include abolished places and former codes."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
):
    """List places in the register, filtered by tier, region, county or strategic authority.

    Examples:

        devo places list --tier unitary --region "North East"

        devo places list --county Kent

        devo places list --sa "Greater Manchester" --format csv

        devo places list --tier shire_district --year 2019
    """
    import devolution

    frame = devolution.places(tier=tier, region=region, county=county, strategic_authority=strategic_authority,
                              year=year, include_former=former)
    names = devolution.places(include_former=True).set_index("code")["name"]
    frame = frame.assign(region=frame["region_code"].map(names), county=frame["county_code"].map(names),
                         strategic_authority=frame["strategic_authority_code"].map(names))
    columns = ["code", "name", "tier", "region", "county", "strategic_authority"]
    if year is not None or former:
        columns += ["start_date", "end_date"]
    show(frame[columns] if fmt is Format.table else frame, fmt, title=f"{len(frame)} places")


@places_app.command("show")
@friendly
def places_show(place: str = typer.Argument(..., help="GSS code, E-code or name.")):
    """Show one place: its tier, dates, parents (county, strategic authority, region) and what it contains.

    Examples:

        devo places show E06000001

        devo places show "West Midlands"

        devo places show Allerdale     # abolished 2023: shows its successor
    """
    from devolution.places import register
    from devolution.store import Store

    with Store(read_only=True) as store:
        places = store.places()
    place_row = register.resolve(places, place)
    out = console()
    out.print(f"[bold]{place_row['name']}[/] ({place_row['code']}) — {register.TIER_LABELS.get(place_row['tier'], place_row['tier'])}")
    if isinstance(place_row["official_name"], str):
        out.print(f"  {place_row['official_name']}")
    start, end = (v if isinstance(v, str) else None for v in (place_row["start_date"], place_row["end_date"]))
    out.print(f"  from {start or 'an unrecorded date'} to {end or 'today'}"
              + (f"; replaced by {place_row['replaced_by']}" if isinstance(place_row['replaced_by'], str) else ""))
    chain = register.parents(places, place_row["code"])
    out.print("  inside: " + " › ".join(f"{r.name} ({r.code})" for r in chain.iloc[1:].itertuples()))
    inside = register.children(places, place_row["code"])
    if len(inside):
        show(inside[["code", "name", "tier"]], Format.table, title=f"Contains {len(inside)} places")


# ---------------------------------------------------------------------------------- overview

@app.command("overview")
@friendly
def overview_command(
    out: Path = typer.Option(Path("report.html"), "--out", "-o", help="Where to write the HTML report."),
    councils: Optional[Path] = typer.Option(None, "--councils-csv", help="Also write every council's figures as CSV."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json (the region table)."),
):
    """England overview: Core Spending Power and spending per head, by region and type of council,
    with the change since 2015-16; printed, and written as an HTML report with charts.

    Examples:

        devo overview

        devo overview --out build/report.html --councils-csv build/councils.csv
    """
    import devolution
    from devolution.report.overview import write_html
    from devolution.store import Store

    with Store(read_only=True) as store:
        result = devolution.overview(store=store)
        sources = store.provenance()[["publication", "title", "publisher", "url"]].drop_duplicates("publication")
    columns = ["group", "councils", "first", "per_head_first", "last", "per_head_last", "change_pct"]
    for table, title in ((result.by_region, "by region (per resident)"), (result.by_tier, "by type of council")):
        for measure, rows in table.groupby("measure", sort=False):
            show(rows[columns].rename(columns={"per_head_first": "£/head", "per_head_last": "£/head ",
                                               "change_pct": "change %"}),
                 fmt, title=f"{measure}, {title}")
    if len(result.left_out):
        console().print(f"[yellow]Left out (no figure in one of the years):[/] "
                        + "; ".join(f"{m}: {', '.join(g['name'])}" for m, g in result.left_out.groupby("measure")))
    path = write_html(result, out, sources)
    if councils is not None:
        councils.parent.mkdir(parents=True, exist_ok=True)
        result.councils.to_csv(councils, index=False)
    console().print(f"[green]Wrote[/] {path}")


@data_app.command("pull")
@friendly
def data_pull(
    directory: Optional[Path] = typer.Argument(None, help="Folder to save into (default: DEVOLUTION_DATA)."),
):
    """Download the official originals from their official URLs (needs internet).

    Each file is saved under a temporary name and renamed only when complete, so a failed
    download leaves nothing half-written. Official workbooks are also converted to the tidy CSV
    the loader reads. Publications known only by a landing page are listed, not fetched.
    Then run `devo data load` on the same folder (the register of places must be loaded too).

    Examples:

        devo data pull                      # into DEVOLUTION_DATA

        devo data pull ~/devo-data && devo data load ~/devo-data
    """
    from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn,
                               TransferSpeedColumn)

    from devolution import config
    from devolution.sources.pull import PullError, pull

    directory = directory or config.data_dir()
    out = console()
    tasks: dict[str, int] = {}
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
               TimeRemainingColumn())
    failure: PullError | None = None
    with Progress(*columns, console=out) as progress:
        def advance(download, done, total):
            if download.filename not in tasks:
                tasks[download.filename] = progress.add_task(download.filename, total=total)
            progress.update(tasks[download.filename], completed=done, total=total)

        try:
            report = pull(directory, progress=advance)
        except PullError as exc:
            failure = exc
            report = exc.report
    if report is not None:
        out.print(f"[green]Pulled[/] {len(report.pulled)} file(s) into {directory}")
        for item in report.pulled:
            made = f" (and {', '.join(p.name for p in item.derived)})" if item.derived else ""
            out.print(f"  {item.publication}: {item.path.name}, {item.size:,} bytes{made}")
        if report.no_download:
            out.print(f"[yellow]No direct download URL (landing page only; fetch by hand):[/] "
                      f"{', '.join(report.no_download)}")
    if failure is not None:
        raise failure
    out.print(f"Next: `devo data load {directory}`")


# ---------------------------------------------------------------------------------- explain

@app.command("explain")
@friendly
def explain_command(
    code: str = typer.Argument(..., help="GSS code of the place, e.g. E06000001."),
    year: str = typer.Argument(..., help="Financial year, e.g. 2023-24 or 2023."),
    measure: str = typer.Argument(..., help="band_d, csp_total or max_band_d."),
):
    """Show how a figure is computed: the rule, its inputs from the store, each parameter with its
    value and source, and the published figure it is checked against.

    Examples:

        devo explain E06000001 2023-24 band_d

        devo explain E07000223 2019-20 csp_total

        devo explain E10000003 2023-24 max_band_d
    """
    from devolution.explain import explain

    out = console()
    for line in explain(code, year, measure).lines():
        out.print(line, highlight=False, markup=False, soft_wrap=True)


# ---------------------------------------------------------------------------------- doctor

@app.command("doctor")
@friendly
def doctor():
    """Check an install: Python, the data folder, the store and what it holds.

    Example:

        devo doctor
    """
    import platform

    from devolution import config
    from devolution.sources import PUBLICATIONS

    out = console()
    problems = 0

    def line(ok: bool, text: str, hint: str = "") -> None:
        nonlocal problems
        problems += not ok
        out.print(f"[{'green' if ok else 'red'}]{'ok ' if ok else 'NO '}[/] {text}" + (f"  [dim]{hint}[/]" if hint and not ok else ""))

    line(sys.version_info >= (3, 10), f"Python {platform.python_version()}", "devolution needs Python 3.10+")
    folder = config.data_dir()
    known = {name for p in PUBLICATIONS for name in p.files}
    present = sorted(p.name for p in folder.glob("*") if p.name in known) if folder.is_dir() else []
    line(bool(present), f"data folder {folder}: {len(present)} known files",
         "set DEVOLUTION_DATA or run `devo data pull`")
    store_file = config.store_path()
    line(store_file.exists(), f"store {store_file}", "run `devo data load`")
    if store_file.exists():
        from devolution.store import Store

        with Store(read_only=True) as store:
            loaded = set(store.provenance()["publication"]) if store._has_table("provenance") else set()
        missing = [p.id for p in PUBLICATIONS if p.id not in loaded]
        line(not missing, f"{len(loaded)} of {len(PUBLICATIONS)} publications loaded",
             f"not loaded: {', '.join(missing)}")
    if problems:
        raise typer.Exit(1)


def main() -> None:  # pragma: no cover
    app()
