"""The `devo data` commands (load, sources, measures, pull) and `devo doctor`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from devolution.cli.common import Format, app, console, data_app, friendly, show


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
def data_measures(
    name: Optional[str] = typer.Argument(None, help="A derived measure to show in full (its definition)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json or parquet."),
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
