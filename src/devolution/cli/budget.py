"""`devo budget`: One Place, One Budget (``devolution.powers.budget``) for a place, by year, or
compared per head with other places."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from devolution.cli.common import Format, app, console, friendly, say_on_stderr, show, show_with_notes


@app.command("budget")
@friendly
def budget_command(
    place: str = typer.Argument(..., help="A place (code or name): strategic authority, council, county, region."),
    year: Optional[str] = typer.Option(None, "--year", help="Financial year (2017, 2017-18 or 2017/18): 2011-12 to "
                                       "2017-18 (where outturn, CRA and population overlap); the latest of them if not given."),
    devolve: Optional[str] = typer.Option(None, "--devolve", help="Powers to devolve, comma-separated, or 'all'."),
    years: bool = typer.Option(False, "--years", help="Show every year held (multi-year view) instead."),
    compare: Optional[list[str]] = typer.Option(None, "--compare", help="Other places to compare per head, "
                                                "comma-separated or with --compare repeated."),
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
    from devolution.errors import DevolutionError
    from devolution.powers import budget as place_budget
    from devolution.powers import budget_tables
    from devolution.powers.catalogue import parse_powers
    from devolution.report.budget import series_chart, who_decides_chart, write_chart
    from devolution.store import Store
    from devolution.years import parse_year, year_label

    _refuse_together(year is not None, years, compare is not None, out is not None)
    if out is not None:
        from devolution.files import output_path
        from devolution.report.standalone import CHART_SUFFIXES

        output_path(out, CHART_SUFFIXES)
    moved = parse_powers(devolve)
    with Store(read_only=True) as store:
        # the latest year held unless asked (as the web's budget API does)
        year = parse_year(year) if year else place_budget.common_years(store)[-1]
        place_budget.check_year(store, year)  # the year first: the most basic problem
        if compare is not None:
            from devolution.places.names import PlaceIndex

            index = PlaceIndex.of(store.places())
            given = ",".join(compare)
            others = [row for text in compare for row in index.find_all(text)]  # "Bristol, City of" is one name
            if not others:
                raise DevolutionError(f"--compare {given!r}: no place given (give places to compare, by code or "
                                      f"name, separated by commas: --compare Surrey,Essex)")
            queries = [place, *(str(row["code"]) for row in others)]
            frame = budget_tables.compare(store, queries, year, moved)
            _say_authority(store, place, year, fmt)
            _show_with_notes(frame, fmt, f"Place budgets per head, {year_label(year)}",
                             _given_twice(store.places(), queries, fmt))
            return
        if years:
            frame = budget_tables.series(store, place, devolve=moved)
            _show_with_notes(frame, fmt, "Place budget by year")
            chart = series_chart(frame)
        else:
            result = place_budget.place_budget(store, place, year, moved)
            _say_authority(store, place, year, fmt)
            if result.note and fmt is Format.table:
                console().print(result.note)
            lines = budget_tables.summary(result)
            # a saved file says what it is: the place and the year on every row (the title is terminal-only)
            show(lines if fmt is Format.table else lines.assign(
                place=result.place, name=result.name, year=year_label(year), note=result.note or ""), fmt,
                 title=f"{result.name} {year_label(year)}: " + (
                     f"£{result.total / 1e6:,.0f}m, £{result.total / result.population:,.0f} per head"
                     if result.known else f"total not known ({' and '.join(result.missing)} £m missing)"))
            chart = who_decides_chart(result)
    if out is not None:
        path = write_chart(chart, out)
        if fmt is Format.table:
            console().print(f"[green]Wrote[/] {path}")


def _refuse_together(year: bool, years: bool, compare: bool, out: bool) -> None:
    """A DevolutionError naming two options given together when one would have no effect: --years
    shows every year (so --year has none), --compare is one year's table with no chart."""
    from devolution.errors import DevolutionError

    clashes = [(year and years, "--year", "--years", "--years shows every year held; drop one of them"),
               (compare and years, "--compare", "--years", "a comparison is of one year (--year); drop one of them"),
               (compare and out, "--compare", "--out", "the chart is of one place's budget; drop --out, or "
                                                      "drop --compare to chart the place")]
    for clash, first, second, what in clashes:
        if clash:
            raise DevolutionError(f"{first} and {second} cannot be given together: {what}")


def _show_with_notes(frame, fmt: Format, title: str, first: tuple[str, ...] = ()) -> None:
    """The budgets' table; on a terminal, ``first`` then each budget's note (a council made later,
    one that published no outturn) below it once, naming its place and year, instead of as a column.
    Population, a count of people, is shown whole."""
    from devolution.years import year_label

    notes: dict[str, str] = {}  # each note once, with the first place and year it is said of
    for row in frame.itertuples(index=False):
        if row.note:
            notes.setdefault(row.note, f"{row.name} ({row.place}), {year_label(int(row.year))}: {row.note}")
    show_with_notes(frame.drop(columns="note") if fmt is Format.table else frame, fmt, title,
                    [*first, *notes.values()], counts=("population",))


def _given_twice(places, queries: list[str], fmt: Format) -> tuple[str, ...]:
    """A note for each place given more than once (by a name and a code, a former code, or twice
    in --compare): ``budget_tables.compare`` shows it once. With --format other than table, said on
    standard error (the table on standard output stays whole) and none returned."""
    import collections

    from devolution.places.register import resolve

    rows = [resolve(places, query) for query in queries]
    times = collections.Counter(str(row["code"]) for row in rows)
    names = {str(row["code"]): str(row["name"]) for row in rows}
    said = tuple(f"{names[code]} ({code}) was given {_times(n)}; shown once" for code, n in times.items() if n > 1)
    if fmt is Format.table or not said:
        return said
    say_on_stderr(said)
    return ()


def _times(n: int) -> str:
    return {2: "twice", 3: "three times"}.get(n, f"{n} times")


def _say_authority(store, place: str, year: int, fmt: Format) -> None:
    """For a council, say which strategic authority it was in on 1 April of the budget's year
    (its own place budget is shown); nothing for a council not in being then (the budget says why)."""
    import datetime as dt

    from devolution.errors import PlaceError
    from devolution.places.tiers import SA_TIERS
    from devolution.powers.authorities import Authorities

    if fmt is not Format.table:
        return
    try:
        area = Authorities.from_store(store).area(place, dt.date(year, 4, 1))
    except PlaceError:
        return
    if area.place["tier"] not in SA_TIERS and area.place["tier"] not in ("region", "england"):
        console().print(f"{area.note}; this is {area.place['name']}'s own place budget "
                        f"(`devo budget {area.authority}` for the authority's)" if area.authority else area.note)
