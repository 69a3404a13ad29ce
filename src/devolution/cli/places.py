"""The `devo places` commands: the register of places."""

from __future__ import annotations

from typing import Optional

import typer

from devolution.cli.common import Format, console, friendly, places_app, plain, say_on_stderr, show


@places_app.command("list")
@friendly
def places_list(
    tier: Optional[str] = typer.Option(None, help="Tier(s), comma-separated: county, shire_district, unitary, "
                                                  "metropolitan_district, london_borough, city_of_london, "
                                                  "combined_authority, greater_london_authority, region, england."),
    region: Optional[str] = typer.Option(None, help="Region code or name, e.g. 'North West'."),
    county: Optional[str] = typer.Option(None, help="County code or name: its districts."),
    strategic_authority: Optional[str] = typer.Option(
        None, "--strategic-authority", "--sa",
        help="Combined authority or GLA: its members on 1 April of --year; without --year its members now, or "
             "for an authority that has ended, its members on its last day (a note says so)."),
    year: Optional[str] = typer.Option(None, help="Places in force on 1 April of this financial year (2019, 2019-20 or 2019/20)."),
    former: bool = typer.Option(False, "--former", help="Include abolished places and former codes (with --sa: "
                                                        "every council that has been a member)."),
    fmt: Format = typer.Option(Format.table, "--format", metavar="FORMAT",
                               help="table, csv, json or parquet (to a file: > out.parquet)."),
):
    """List places in the register, filtered by tier, region, county or strategic authority.

    A region, county or authority not in being in --year is an error saying when it began or ended
    (and what holds its area); so is a filter that matches no place.

    Examples:

        devo places list --tier unitary --region "North East"

        devo places list --county Kent

        devo places list --sa "Greater Manchester" --format csv

        devo places list --tier shire_district --year 2019

        devo places list --sa "North of Tyne" --year 2019     # 2018 to 2024: its members in 2019-20
    """
    import devolution
    from devolution.errors import PlaceError
    from devolution.years import parse_year, year_label

    year = parse_year(year) if year is not None else None
    frame = devolution.places(tier=tier, region=region, county=county, strategic_authority=strategic_authority,
                              year=year, former=former)
    if frame.empty:
        asked = " ".join(f"--{flag} {value!r}" for flag, value in (("tier", tier), ("region", region),
                         ("county", county), ("sa", strategic_authority)) if value is not None)
        when = f"in force on 1 April {year} ({year_label(year)})" if year is not None else \
            ("ever held" if former else "in being now")
        raise PlaceError(f"no place in the register matches {asked or 'the filters'} {when}")
    if frame.attrs.get("note"):
        say_on_stderr([frame.attrs["note"]])
    names = devolution.places(former=True).set_index("code")["name"]
    frame = frame.assign(region=frame["region_code"].map(names), county=frame["county_code"].map(names),
                         strategic_authority=frame["strategic_authority_code"].map(names))
    # on a terminal too narrow for all of them, the rightmost are left out first: the dates of a
    # --year or --former list go before the county and strategic authority
    dates = ["start_date", "end_date"] if year is not None or former or frame.attrs.get("note") else []
    columns = ["code", "name", "tier", "region", *dates, "county", "strategic_authority"]
    show(frame[columns] if fmt is Format.table else frame, fmt, title=f"{len(frame)} places",
         narrow=("code", "name", "tier", "region"))


@places_app.command("show")
@friendly
def places_show(place: str = typer.Argument(..., help="GSS code (current or former), MHCLG E-code or name, "
                                                    "in any official spelling (\"Bristol, City of\", \"Reading UA\").")):
    """Show one place: its tier, dates, parents (county, strategic authority, region) and what it contains.
    A former council says when it was abolished and its successor; a former code, the code in use now.

    Examples:

        devo places show E06000001

        devo places show "Kingston upon Hull, City of"

        devo places show E12000005     # a code where a region and an authority share a name

        devo places show Allerdale     # abolished 2023: shows its successor
    """
    from devolution.places import register, tiers
    from devolution.store import Store

    with Store(read_only=True) as store:
        places = store.places()
    place_row = register.resolve(places, place)
    out = console()
    # names come from the register file: "[...]" in them is text, not rich markup
    out.print(f"[bold]{plain(place_row['name'])}[/] ({place_row['code']}) — "
              f"{tiers.TIER_LABELS.get(place_row['tier'], place_row['tier'])}")
    if isinstance(place_row["official_name"], str):
        out.print(f"  {plain(place_row['official_name'])}")
    out.print(f"  {plain(register.lifecycle(places, place_row['code'])['text'])}", highlight=False)
    asked = place.strip().upper()
    if asked != place_row["code"] and asked in set(places["code"]):  # a former code of this place
        out.print(f"  {plain(register.lifecycle(places, asked)['text'])}", highlight=False)
    chain = register.parents(places, place_row["code"])
    out.print("  inside: " + plain(" › ".join(f"{r.name} ({r.code})" for r in chain.iloc[1:].itertuples())))
    inside = register.children(places, place_row["code"])
    if len(inside):
        show(inside[["code", "name", "tier"]], Format.table, title=f"Contains {len(inside)} places")
