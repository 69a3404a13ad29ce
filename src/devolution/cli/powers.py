"""Devolution: `devo powers`, `deals`, `readiness`, `devolve`, `budget`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from devolution.cli.common import Format, app, console, friendly, show, show_with_notes


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


def _day(text: str | None, option: str = "--on"):
    """A date option (YYYY-MM-DD), today if not given."""
    import datetime as dt

    from devolution.errors import DevolutionError

    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DevolutionError(f"{option} {text!r} is not a date (expected YYYY-MM-DD)") from None


def _level_defaults(level: str):
    """What a level gives by default: each power with whether the mapping was read (framework)."""
    from devolution.powers.framework import level_powers, power_sources_table

    sources = power_sources_table().drop_duplicates("power").set_index("power")
    return sources.loc[level_powers(level)].reset_index()[["power", "level", "status", "why", "source"]]


@app.command("deals")
@friendly
def deals_command(
    place: Optional[str] = typer.Argument(None, help="A strategic authority or council (code or name); all if omitted."),
    timeline: bool = typer.Option(False, "--timeline", help="Every deal in order, then counts by year and the share of "
                                                             "England's population in a mayoral strategic authority."),
    authorities: bool = typer.Option(False, "--authorities", help="The strategic authorities: establishing instrument, "
                                                                   "dates, members, regions, mayor, level under the 2026 Act."),
    sources: bool = typer.Option(False, "--sources", help="Every source read, with its status and what it supports."),
    on: Optional[str] = typer.Option(None, "--on", help="The date a council is resolved to its authority, and the date of "
                                                         "--authorities (YYYY-MM-DD; today if omitted)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json or parquet (to a file: > out.parquet)."),
):
    """Devolution deals, orders, statutes and settlements from 2011 (GMCA) and 2014 (the first deal) to
    2026, abandoned ones included: date, status, powers and amounts verified in official sources
    (others listed as unverified, with why), and the first source (the table shows date, area, deal,
    kind and status; --format csv or json give every column). A council is resolved to the
    strategic authority it is in (and the command says so); an area with no deal says "no deal"
    and lists what its level would give by default. See docs/deals.md.

    Examples:

        devo deals

        devo deals "Greater Manchester"

        devo deals Manchester

        devo deals Kent

        devo deals --timeline

        devo deals --timeline --format csv

        devo deals --authorities --on 2024-05-07

        devo deals --sources --format csv
    """
    import pandas as pd

    from devolution.powers import deals, timeline as timeline_module
    from devolution.powers.authorities import Authorities
    from devolution.store import Store

    day = _day(on)
    if sources:
        show(deals.sources_table(), fmt, title="Sources read (official / official_copy / official_local / secondary)")
        return
    if timeline or authorities or place is not None:
        with Store(read_only=True) as store:
            register = Authorities.from_store(store)
            population = store.observations("population") if timeline else None
    if authorities:
        show(register.summary(day), fmt, title=f"Strategic authorities on {day.isoformat()}")
        return
    if timeline:
        years = timeline_module.by_year(register, population)
        if fmt is Format.table:
            show(timeline_module.events()[["date", "area", "deal", "kind", "status", "ended"]], fmt,
                 title="Every deal, order and statute, in the order agreed")
            shown = pd.DataFrame({
                "year": years["year"], "deals": years["deals_agreed"], "mayoral": years["mayoral_deals_agreed"],
                "ended": years["abandoned"], "orders": years["orders_and_statutes"],
                "SAs": years["strategic_authorities"], "mayors": years["mayoral_authorities"],
                "mayoral m": (years["population_mayoral"] / 1e6).round(1),
                "% mayoral": (years["share_mayoral"] * 100).round(1),
                "% any SA": (years["share_any"] * 100).round(1),
                "pop year": years["population_year"]})
            show(shown, fmt, title="By calendar year: deals agreed (mayoral), abandoned (ended), orders and statutes; on "
                                   "30 June, strategic authorities (SAs), those with a mayor, and England's population "
                                   "living in them (millions, %; ONS mid-year estimate of 'pop year')")
        else:
            show(years, fmt)
        return
    if place is None:
        _show_deals(deals.table(), fmt, "Deals, orders, statutes and settlements")
        return
    area = register.area(place, day)
    codes = _deal_places(register, area)
    frame = deals.table(codes)
    if len(frame):
        title = area.note or f"{area.place['name']} ({area.place['code']})"
        _show_deals(frame, fmt, f"{title} — deals, orders and settlements")
        return
    _no_deal(area, fmt)


def _show_deals(frame, fmt, title: str) -> None:
    """Deals as a table of their date, area, name, kind and status (readable at 80 columns), or every
    column (powers, amounts, unverified, source) in csv, json and parquet."""
    from devolution.powers import deals

    if fmt is Format.table:
        frame = frame[deals.SHORT_COLUMNS].assign(kind=frame["kind"].str.replace("_", " "))  # wraps, not cut
        title += " (powers, amounts and sources: --format csv or json)"
    show(frame, fmt, title=title)


def _deal_places(register, area) -> list[str]:
    """The codes whose entries apply to a resolved place: its authority and the authorities that
    authority replaced; for a council also every authority it (or its county) has been in, and
    entries made for the council or its county directly."""
    code = area.place["code"]
    codes = {code}
    county = area.place["county_code"]
    if isinstance(county, str):
        codes.add(county)
    if area.authority:
        codes.add(area.authority)
        codes.update(register.predecessors(area.authority))
    codes.update(register.history_of(code)["authority_code"])
    return sorted(codes)


def _no_deal(area, fmt) -> None:
    """"No deal", and what the place's level would give by default."""
    if fmt is Format.table:
        console().print(f"{area.place['name']} ({area.place['code']}): no deal. {area.note}")
    show(_level_defaults("foundation"), fmt,
         title="What a foundation strategic authority gets by default (the level open to it: a council can be "
               "designated a single foundation strategic authority, 2026 Act s.1(3))")


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
    the deals and ONS population where possible), and the framework level reached. A council is
    scored through the strategic authority it is in on the date; an authority is not scored before
    it was established (the command says so).

    Examples:

        devo readiness "Greater Manchester"

        devo readiness Middlesbrough

        devo readiness "Tees Valley" --on 2027-04-01

        devo readiness E47000008 --evidence assurance_framework,sound_accounts
    """
    import pandas as pd

    from devolution.errors import DevolutionError
    from devolution.powers.authorities import Authorities
    from devolution.powers.framework import framework
    from devolution.powers.readiness import assess
    from devolution.store import Store

    day = _day(on)
    given = {k.strip(): True for k in (evidence or "").split(",") if k.strip()}
    manual = framework()["manual_criteria"]
    unknown = [k for k in given if k not in manual]
    if unknown:
        raise DevolutionError(f"--evidence {', '.join(map(repr, unknown))}: not a criterion that takes evidence; "
                              f"expected one or more of {', '.join(manual)} (the others are scored from the data)")
    with Store(read_only=True) as store:
        register = Authorities.from_store(store)
        result = assess(store.places(), store.observations("population"), place, day, given, register=register)
    if not len(result.criteria):
        show(pd.DataFrame([{"place": result.place, "name": result.name, "on": day.isoformat(), "note": result.note}]),
             fmt, title="Not scored")
        return
    prefix = f"{result.note}. " if result.note else ""
    show(result.criteria, fmt, title=f"{prefix}{result.name} on {day}: score {result.score}/{result.possible}, "
                                     f"level {result.level or 'none'}")


@app.command("devolve")
@friendly
def devolve_command(
    by_default: bool = typer.Option(False, "--by-default", help="Give every eligible place everything its level allows."),
    start: str = typer.Option("2027", "--from", help="First financial year: 2027, 2027-28 or 2027/28 (from 1 April 2027)."),
    place: Optional[str] = typer.Option(None, "--place", help="Only this strategic authority, or the one a council is in."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json or parquet (to a file: > out.parquet)."),
):
    """Devolution by default: every strategic authority in force gets each power its framework level
    allows from a date; shows what changes against the deals, orders and statutes in force then
    (new by default / already held). London's statutory powers count as held. A council given to
    --place is resolved to its strategic authority (and the command says so).

    Examples:

        devo devolve --by-default --from 2027

        devo devolve --by-default --from 2027 --place "West Midlands" --format csv

        devo devolve --by-default --place Manchester
    """
    import datetime as dt

    from devolution.errors import DevolutionError
    from devolution.powers.authorities import Authorities
    from devolution.powers.by_default import by_default as run
    from devolution.store import Store
    from devolution.years import parse_year, year_label

    start = parse_year(start)
    if not by_default:
        raise DevolutionError("give --by-default (deal-by-deal devolution is listed by `devo deals`)")
    with Store(read_only=True) as store:
        places = store.places()
        register = Authorities.from_store(store)
        frame = run(places, store.observations("population"), start, register=register)
    if place is not None:
        area = register.area(place, dt.date(start, 4, 1))
        if area.authority is None:
            if fmt is Format.table:
                console().print(f"{area.note}: no devolution by default to it (it is not a strategic authority).")
            show(_level_defaults("foundation"), fmt,
                 title="What it would get by default as a foundation strategic authority (2026 Act s.1(3))")
            return
        if area.note and fmt is Format.table:
            console().print(area.note)
        frame = frame[frame["place"] == area.authority]
    new = int((frame["change"] == "new by default").sum())
    show(frame, fmt, title=f"Devolution by default from {year_label(start)}: "
                           f"{new} new grants to {frame['place'].nunique()} places")


@app.command("budget")
@friendly
def budget_command(
    place: str = typer.Argument(..., help="A place (code or name): strategic authority, council, county, region."),
    year: str = typer.Option("2017", "--year", help="Financial year (2017, 2017-18 or 2017/18): 2011-12 to 2017-18 "
                                                "(where outturn, CRA and population overlap)."),
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
    from devolution.errors import DevolutionError
    from devolution.powers import budget as place_budget
    from devolution.powers.catalogue import parse_powers
    from devolution.report.budget import series_chart, who_decides_chart, write_chart
    from devolution.store import Store
    from devolution.years import parse_year, year_label

    if out is not None:
        from devolution.files import output_path
        from devolution.report.standalone import CHART_SUFFIXES

        output_path(out, CHART_SUFFIXES)
    year = parse_year(year)
    moved = parse_powers(devolve)
    with Store(read_only=True) as store:
        _say_authority(store, place, year, fmt)
        if compare is not None:
            from devolution.places.names import PlaceIndex

            others = PlaceIndex.of(store.places()).find_all(compare)  # "Bristol, City of" is one name
            if not others:
                raise DevolutionError(f"--compare {compare!r}: no place given (give places to compare, by code or "
                                      f"name, separated by commas: --compare Surrey,Essex)")
            frame = place_budget.compare(store, [place, *(str(row["code"]) for row in others)], year, moved)
            _show_with_notes(frame, fmt, f"Place budgets per head, {year_label(year)}")
            return
        if years:
            frame = place_budget.series(store, place, devolve=moved)
            _show_with_notes(frame, fmt, "Place budget by year")
            chart = series_chart(frame)
        else:
            result = place_budget.place_budget(store, place, year, moved)
            if result.note and fmt is Format.table:
                console().print(result.note)
            show(place_budget.summary(result), fmt,
                 title=f"{result.name} {year_label(year)}: £{result.total / 1e6:,.0f}m, "
                       f"£{result.total / result.population:,.0f} per head")
            chart = who_decides_chart(result)
    if out is not None:
        path = write_chart(chart, out)
        if fmt is Format.table:
            console().print(f"[green]Wrote[/] {path}")


def _show_with_notes(frame, fmt: Format, title: str) -> None:
    """The budgets' table; on a terminal, each budget's note (a council made later, one that
    published no outturn) below it once, naming its place and year, instead of as a column."""
    from devolution.years import year_label

    notes: dict[str, str] = {}  # each note once, with the first place and year it is said of
    for row in frame.itertuples(index=False):
        if row.note:
            notes.setdefault(row.note, f"{row.name} ({row.place}), {year_label(int(row.year))}: {row.note}")
    show_with_notes(frame.drop(columns="note") if fmt is Format.table else frame, fmt, title, notes.values())


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
