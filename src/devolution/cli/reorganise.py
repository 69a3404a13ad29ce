"""Local government reorganisation: `devo reorganise FILE`, `--check-history`, `--examples`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from devolution.cli.common import Format, app, console, friendly, plain, show, show_with_notes

TABLES = ("councils", "people", "homes", "predecessors", "harmonisation", "bills", "households", "spending",
          "apportionment", "comparators", "strategic_authority", "transition")
OUT_SUFFIXES = (".html", ".json")  # --out: a report that works offline, or the JSON document
HISTORY_TABLE = ("council", "year", "tool_notional_band_d", "published_band_d", "band_d_gap", "within_tolerance",
                 "first_year", "first_year_band_d", "first_year_principle", "first_year_increase", "within_principle")


@app.command("reorganise")
@friendly
def reorganise_command(
    proposal: Optional[str] = typer.Argument(None, help="A proposal file (YAML) or the name of a shipped example "
                                                        "(see --examples)."),
    table: Optional[str] = typer.Option(None, "--table", help=f"One table: {', '.join(TABLES)} (with --format csv, "
                                                               f"json or parquet: councils if not given)."),
    years: Optional[int] = typer.Option(None, "--years", min=1,
                                        help="Harmonise the predecessor areas' Band D over N years (the proposal's if "
                                             "not given)."),
    referendum: Optional[bool] = typer.Option(None, "--referendum/--no-referendum",
                                              help="Whether the new councils would hold a referendum (lifts the ceiling)."),
    increase: Optional[str] = typer.Option(None, "--increase", help="The average Band D's yearly increase: max (just "
                                                                    "below the principle), or a share between 0 and "
                                                                    "the principle, e.g. 0.0299."),
    driver: list[str] = typer.Option([], "--driver", help="SERVICE=DRIVER, e.g. highways_transport=dwellings "
                                                          "(repeat for several)."),
    spending_year: Optional[str] = typer.Option(None, "--spending-year", help="Outturn year of spending, e.g. 2023-24."),
    on: Optional[str] = typer.Option(None, "--on", help="Date the strategic authority is looked up (YYYY-MM-DD; today)."),
    colour: Optional[str] = typer.Option(None, "--colour", help="Figure the map is coloured by (with --out): "
                                                                   "notional_band_d, first_year_band_d, population, "
                                                                   "share_65_plus, spending_per_head, "
                                                                   "council_tax_requirement, dwellings, tax_base."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write a report: .html (works offline) or .json (every table, "
                                                           "the notes and the map)."),
    check_history: bool = typer.Option(False, "--check-history", help="Every historical example against the new "
                                                                      "councils' published figures."),
    examples: bool = typer.Option(False, "--examples", help="List the shipped example proposals."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json or parquet (to a file: > out.parquet)."),
):
    """Model a local government reorganisation: new unitary councils made of current councils.

    For each new council: population and age structure, dwellings by band and tax base; the
    predecessors' council tax requirement and notional Band D; council tax harmonisation (bills
    per band in each predecessor area, at once and over N years, within the referendum ceiling)
    and the households whose bill rises or falls; spending by service per head with the county's
    services shared out by a driver per service, against unitaries of similar population; the
    strategic authority and devolution level. See docs/reorganisation.md.

    Examples:

        devo reorganise --examples

        devo reorganise cumbria-2023

        devo reorganise examples/reorganisations/warwickshire-two-unitaries-illustrative.yaml --years 5

        devo reorganise cumbria-2023 --table harmonisation --format csv > harmonisation.csv

        devo reorganise northamptonshire-2021 --driver highways_transport=dwellings --table apportionment

        devo reorganise dorset-2019 --out dorset.html --colour first_year_band_d

        devo reorganise --check-history
    """
    from devolution.errors import DevolutionError

    if examples:
        _examples(fmt)
        return
    if check_history:
        from devolution.analysis.reorganisation import history

        frame = history.check_history(_inputs())
        # on a terminal, the comparison's columns (reasons follow as notes); every column otherwise,
        # money to the penny
        shown = history.to_the_penny(frame)
        if fmt is Format.table:
            shown = frame[list(HISTORY_TABLE)].apply(lambda column: column.map(lambda v, n=column.name: _display(n, v)))
        misses = frame[~frame["within_tolerance"]]
        show_with_notes(shown, fmt, "Historical reorganisations: the tool's figures from the predecessors against "
                                    "MHCLG's published ones",
                        [f"{row.council}: {row.band_d_gap:+.2f} per Band D: {row.reason}" for row in misses.itertuples()])
        if fmt is Format.table:
            console().print(history.TOLERANCES, highlight=False)
        return
    if proposal is None:
        raise DevolutionError("give a proposal file or an example's name (devo reorganise --examples lists them), "
                              "or --check-history")
    if table is not None and table not in TABLES:
        raise DevolutionError(f"--table {table!r}: expected one of {', '.join(TABLES)}")
    if out is not None:
        from devolution.files import output_path

        output_path(out, OUT_SUFFIXES)  # before the run: a path that cannot be written is refused at once
    from devolution.analysis.reorganisation import run

    if colour is not None and out is None:
        raise DevolutionError("--colour colours the map of the HTML report: give --out FILE.html")
    if colour is not None and out is not None and out.suffix.lower() != ".html":
        raise DevolutionError(f"--colour colours the map of the HTML report: --out {plain(out)} is not .html")
    colour = colour or "notional_band_d"
    if colour not in run.COLOURS:
        raise DevolutionError(f"--colour {colour!r}: expected one of {', '.join(run.COLOURS)}")
    knobs = {"harmonisation_years": years, "referendum": referendum, "increase": increase,  # checked with the proposal
             "drivers": _drivers(driver), "spending_year": spending_year}
    result = run.reorganise(proposal, _inputs(), on=_day(on), **knobs)
    if out is not None:
        _write(result, out, colour)
        return
    tables = result.tables()
    if fmt is not Format.table or table is not None:
        frame = tables[table or "councils"]
        # a spending table says why cells are blank (a member did not report): below it on a terminal,
        # on standard error in the other formats
        notes = result.spending.notes if table in SPENDING_TABLES else ()
        show_with_notes(_for_terminal(frame) if fmt is Format.table else frame, fmt, table, notes,
                        counts=_counts(frame), shares=_shares(frame), on_stderr=True)
        return
    _summary(result)


#: The tables of ``result.spending``: on a terminal, its notes follow each of them.
SPENDING_TABLES = ("spending", "apportionment", "comparators")

#: Columns shown rounded on a terminal only (CSV, JSON and Parquet keep the values): shares to four
#: decimals, pounds of spending whole (the outturn files give £ thousand with decimals).
SHARE_COLUMNS = ("share",)
POUND_COLUMNS = ("amount", "county_total", "own", "county", "total")


#: Columns of whole counts (``show`` prints them as integers): dwellings by band, households whose
#: bill rises or falls, a strategic authority's population threshold; and, by ``_counts``, every
#: population and dwellings column but their years.
COUNT_COLUMNS = ("A", "B", "C", "D", "E", "F", "G", "H", "rises", "falls", "unchanged", "above_uniform",
                 "below_uniform", "threshold")


def _counts(frame) -> tuple[str, ...]:
    """The columns of ``frame`` that count people, dwellings or households."""
    return tuple(c for c in frame.columns if c in COUNT_COLUMNS or (
        (c.startswith(("population", "dwellings")) or c.endswith("_population")) and not c.endswith("_year")))


def _shares(frame) -> tuple[str, ...]:
    """The columns of ``frame`` that are shares of the population (``share_65_plus``: a fraction)."""
    return tuple(c for c in frame.columns if c.startswith("share_"))


def _for_terminal(frame):
    """A table's shares and spending as text for the terminal (``--format table``)."""
    from devolution.numbers import number

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype.kind != "f":
            continue
        if column in SHARE_COLUMNS:
            out[column] = out[column].map(lambda v: number(v, 4))
        elif column in POUND_COLUMNS:
            out[column] = out[column].map(lambda v: number(v, 0))
    return out


def _inputs():
    from devolution.analysis.reorganisation import inputs
    from devolution.store import Store

    with Store(read_only=True) as store:
        return inputs.read(store)


def _drivers(pairs: list[str]) -> dict[str, str] | None:
    from devolution.errors import DevolutionError

    out = {}
    for pair in pairs:
        service, sep, driver = pair.partition("=")
        if not sep or not service.strip() or not driver.strip():
            raise DevolutionError(f"--driver {pair!r}: expected SERVICE=DRIVER, e.g. highways_transport=dwellings")
        out[service.strip()] = driver.strip()
    return out or None


def _day(text: str | None):
    import datetime as dt

    from devolution.errors import DevolutionError

    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DevolutionError(f"--on {text!r} is not a date (expected YYYY-MM-DD)") from None


def _write(result, out: Path, colour: str) -> None:
    import json

    document = result.document()
    if out.suffix.lower() == ".json":
        from devolution.files import write_output

        write_output(out, json.dumps(document, indent=1, default=str))
    else:  # .html (OUT_SUFFIXES, checked before the run)
        from devolution.report.reorganisation import write_html

        write_html(document, out, colour)
    console().print(f"wrote {plain(out)}")


def _examples(fmt: Format) -> None:
    import pandas as pd

    from devolution.analysis.reorganisation import run

    rows = []
    for name in run.example_names():
        raw, _ = run.raw_proposal(name)
        rows.append({"example": name, "name": raw.get("name"), "kind": raw.get("kind"), "vesting": str(raw.get("vesting")),
                     "councils": ", ".join(c.get("name", "") for c in raw.get("councils") or [])})
    show(pd.DataFrame(rows), fmt, title="Shipped example proposals (examples/reorganisations)")


def _summary(result) -> None:
    """The headline figures per council, the households, spending per head and the notes."""
    councils = result.councils.set_index("council")
    keep = ["code", "predecessors", "population", "population_year", "share_65_plus", "dwellings", "tax_base",
            "council_tax_requirement", "notional_band_d", "first_year", "first_year_principle", "first_year_increase",
            "first_year_ceiling", "first_year_band_d",
            *[c for c in councils.columns if c.startswith(("harmonised_year_", "largest_area_rise_"))], "spending_year",
            "spending_per_head",
            "strategic_status", "strategic_authority_name", "level_2026_act"]
    summary = councils[[c for c in keep if c in councils.columns]]
    summary = summary.apply(lambda column: column.map(lambda v, name=column.name: _display(name, v))).T
    show(summary.reset_index(names="figure"), Format.table, title=result.proposal.name)
    households = result.council_tax.households
    show(households, Format.table, title="Dwellings whose bill (the new council's part) rises or falls",
         counts=_counts(households))
    spend = result.spending.by_service.pivot(index="service", columns="council", values="per_head").reset_index()
    show_with_notes(spend, Format.table, f"Spending per resident by service, "
                                         f"{result.spending.by_service['year_label'].iloc[0]}", result.notes)
    console().print("More: --table NAME (" + ", ".join(TABLES) + "), --out report.html", highlight=False)


def _display(name: str, value) -> str:
    """A headline figure as text (``devolution.numbers``): shares as per cent, Band D and gaps in
    pounds and pence with the sign first, money in £m, counts with thousands separated."""
    import math

    from devolution.numbers import money, number

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and math.isinf(value):
        return "none (referendum)"
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return str(value)
    if name.startswith("largest_area_rise_"):
        return f"{value:+.2%}"
    if name.startswith("share") or name.endswith(("increase", "principle")):
        return f"{value:.2%}"
    if "band_d" in name or name.endswith(("per_head", "ceiling")):
        return money(value, 2, missing="")
    if name.endswith("requirement"):
        return money(value / 1e6, 1, missing="") + "m"
    return number(value, 0)
