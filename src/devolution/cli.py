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


# ---------------------------------------------------------------------------------- change and claims

claims_app = typer.Typer(help="Test public claims about council funding against the data.", no_args_is_help=True)
app.add_typer(claims_app, name="claims")


@app.command("change")
@friendly
def change_command(
    measure: str = typer.Argument(..., help="nce_total_service_expenditure, nce_education, nce_adult_social_care, "
                                            "nce_childrens_social_care, nce_housing_gfra, nce_highways_transport, "
                                            "nce_cultural, nce_environmental_regulatory, nce_planning_development, "
                                            "nce_central_services, csp_total, council_tax_requirement_excl_parish, "
                                            "ro_council_tax_requirement or band_d_area_total."),
    first: str = typer.Option(..., "--from", help="First financial year, e.g. 2010 or 2010-11."),
    last: str = typer.Option(..., "--to", help="Last financial year, e.g. 2017 or 2017-18."),
    by: str = typer.Option("england", "--by", help="england, region, type, nmsl (North/Midlands/South/London), "
                                                  "deprivation (= imd2019_quintile), imd2019_decile, imd2025_quintile, "
                                                  "imd2025_decile, cla_band or places."),
    per: str = typer.Option("resident", "--per", help="resident, child, older (65+), looked_after_child, total "
                                                      "(pupil is refused: no pupil data)."),
    prices_base: Optional[str] = typer.Option(None, "--prices", help="Price base, e.g. 2024-25 (GDP deflator); cash if omitted."),
    boundaries: int = typer.Option(2023, "--boundaries", help="Put every year on the councils of this financial year."),
    places: Optional[str] = typer.Option(None, "--places", help="With --by places: GSS codes, comma-separated."),
    deflators: Optional[Path] = typer.Option(None, "--deflators", help="YAML file with the HM Treasury GDP deflator "
                                                                       "series (same form as parameters/economy/gdp_deflators.yaml)."),
    chart: Path = typer.Option(Path("change.html"), "--chart", help="Where to write the chart (.html or .json spec)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
):
    """Change in a measure between two years, per head, by group of places; printed and charted.

    Examples:

        devo change nce_total_service_expenditure --from 2010 --to 2017 --by deprivation

        devo change nce_total_service_expenditure --from 2010 --to 2017 --by deprivation --prices 2024-25 --deflators hmt.yaml

        devo change nce_childrens_social_care --from 2011 --to 2024 --per child --by region

        devo change band_d_area_total --from 2015 --to 2023 --by nmsl --chart build/band_d.json
    """
    from devolution.analysis.change import change
    from devolution.analysis.prices import with_deflators
    from devolution.report.change import write_chart

    tree = with_deflators(deflators) if deflators is not None else None
    codes = [c.strip() for c in places.split(",") if c.strip()] if places else None
    table = change(measure, first, last, by, prices_base=prices_base, per=per, boundaries=boundaries,
                   places=codes, parameters=tree)
    shown = table[["group", "areas", "first", "value_first", "last", "value_last", "change_pct"]].rename(
        columns={"value_first": "first value", "value_last": "last value", "change_pct": "change %"})
    show(table if fmt is not Format.table else shown, fmt, title=f"{table.attrs['title']} ({table.attrs['unit']})")
    if fmt is Format.table:
        out = console()
        for note in table.attrs["notes"]:
            out.print(f"[dim]- {note}[/]", highlight=False)
        if table.attrs["left_out"]:
            out.print("[yellow]Left out (no figure in one of the years):[/] "
                      + ", ".join(r["name"] for r in table.attrs["left_out"]), highlight=False)
        out.print(f"Sources: {', '.join(table.attrs['publications'])}", highlight=False)
        out.print(f"[green]Wrote[/] {write_chart(table, chart)}")
    else:
        write_chart(table, chart)


@claims_app.command("check")
@friendly
def claims_check(
    file: Path = typer.Argument(..., help="YAML file of claims (see examples/claims.yaml)."),
    deflators: Optional[Path] = typer.Option(None, "--deflators", help="YAML file with the HM Treasury GDP deflator series."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
):
    """Check each claim in a file against the data: supported, not supported or cannot tell,
    with the numbers, the method and the sources.

    Examples:

        devo claims check examples/claims.yaml

        devo claims check examples/claims.yaml --deflators hmt_gdp_deflators.yaml --format csv
    """
    from devolution.analysis.claims import check, read_claims
    from devolution.analysis.prices import with_deflators
    from devolution.store import Store

    claims = read_claims(file)
    tree = with_deflators(deflators) if deflators is not None else None
    with Store(read_only=True) as store:
        result = check(claims, store=store, parameters=tree)
    if fmt is not Format.table:
        show(result, fmt)
        return
    out = console()
    colour = {"supported": "green", "not supported": "red", "cannot tell": "yellow"}
    for row in result.itertuples():
        out.print(f"[bold {colour[row.verdict]}]{row.verdict.upper()}[/] [bold]{row.id}[/]: {row.statement}",
                  highlight=False)
        out.print(f"  figures: {row.figures}", highlight=False, markup=False)
        out.print(f"  method: {row.method}", highlight=False, markup=False)
        if row.sources:
            out.print(f"  sources: {row.sources}", highlight=False, markup=False)
    counts = result["verdict"].value_counts()
    out.print(", ".join(f"{counts.get(v, 0)} {v}" for v in colour))


# ---------------------------------------------------------------------------------- powers and deals (#6)

@app.command("powers")
@friendly
def powers_command(
    levels: bool = typer.Option(False, "--levels", help="Show the White Paper framework levels instead."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
):
    """The catalogue of powers: the department that holds each today, the tiers that may hold it,
    the CRA and council spending lines that fund it, and its official references.

    Examples:

        devo powers

        devo powers --levels

        devo powers --format csv
    """
    from devolution.powers import catalogue, framework

    if levels:
        show(framework.levels_table(), fmt, title="Devolution framework (English Devolution White Paper, Dec 2024)")
    else:
        show(catalogue.table(), fmt, title="Powers")


@app.command("deals")
@friendly
def deals_command(
    place: Optional[str] = typer.Argument(None, help="A strategic authority (code or name); all if omitted."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
):
    """Devolution deals and settlements from the Greater Manchester Agreement (Nov 2014) onward:
    date, place, powers, amounts verified on gov.uk (others listed as unverified), source.

    Examples:

        devo deals

        devo deals "Greater Manchester"

        devo deals E47000004 --format json
    """
    from devolution.places.register import resolve
    from devolution.powers import deals
    from devolution.store import Store

    code = None
    if place is not None:
        with Store(read_only=True) as store:
            code = resolve(store.places(), place)["code"]
    show(deals.table(code), fmt, title="Deals and settlements")


@app.command("readiness")
@friendly
def readiness_command(
    place: str = typer.Argument(..., help="A place (code or name)."),
    on: str = typer.Option("2025-04-01", "--on", help="Date of the assessment (YYYY-MM-DD)."),
    evidence: Optional[str] = typer.Option(None, "--evidence",
                                           help="Manual criteria met, comma-separated, e.g. assurance_framework,sound_accounts."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
):
    """Readiness for devolution: each criterion, met or not, its score and evidence (from the register,
    the deals and ONS population where possible), and the framework level reached.

    Examples:

        devo readiness "Greater Manchester"

        devo readiness "Tees Valley" --on 2027-04-01

        devo readiness E47000008 --evidence assurance_framework,sound_accounts
    """
    import datetime as dt

    from devolution.errors import DevolutionError
    from devolution.powers.readiness import assess
    from devolution.store import Store

    try:
        day = dt.date.fromisoformat(on)
    except ValueError:
        raise DevolutionError(f"--on {on!r} is not a date (expected YYYY-MM-DD)") from None
    given = {k.strip(): True for k in (evidence or "").split(",") if k.strip()}
    with Store(read_only=True) as store:
        result = assess(store.places(), store.observations("population"), place, day, given)
    show(result.criteria, fmt, title=f"{result.name} on {day}: score {result.score}/{result.possible}, "
                                     f"level {result.level or 'none'}")


@app.command("devolve")
@friendly
def devolve_command(
    by_default: bool = typer.Option(False, "--by-default", help="Give every eligible place everything its level allows."),
    start: int = typer.Option(2027, "--from", help="First financial year (e.g. 2027 = from 1 April 2027)."),
    place: Optional[str] = typer.Option(None, "--place", help="Only this strategic authority."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
):
    """Devolution by default: every strategic authority in force gets each power its framework level
    allows from a date; shows what changes against the deals (new by default / already held).

    Examples:

        devo devolve --by-default --from 2027

        devo devolve --by-default --from 2027 --place "West Midlands" --format csv
    """
    from devolution.errors import DevolutionError
    from devolution.places.register import resolve
    from devolution.powers.framework import by_default as run
    from devolution.store import Store

    if not by_default:
        raise DevolutionError("give --by-default (deal-by-deal devolution is listed by `devo deals`)")
    with Store(read_only=True) as store:
        places = store.places()
        frame = run(places, store.observations("population"), start)
        if place is not None:
            frame = frame[frame["place"] == resolve(places, place)["code"]]
    new = int((frame["change"] == "new by default").sum())
    show(frame, fmt, title=f"Devolution by default from {start}-{(start + 1) % 100:02d}: "
                           f"{new} new grants to {frame['place'].nunique()} places")


@app.command("budget")
@friendly
def budget_command(
    place: str = typer.Argument(..., help="A place (code or name): strategic authority, council, county, region."),
    year: int = typer.Option(2017, "--year", help="Financial year: 2011..2014 or 2017 (where outturn and CRA overlap)."),
    devolve: Optional[str] = typer.Option(None, "--devolve", help="Powers to devolve, comma-separated, or 'all'."),
    years: bool = typer.Option(False, "--years", help="Show every year held (multi-year view) instead."),
    compare: Optional[str] = typer.Option(None, "--compare", help="Other places to compare per head, comma-separated."),
    out: Optional[Path] = typer.Option(Path("build/place_budget.html"), "--out", "-o", help="Where to write the chart."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
):
    """One Place, One Budget: all identifiable public spending in a place by function, and who decides
    it (council / devolved / central); writes a stacked-bar chart. See docs/place_budget.md.

    Examples:

        devo budget "Greater Manchester" --year 2017

        devo budget E47000001 --year 2017 --devolve adult_skills,bus_franchising

        devo budget "Greater Manchester" --years

        devo budget E47000001 --compare E47000007,E47000004
    """
    from devolution.powers import budget as place_budget
    from devolution.powers.catalogue import parse_powers
    from devolution.report.budget import series_chart, who_decides_chart, write_chart
    from devolution.store import Store

    moved = parse_powers(devolve)
    with Store(read_only=True) as store:
        if compare:
            frame = place_budget.compare(store, [place, *compare.split(",")], year, moved)
            show(frame, fmt, title=f"Place budgets per head, {year}-{(year + 1) % 100:02d}")
            return
        if years:
            frame = place_budget.series(store, place, devolve=moved)
            show(frame, fmt, title="Place budget by year")
            chart = series_chart(frame)
        else:
            result = place_budget.place_budget(store, place, year, moved)
            show(place_budget.summary(result), fmt,
                 title=f"{result.name} {year}-{(year + 1) % 100:02d}: £{result.total / 1e6:,.0f}m, "
                       f"£{result.total / result.population:,.0f} per head")
            chart = who_decides_chart(result)
    if out is not None:
        path = write_chart(chart, out)
        if fmt is Format.table:
            console().print(f"[green]Wrote[/] {path}")


# ---------------------------------------------------------------------------------- settlement

def _parse_settings(settings: list[str], year: int) -> dict:
    """``PATH=VALUE`` pairs -> overrides from ``year`` onward; a malformed pair names itself."""
    import yaml

    from devolution.errors import ParameterError
    from devolution.years import year_label

    overrides: dict = {}
    for item in settings:
        path, sep, text = item.partition("=")
        if not sep or not path.strip():
            raise ParameterError(f"--set {item!r}: expected PATH=VALUE, e.g. business_rates.local_share=1.0")
        overrides[path.strip()] = {year_label(year): yaml.safe_load(text)}
    return overrides


@app.command("settlement")
@friendly
def settlement_command(
    year: str = typer.Option(..., "--year", help="Financial year, e.g. 2017 or 2017-18."),
    settings: list[str] = typer.Option([], "--set", help="PATH=VALUE from this year on, e.g. business_rates.local_share=1.0."),
    inputs: Optional[Path] = typer.Option(None, "--inputs", help="CSV of official per-authority amounts: code, "
                                          "business_rates_baseline, baseline_funding_level, "
                                          "non_domestic_rating_income, tier_share[, pool]."),
    base_local_share: float = typer.Option(0.5, "--base-local-share", help="Local share the baselines in --inputs were set at."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
):
    """Business rates retention and the settlement (2013-14 to 2025-26), for every authority.

    With --inputs (the official business rates baselines, baseline funding levels and rates income,
    which are not in the shared data), shows retained income, levy, safety net and the change
    against current policy under the --set parameters. Without it, shows what the data holds:
    SFA (Core Spending Power tables, 2015-16 to 2020-21), RSG and retained rates income (revenue
    outturn, 2013-14, 2014-15, 2017-18), and BFL implied as SFA - RSG; --set is then checked but
    changes nothing shown. Unknown parameter paths are refused with the path.

    Examples:

        devo settlement --year 2017-18

        devo settlement --year 2017 --inputs baselines.csv --set business_rates.local_share=1.0

        devo settlement --year 2019 --inputs baselines.csv --set settlement.retention.levy_rate_cap=0.25 --format csv
    """
    from devolution import parameters
    from devolution.analysis.settlement import retention_from_csv, settlement_illustration
    from devolution.errors import DevolutionError
    from devolution.store import Store
    from devolution.years import parse_year, year_label

    start = parse_year(year)
    overrides = _parse_settings(settings, start)
    if overrides:
        parameters.with_overrides(overrides)  # every path and value checked before anything runs
    if start >= 2026:
        raise DevolutionError(f"{year_label(start)} is under the Fair Funding Review 2.0: the official needs "
                              f"weights, quanta, tax bases and floors are not in the data (see docs/settlement.md); "
                              f"the machinery is in devolution.rules.needs")
    if inputs is not None:
        frame = retention_from_csv(inputs, start, overrides, base_local_share)
        show(frame, fmt, title=f"Business rates retention {year_label(start)} (£; change = scenario - current policy)")
        return
    with Store(read_only=True) as store:
        frame = settlement_illustration(store, start)
    if frame.empty:
        raise DevolutionError(f"no SFA, RSG or retained rates figures in the store for {year_label(start)} "
                              f"(SFA 2015-16..2020-21; outturn 2013-14, 2014-15, 2017-18)")
    show(frame, fmt, title=f"Settlement data {year_label(start)} (£; bfl_implied = SFA - RSG outturn, not official)")
    if fmt is Format.table:
        console().print("[yellow]Business rates baselines, BFLs, tariffs/top-ups and NNDR income are not in the "
                        "data: levy and safety net need --inputs. See docs/settlement.md.[/]")


# ---------------------------------------------------------------------------------- microsim

microsim_app = typer.Typer(help="Property-level council tax: synthetic stocks, reforms, national runs.",
                           no_args_is_help=True)
app.add_typer(microsim_app, name="microsim")


@microsim_app.command("build")
@friendly
def microsim_build(
    out: Path = typer.Argument(..., help="Folder for the stock (dwellings/ and hereditaments/ under it)."),
    year: int = typer.Option(2022, "--year", help="Year of the dwellings-by-band counts (2022 is the latest)."),
    hereditaments: bool = typer.Option(True, "--hereditaments/--no-hereditaments",
                                       help="Also write the synthetic non-domestic stock."),
):
    """Build the synthetic national stock from the store and write it as Parquet, one folder per
    billing authority. Dwellings match every authority's published count in every band exactly.

    Examples:

        devo microsim build build/stock

        devo microsim build build/stock --year 2019 --no-hereditaments
    """
    import numpy as np

    from devolution.microsim import partitions, stock as stocks
    from devolution.store import Store

    with Store(read_only=True) as store:
        dwellings = stocks.dwellings_from_store(store, year)
    partitions.write_dwellings(dwellings, out / "dwellings")
    rows = [("dwellings", len(dwellings), len(dwellings.codes))]
    if hereditaments:
        heredits = stocks.hereditaments_for(dwellings.codes, np.diff(dwellings.offsets))
        partitions.write_hereditaments(heredits, out / "hereditaments")
        rows.append(("hereditaments", len(heredits), len(heredits.codes)))
    import pandas as pd

    show(pd.DataFrame(rows, columns=["stock", "rows", "billing_authorities"]), Format.table,
         title=f"Wrote {out} ({year})")


@microsim_app.command("run")
@friendly
def microsim_run(
    stock_dir: Path = typer.Argument(..., help="Folder written by `devo microsim build`."),
    year: int = typer.Option(2022, "--year", help="Year of the Band D charges and parameters."),
    single_person: Optional[float] = typer.Option(None, "--single-person", help="Single person discount share."),
    ratios: Optional[str] = typer.Option(None, "--ratios", help="Eight band proportions, e.g. 6/9,7/9,8/9,1,11/9,13/9,15/9,2."),
    new_band: Optional[list[str]] = typer.Option(None, "--new-band", help="RATIO:SHARE of band H (repeatable)."),
    dask: bool = typer.Option(False, "--dask", help="Run on Dask (a LocalCluster unless --scheduler)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786."),
    top: int = typer.Option(20, "--top", help="Rows shown (largest yield change first); 0 for all."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
):
    """Run a council tax reform on every dwelling and compare each billing authority with the
    baseline: tax base (Band D equivalents), yield at today's Band D, and the Band D that would
    raise today's yield. The reform applies from --year onward.

    Examples:

        devo microsim run build/stock --single-person 0.30

        devo microsim run build/stock --new-band 21/9:0.4 --new-band 24/9:0.2 --top 0

        devo microsim run build/stock --single-person 0.2 --scheduler tcp://10.0.0.5:8786
    """
    from devolution.microsim import partitions, run
    from devolution.microsim.reforms import reform_from_options
    from devolution.store import Store

    reform = reform_from_options(year, single_person, ratios, new_band)
    root = stock_dir / "dwellings"
    codes = partitions.partition_codes(root)
    with Store(read_only=True) as store:
        band_d = run.band_d_for(store, codes, year)
    if dask or scheduler:
        from devolution.microsim.distributed import council_tax_on_dask

        base = council_tax_on_dask(root, dict(zip(codes, band_d)), year, scheduler=scheduler)
        new = council_tax_on_dask(root, dict(zip(codes, band_d)), year, reform, scheduler=scheduler)
        frame = run.comparison_from_sums(base, new)
    else:
        frame = run.compare(partitions.read_dwellings(root, codes, year), band_d, year, reform)
    frame = frame.sort_values("yield_change", key=abs, ascending=False)
    show(frame.head(top) if top else frame, fmt, title=f"{reform.name} vs baseline, {year} (£; tax base in Band D equivalents; "
                                                           f"synthetic stock, see docs/microsim.md)")


# ---------------------------------------------------------------------------------- scenarios
scenario_app = typer.Typer(help="Scenarios: projections of the funding gap with uncertainty, and "
                                "winners and losers against a baseline.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")


def _scenario_store():
    from devolution.store import Store

    return Store(read_only=True)


@scenario_app.command("new")
@friendly
def scenario_new(
    path: Path = typer.Argument(..., help="File to write (e.g. my-scenario.yaml)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
):
    """Write a commented scenario template.

    Example: `devo scenario new rates.yaml` then edit it and `devo scenario validate rates.yaml`.
    """
    from devolution.scenarios.template import render

    if path.exists() and not force:
        raise DevolutionError(f"{path} exists: give another name or --force")
    path.write_text(render(path.stem), encoding="utf-8")
    console().print(f"wrote {path}")


@scenario_app.command("validate")
@friendly
def scenario_validate(file: Path = typer.Argument(..., help="Scenario YAML file.")):
    """Check a scenario file: every problem is listed with its key path.

    Checked against the parameters and, when a store is loaded, the years and places held.
    Example: `devo scenario validate examples/scenarios/devolution.yaml`
    """
    from devolution.scenarios import model, runner

    store = _scenario_store()
    if store.path.exists():
        with store:
            scenario = runner.load(file, store)
    else:
        scenario = model.load(file)
    years = scenario.projection_years
    from devolution.years import year_label

    console().print(f"{file}: valid scenario {scenario.name!r}, {len(years)} years "
                    f"{year_label(years[0])}..{year_label(years[-1])}, {scenario.draws:,} draws, "
                    f"seed {scenario.seed}", soft_wrap=True, highlight=False)


@scenario_app.command("run")
@friendly
def scenario_run(
    file: Path = typer.Argument(..., help="Scenario YAML file."),
    draws: Optional[int] = typer.Option(None, "--draws", help="Monte Carlo draws (default: the file's)."),
    place: Optional[str] = typer.Option(None, "--place", help="Show one place's gap (GSS code or name)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write an HTML page with fan charts."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
):
    """Project the funding gap (pressure minus resources) with percentiles over the draws.

    Prints England's gap by year (£m); `--place` prints one council's.
    Example: `devo scenario run examples/scenarios/baseline.yaml --draws 5000 --place Leeds --out gap.html`
    """
    from devolution.places.register import resolve
    from devolution.scenarios import runner
    from devolution.years import year_label

    with _scenario_store() as store:
        scenario = runner.load(file, store)
        result = runner.run(scenario, store, draws=draws)
        code = resolve(store.places(), place)["code"] if place else None
    rows = result.england if code is None else result.gap[result.gap["code"] == code]
    if code is not None and rows.empty:
        raise DevolutionError(f"{place}: not among the councils projected (see the left-out list)")
    table = rows.drop(columns=[c for c in ("code",) if c in rows]).copy()
    table["year"] = table["year"].map(year_label)
    for column in table.columns[1:]:
        table[column] = (table[column] / 1e6).round(2)
    title = f"{scenario.name}: funding gap, £m cash ({'England' if code is None else code})"
    show(table, fmt, title=title)
    if fmt is Format.table:
        for note in result.notes:
            console().print(f"[dim]- {note}[/]", highlight=False, soft_wrap=True)
    if out:
        from devolution.report.scenario import fan_chart, write_page

        charts = [fan_chart(result)] + ([fan_chart(result, code)] if code else [])
        write_page(out, title, charts, [("Councils left out", result.inputs.left_out),
                                        ("Parameters used", result.resolved)], result.notes)
        console().print(f"wrote {out}")


class ScenarioGrouping(str, Enum):
    place = "place"
    region = "region"
    type = "type"
    deprivation = "deprivation"


@scenario_app.command("compare")
@friendly
def scenario_compare(
    baseline: Path = typer.Argument(..., help="Baseline scenario file."),
    scenario: Path = typer.Argument(..., help="Scenario file to compare with it."),
    year: Optional[str] = typer.Option(None, "--year", help="Year compared (default: the last projected)."),
    by: ScenarioGrouping = typer.Option(ScenarioGrouping.region, "--by",
                                        help="place, region, type or deprivation (IMD 2025 decile)."),
    place: Optional[str] = typer.Option(None, "--place", help="Place for the waterfall chart in --out."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write an HTML page with the charts."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
):
    """Winners and losers: the change in funding gap of SCENARIO against BASELINE (central runs).

    Example: `devo scenario compare examples/scenarios/baseline.yaml examples/scenarios/devolution.yaml --by deprivation`
    """
    from devolution.places.register import resolve
    from devolution.scenarios import compare, runner
    from devolution.years import parse_year, year_label

    with _scenario_store() as store:
        a, b = runner.load(baseline, store), runner.load(scenario, store)
        ra, rb = runner.run(a, store, draws=1), runner.run(b, store, draws=1)
        when = parse_year(year) if year else int(rb.years[-1])
        if when not in set(ra.years) or when not in set(rb.years):
            raise DevolutionError(f"--year {year_label(when)} is not projected by both scenarios")
        table = compare.by_place(ra, rb, when, store)
        code = resolve(store.places(), place)["code"] if place else None
    column = {"place": None, "region": "region", "type": "tier_label", "deprivation": "imd2025_decile"}[by.value]
    if column is None:
        shown = table[["code", "name", "tier_label", "region", "imd2025_decile", "gap_baseline", "gap_scenario",
                       "change", "change_per_head", "outcome"]]
    else:
        shown = compare.by_group(table, column)
    show(shown.round(2), fmt, title=f"{b.name} against {a.name}, {year_label(when)} (£ cash)")
    if out:
        from devolution.report.scenario import distribution, waterfall, write_page

        charts = [distribution(table, "Change in funding gap per head, every council")]
        if code:
            name = table.set_index("code")["name"].get(code, code)
            charts.insert(0, waterfall(compare.components(ra, rb, when, code), f"{name}: from baseline to scenario"))
        write_page(out, f"{b.name} against {a.name}", charts, [("Every council", table)], rb.notes)
        console().print(f"wrote {out}")


# ---------------------------------------------------------------------------------- web

@app.command("serve")
@friendly
def serve_command(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (127.0.0.1: this machine only)."),
    port: int = typer.Option(8000, help="Port to listen on."),
    submissions: Optional[Path] = typer.Option(None, "--submissions", help="SQLite file for budget submissions "
                                               "(default: DEVOLUTION_SUBMISSIONS, else submissions.sqlite next to the store)."),
):
    """Serve the dashboard, the open API and the resident budget simulator.

    The store (DEVOLUTION_STORE) is opened read-only; submissions go to their own small file.
    Set DEVOLUTION_ADMIN_PASSWORD to see the simulator's results at /simulator/results.

    Examples:

        devo serve

        devo serve --port 8080 --submissions /var/lib/devolution/submissions.sqlite
    """
    import os

    from devolution import config
    from devolution.errors import StoreError

    if not config.store_path().exists():
        raise StoreError(f"no store at {config.store_path()}: run `devo data load` first")
    if submissions is not None:
        os.environ["DEVOLUTION_SUBMISSIONS"] = str(submissions)
    elif not os.environ.get("DEVOLUTION_SUBMISSIONS"):
        os.environ["DEVOLUTION_SUBMISSIONS"] = str(config.store_path().with_name("submissions.sqlite"))
    console().print(f"devolution on http://{host}:{port}/  (API docs at /docs; Ctrl+C to stop)")
    from devolution.web.app import serve

    serve(host=host, port=port)


def main() -> None:  # pragma: no cover
    app()
