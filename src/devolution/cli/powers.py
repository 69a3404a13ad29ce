"""Devolution: `devo powers`, `deals`, `readiness`, `devolve` (`devo budget` is in cli/budget.py)."""

from __future__ import annotations

from typing import Optional

import typer

from devolution.cli.common import Format, app, console, friendly, show


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
