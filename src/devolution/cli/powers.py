"""Devolution: `devo powers`, `deals`, `readiness`, `devolve`, `budget`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from devolution.cli.common import Format, app, console, friendly, plain, show


@app.command("powers")
@friendly
def powers_command(
    levels: bool = typer.Option(False, "--levels", help="Show the White Paper framework levels instead."),
    conditions: bool = typer.Option(False, "--conditions", help="Show each level condition, its status and source."),
    mayors: bool = typer.Option(False, "--mayors", help="Show mayoral authorities and their first election, cited."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json or parquet (to a file: > out.parquet)."),
):
    """The catalogue of powers: the department that holds each today, the tiers that may hold it,
    the CRA and council spending lines that fund it, and its official references.

    Examples:

        devo powers

        devo powers --levels

        devo powers --conditions

        devo powers --mayors --format csv

        devo powers --format csv
    """
    from devolution.powers import catalogue, framework
    from devolution.powers import mayors as mayors_module

    if mayors:
        show(mayors_module.table(), fmt, title="Mayoral strategic authorities (first mayoral election)")
    elif conditions:
        show(framework.conditions_table(), fmt, title="Framework conditions (verified / secondary / assumed)")
    elif levels:
        show(framework.levels_table(), fmt, title="Devolution framework (English Devolution White Paper, Dec 2024)")
    else:
        show(catalogue.table(), fmt, title="Powers")


@app.command("deals")
@friendly
def deals_command(
    place: Optional[str] = typer.Argument(None, help="A strategic authority, or a council in one (code or name); "
                                                     "all if omitted."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json or parquet (to a file: > out.parquet)."),
):
    """Devolution deals and settlements from the Greater Manchester Agreement (Nov 2014) onward:
    date, place, powers, amounts verified on gov.uk (others listed as unverified), source.

    Examples:

        devo deals

        devo deals "Greater Manchester"

        devo deals E47000004 --format json

        devo deals Manchester          # a council: its strategic authority's deals
    """
    from devolution.places.register import strategic_authority_for
    from devolution.powers import deals
    from devolution.store import Store

    code = None
    if place is not None:
        with Store(read_only=True) as store:
            found, note = strategic_authority_for(store.places(), place)
        code = found["code"]
        if note and fmt is Format.table:
            console().print(f"[dim]{note}[/]", highlight=False)
    show(deals.table(code), fmt, title="Deals and settlements")


@app.command("readiness")
@friendly
def readiness_command(
    place: str = typer.Argument(..., help="A place (code or name)."),
    on: str = typer.Option("2025-04-01", "--on", help="Date of the assessment (YYYY-MM-DD)."),
    evidence: Optional[str] = typer.Option(None, "--evidence",
                                           help="Manual criteria met, comma-separated, e.g. assurance_framework,sound_accounts."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json or parquet (to a file: > out.parquet)."),
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
    from devolution.powers.framework import framework

    given = {k.strip(): True for k in (evidence or "").split(",") if k.strip()}
    manual = framework()["manual_criteria"]
    unknown = [k for k in given if k not in manual]
    if unknown:
        raise DevolutionError(f"--evidence {', '.join(map(repr, unknown))}: not a criterion that takes evidence; "
                              f"expected one or more of {', '.join(manual)} (the others are scored from the data)")
    with Store(read_only=True) as store:
        result = assess(store.places(), store.observations("population"), place, day, given)
    show(result.criteria, fmt, title=f"{result.name} on {day}: score {result.score}/{result.possible}, "
                                     f"level {result.level or 'none'}")


@app.command("devolve")
@friendly
def devolve_command(
    by_default: bool = typer.Option(False, "--by-default", help="Give every eligible place everything its level allows."),
    start: str = typer.Option("2027", "--from", help="First financial year: 2027, 2027-28 or 2027/28 (from 1 April 2027)."),
    place: Optional[str] = typer.Option(None, "--place", help="Only this strategic authority (or the one a named council is in)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json or parquet (to a file: > out.parquet)."),
):
    """Devolution by default: every strategic authority in force gets each power its framework level
    allows from a date; shows what changes against the deals (new by default / already held).

    Examples:

        devo devolve --by-default --from 2027

        devo devolve --by-default --from 2027 --place "West Midlands" --format csv
    """
    from devolution.errors import DevolutionError
    from devolution.places.register import strategic_authority_for
    from devolution.powers.framework import by_default as run
    from devolution.store import Store
    from devolution.years import parse_year, year_label

    start = parse_year(start)
    if not by_default:
        raise DevolutionError("give --by-default (deal-by-deal devolution is listed by `devo deals`)")
    with Store(read_only=True) as store:
        places = store.places()
        frame = run(places, store.observations("population"), start)
        if place is not None:
            frame = frame[frame["place"] == strategic_authority_for(places, place)[0]["code"]]
    new = int((frame["change"] == "new by default").sum())
    show(frame, fmt, title=f"Devolution by default from {year_label(start)}: "
                           f"{new} new grants to {frame['place'].nunique()} places")


@app.command("budget")
@friendly
def budget_command(
    place: str = typer.Argument(..., help="A place (code or name): strategic authority, council, county, region."),
    year: str = typer.Option("2017", "--year", help="Financial year (2017, 2017-18 or 2017/18): 2011..2014 or 2017 "
                                                "(where outturn and CRA overlap)."),
    devolve: Optional[str] = typer.Option(None, "--devolve", help="Powers to devolve, comma-separated, or 'all'."),
    years: bool = typer.Option(False, "--years", help="Show every year held (multi-year view) instead."),
    compare: Optional[str] = typer.Option(None, "--compare", help="Other places to compare per head, comma-separated."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the chart there: .html (a page that works "
                                       "offline) or .json (the Vega-Lite spec). Nothing is written without it."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json or parquet (to a file: > out.parquet)."),
):
    """One Place, One Budget: all identifiable public spending in a place by function, and who decides
    it (council / devolved / central); with --out, writes a stacked-bar chart. See docs/place_budget.md.

    Examples:

        devo budget "Greater Manchester" --year 2017 --out build/place_budget.html

        devo budget E47000001 --year 2017 --devolve adult_skills,bus_franchising

        devo budget "Greater Manchester" --years

        devo budget E47000001 --compare E47000007,E47000004
    """
    from devolution.powers import budget as place_budget
    from devolution.powers.catalogue import parse_powers
    from devolution.report.budget import series_chart, who_decides_chart, write_chart
    from devolution.store import Store
    from devolution.years import parse_year, year_label

    year = parse_year(year)
    moved = parse_powers(devolve)
    with Store(read_only=True) as store:
        if compare:
            frame = place_budget.compare(store, [place, *compare.split(",")], year, moved)
            show(frame, fmt, title=f"Place budgets per head, {year_label(year)}")
            return
        if years:
            frame = place_budget.series(store, place, devolve=moved)
            show(frame, fmt, title="Place budget by year")
            chart = series_chart(frame)
        else:
            result = place_budget.place_budget(store, place, year, moved)
            show(place_budget.summary(result), fmt,
                 title=f"{result.name} {year_label(year)}: £{result.total / 1e6:,.0f}m, "
                       f"£{result.total / result.population:,.0f} per head")
            chart = who_decides_chart(result)
    if out is not None:
        path = write_chart(chart, out)
        if fmt is Format.table:
            console().print(f"[green]Wrote[/] {plain(path)}")
