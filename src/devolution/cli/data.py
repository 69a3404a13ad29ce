"""The `devo data` commands (load, sources, measures, pull) and `devo doctor`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from devolution.cli.common import Format, app, console, data_app, friendly, plain, show
from devolution.errors import DevolutionError


@data_app.command("load")
@friendly
def data_load(
    directory: Optional[Path] = typer.Argument(None, help="Folder of official files (default: DEVOLUTION_DATA)."),
    allow_shrink: list[str] = typer.Option(
        [], "--allow-shrink", metavar="PUBLICATION",
        help="Let this publication come back with far fewer rows or places than the store holds "
             "(a real shrink, e.g. a new edition with fewer years). Repeat for several."),
    max_file_mb: Optional[float] = typer.Option(
        None, "--max-file-mb", min=0.001,
        help="Largest file to read, in MB (default: DEVOLUTION_MAX_FILE_MB, else 100)."),
    wait: Optional[float] = typer.Option(
        None, "--wait", min=0, help="Seconds to wait while another process holds the store "
                                     "(default: DEVOLUTION_STORE_WAIT, else 10)."),
):
    """Read the official datasets into the store, all or nothing.

    Every file is checked before anything is written: columns, GSS codes, duplicated keys, and
    values that cannot be (infinite, negative counts, fractional dwellings, year 0000); a header
    with no rows, a row cut short, a file over the size limit, a publication with one of its files
    missing, or one that would come back with far fewer rows or places than the store holds. A
    refused load leaves the store as it was, byte for byte (see docs/loading.md).

    Examples:

        devo data load                      # the folder in DEVOLUTION_DATA

        devo data load ~/Downloads/devo     # another folder

        DEVOLUTION_STORE=/tmp/x.duckdb devo data load ../shared/data

        devo data load ~/devo --allow-shrink mhclg_core_spending_power   # a real shrink
    """
    from rich.progress import Progress

    from devolution import config
    from devolution.numbers import plural
    from devolution.sources import PUBLICATIONS
    from devolution.store import Store

    directory = directory or config.data_dir()
    limit = None if max_file_mb is None else int(max_file_mb * 1_000_000)
    with Progress(console=console(), transient=True) as progress, Store(wait=wait) as store:
        task = progress.add_task("Reading publications", total=len(PUBLICATIONS))
        report = store.load(directory, progress=lambda id_: progress.update(
            task, advance=1, description=f"Reading {id_}"), allow_shrink=allow_shrink, max_file_bytes=limit)
        path = store.path
    out = console()
    out.print(f"[green]Loaded[/] {len(report.loaded)} publications into {plain(path)}")
    for id_, rows in report.loaded.items():
        aside, zeros = report.set_aside.get(id_, 0), report.placeholders.get(id_, 0)
        notes = [f"{aside:,} rows of bodies outside the register set aside"] if aside else []
        notes += [f"{plural(zeros, 'council-year')} of placeholder zeros set aside (councils in years "
                  f"they were not in force)"] if zeros else []
        note = f" ({'; '.join(notes)})" if notes else ""
        out.print(f"  {id_}: {rows:,} rows{note}")
    if report.absent:
        out.print(f"[yellow]Not in {plain(directory)}:[/] {', '.join(report.absent)}")
    if report.unrecognised:
        out.print(f"[yellow]Files not recognised (ignored):[/] {plain(', '.join(report.unrecognised))}")
    if report.gaps is not None and not report.gaps.empty:
        out.print("[yellow]Councils in force that a publication lacks[/] (every figure made from it is "
                  "missing for them; `devo data gaps` lists them all):")
        for line in gap_lines(report.gaps):
            out.print(f"  {plain(line)}", highlight=False)


def gap_lines(gaps, shown: int = 3) -> list[str]:
    """One line per publication: how many council-years it lacks, and the first years' councils."""
    from devolution.numbers import plural
    from devolution.years import year_label

    lines = []
    for id_, rows in gaps.groupby("publication", sort=True):
        years = rows.groupby("year")["name"].agg(list)
        parts = [f"{year_label(int(y))} {', '.join(names[:shown])}" + (f" and {len(names) - shown} more" if
                                                                          len(names) > shown else "")
                 for y, names in list(years.items())[:shown]]
        more = f"; and {plural(len(years) - shown, 'more year')}" if len(years) > shown else ""
        lines.append(f"{id_}: {plural(len(rows), 'council-year')} ({'; '.join(parts)}{more})")
    return lines


@data_app.command("gaps")
@friendly
def data_gaps(
    publication: Optional[str] = typer.Option(None, "--publication", help="Only this publication (see `devo data sources`)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json or parquet (to a file: > out.parquet)."),
):
    """List the councils in force that a loaded publication lacks in a year it covers.

    A council of a tier the publication covers that year, in force on 1 April, with no figure (no row,
    or a row with every value blank): a gap in
    the official file (a return not made) or a cut copy. Councils a series never lists because it is
    published on later boundaries (ONS population on 2023 boundaries) are not gaps.

    Examples:

        devo data gaps

        devo data gaps --publication mhclg_revenue_outturn --format csv
    """
    from devolution.places.coverage import gaps
    from devolution.store import Store
    from devolution.years import year_label

    with Store(read_only=True) as store:
        table = gaps(store.places(), store.query("SELECT DISTINCT publication, code, year FROM observations"))
        known = set(store.provenance()["publication"])
    if publication is not None:
        if publication not in known:
            raise DevolutionError(f"--publication {publication!r}: not a loaded publication "
                                  f"(loaded: {', '.join(sorted(known))})")
        table = table[table["publication"] == publication]
    table = table.assign(year=table["year"].map(lambda y: year_label(int(y))))
    if fmt is not Format.table:
        show(table, fmt, title="Councils in force that a publication lacks")
        return
    from devolution.places.tiers import TIER_LABELS

    # one table per publication, tiers as words: five columns with long ids were cut at 80 columns
    for name, rows in table.groupby("publication", sort=True):
        show(rows.drop(columns="publication").assign(tier=rows["tier"].map(lambda t: TIER_LABELS.get(t, t))),
             fmt, title=f"{name}: councils in force it lacks")


@data_app.command("sources")
@friendly
def data_sources(
    known: bool = typer.Option(False, "--known", help="List every publication the tool can read, loaded or not."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json or parquet (to a file: > out.parquet)."),
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
        # the rows counted are the publication's (all its files parsed together), not each file's
        frame = frame[["publication", "title", "publisher", "file", "rows", "url", "licence", "sha256", "loaded_at"]] \
            .rename(columns={"rows": "publication_rows"})
        if fmt is Format.table:  # a terminal gets the first 12 characters; the other formats the whole hash
            frame["sha256"] = frame["sha256"].str[:12] + "…"
    show(frame, fmt, title="Official publications", counts=("publication_rows",))
    if fmt is Format.table and not known:
        console().print("publication_rows: the rows loaded from the publication, all its files together. sha256: "
                        "shortened here; whole with --format csv or json.", highlight=False)


@data_app.command("measures")
@friendly
def data_measures(
    name: Optional[str] = typer.Argument(None, help="A derived measure to show in full (its definition)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json or parquet (to a file: > out.parquet)."),
):
    """List the measures: those in the store (unit, publication, years) and the derived ones
    (government funding, spending power, service spending like for like...) with their formula.
    Name a derived measure to see its whole definition: each component and its line, what is left
    out and why, the transfers of responsibility, and the published method it follows.

    Examples:

        devo data measures

        devo data measures service_spending

        devo data measures --format csv
    """
    from devolution.analysis import measures
    from devolution.store import Store

    if name is not None:
        item = measures.definition(name)
        if fmt is not Format.table:
            show(measures.definition_table(item), fmt)
            return
        out = console()
        for line in measures.describe(item):
            out.print(line, highlight=False, markup=False, soft_wrap=True)
        return
    with Store(read_only=True) as store:
        table = measures.catalogue(store)
    if fmt is Format.table:
        table = table.drop(columns=["definition"])
    show(table, fmt, title="Measures (derived ones last: `devo data measures NAME` for a definition)")


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
        out.print(f"[green]Pulled[/] {len(report.pulled)} file(s) into {plain(directory)}")
        for item in report.pulled:
            made = f" (and {', '.join(p.name for p in item.derived)})" if item.derived else ""
            out.print(f"  {item.publication}: {item.path.name}, {item.size:,} bytes{made}")
        if report.no_download:
            out.print(f"[yellow]No direct download URL (landing page only; fetch by hand):[/] "
                      f"{', '.join(report.no_download)}")
    if failure is not None:
        raise failure
    out.print(f"Next: `devo data load {plain(directory)}`")


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
        out.print(f"[{'green' if ok else 'red'}]{'ok ' if ok else 'NO '}[/] {plain(text)}"
                  + (f"  [dim]{plain(hint)}[/]" if hint and not ok else ""))

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
            loaded = set(store.provenance()["publication"]) if store.has_table("provenance") else set()
        missing = [p.id for p in PUBLICATIONS if p.id not in loaded]
        line(not missing, f"{len(loaded)} of {len(PUBLICATIONS)} publications loaded",
             f"not loaded: {', '.join(missing)}")
    if problems:
        raise typer.Exit(1)
