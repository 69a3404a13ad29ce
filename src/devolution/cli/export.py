"""`devo data export`: the store's tables as Parquet files with a data dictionary."""

from __future__ import annotations

from pathlib import Path

import typer

from devolution.cli.common import console, data_app, friendly


@data_app.command("export")
@friendly
def data_export(directory: Path = typer.Argument(..., help="Folder to write into (made if missing).")):
    """Write every table of the store as Parquet (TABLE.parquet, column types kept) and a data
    dictionary (data_dictionary.csv: table, file, column, type, rows, what it holds).

    observations.parquet holds every measure in long form (code, year, measure, value);
    measures.parquet gives each measure's unit and description, provenance.parquet each
    publication's title, URL, licence and file checksum.

    Examples:

        devo data export build/export

        devo data export ~/devolution-data && python -c "import pandas; print(pandas.read_parquet('~/devolution-data/observations.parquet'))"
    """
    from devolution.exports import export_store
    from devolution.store import Store

    with Store(read_only=True) as store:
        dictionary = export_store(store, directory)
    tables = dictionary.drop_duplicates("table")
    console().print(f"[green]Wrote[/] {len(tables)} tables ({int(tables['rows'].sum()):,} rows) as Parquet and "
                    f"data_dictionary.csv into {directory}")
