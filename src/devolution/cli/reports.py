"""Reports and explanations: `devo overview`, `devo explain`, `devo change`, `devo claims`."""

from __future__ import annotations

#: What `devo change` measures when no measure is named (as analysis.change.DEFAULT_MEASURE; the
#: module is not imported here so that `devo` starts fast).
DEFAULT_MEASURE = "service_spending"

from pathlib import Path
from typing import Optional

import typer

from devolution.cli.common import Format, app, checked_out, console, friendly, plain, show, write_tables


@app.command("overview")
@friendly
def overview_command(
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="With --format table: the HTML report (.html) to "
                                       "write; json: a .json file instead of standard output; csv and parquet: an "
                                       "existing folder, one file per table. Nothing is written without it."),
    councils: Optional[Path] = typer.Option(None, "--councils-csv", help="Also write every council's figures as CSV."),
    fmt: Format = typer.Option(Format.table, "--format", help="table (printed), json (one object with a key per "
                               "table), csv or parquet (with --out FOLDER: by_region, by_tier, councils, left_out)."),
):
    """England overview: Core Spending Power and spending per head, by region and type of council,
    with the change since 2015-16; printed, and with --out written as an HTML report with charts.

    Examples:

        devo overview

        devo overview --out build/report.html --councils-csv build/councils.csv

        devo overview --format json > overview.json

        devo overview --format parquet --out build/overview     # an existing folder: one file per table
    """
    import devolution
    from devolution.files import output_path
    from devolution.report.overview import write_html
    from devolution.store import Store

    out = checked_out(out, fmt, what="the overview")
    if councils is not None:
        output_path(councils, (".csv",), "--councils-csv")
    with Store(read_only=True) as store:
        result = devolution.overview(store=store)
        sources = store.provenance()[["publication", "title", "publisher", "url"]].drop_duplicates("publication")
    written = []
    if fmt is Format.table:
        columns = ["group", "councils", "first", "per_head_first", "last", "per_head_last", "change_pct"]
        for table, title in ((result.by_region, "by region (per resident)"), (result.by_tier, "by type of council")):
            for measure, rows in table.groupby("measure", sort=False):
                show(rows[columns].rename(columns={"per_head_first": "£/head", "per_head_last": "£/head ",
                                                   "change_pct": "change %"}),
                     fmt, title=f"{measure}, {title}")
        if len(result.left_out):
            console().print("[yellow]Left out (not reported in full in one of the years):[/] "
                            + plain("; ".join(f"{m}: {', '.join(g['name'])}"
                                              for m, g in result.left_out.groupby("measure"))))
        if out is not None:
            written.append(write_html(result, out, sources))
    else:
        written += write_tables({"by_region": result.by_region, "by_tier": result.by_tier,
                                 "councils": result.councils, "left_out": result.left_out}, fmt, out)
    if councils is not None:
        from devolution.exports import without_negative_zero
        from devolution.files import write_output

        written.append(write_output(councils, without_negative_zero(result.councils).to_csv(index=False),
                                    "--councils-csv"))
    if written:
        from rich.console import Console

        # Onto standard error with --format json, so that the JSON on standard output stays whole.
        Console(stderr=fmt is not Format.table).print(f"[green]Wrote[/] {plain(', '.join(map(str, written)))}",
                                                      highlight=False, soft_wrap=True)


@app.command("explain")
@friendly
def explain_command(
    code: str = typer.Argument(..., help="The place: GSS code, E-code or name, e.g. E06000001 or Hackney."),
    year: str = typer.Argument(..., help="Financial year: 2023, 2023-24 or 2023/24."),
    measure: str = typer.Argument(..., help="band_d, csp_total, max_band_d, or a derived measure such as "
                                            "government_funding, spending_power or service_spending."),
):
    """Show how a figure is computed: the rule, its inputs from the store, each parameter with its
    value and source, and the published figure it is checked against. For a derived measure: each
    component with its publication and line, its value, and what the definition leaves out.

    Examples:

        devo explain E06000001 2023-24 band_d

        devo explain E07000223 2019-20 csp_total

        devo explain E10000003 2023-24 max_band_d

        devo explain Hackney 2023/24 band_d

        devo explain E08000021 2010-11 government_funding    # each component and its RS line
    """
    from devolution.explain import explain
    from devolution.places.register import resolve
    from devolution.store import Store

    with Store(read_only=True) as store:
        code = resolve(store.places(), code)["code"]
    import textwrap

    out = console()
    for line in explain(code, year, measure).lines():
        # Wrapped at the terminal's width under the line's own indent; a URL or name is never cut.
        indent = " " * (len(line) - len(line.lstrip(" ")))
        wrapped = textwrap.fill(line, width=out.width, subsequent_indent=indent, break_long_words=False,
                                break_on_hyphens=False)
        out.print(wrapped, highlight=False, markup=False, soft_wrap=True)


claims_app = typer.Typer(help="Test public claims about council funding against the data.", no_args_is_help=True)
app.add_typer(claims_app, name="claims")


@app.command("change")
@friendly
def change_command(
    measure: str = typer.Argument(DEFAULT_MEASURE, help="The measure (default: service_spending, like-for-like "
                                  "service spending, the measure for cuts questions). Derived: government_funding, "
                                  "spending_power, service_spending, social_care_spending; lines: "
                                  "nce_total_service_expenditure, nce_education, nce_adult_social_care, "
                                  "nce_childrens_social_care, nce_housing_gfra, nce_highways_transport, nce_cultural, "
                                  "nce_environmental_regulatory, nce_planning_development, nce_central_services, "
                                  "nce_public_health, csp_total, council_tax_requirement_excl_parish, "
                                  "ro_council_tax_requirement or band_d_area_total. See `devo data measures`."),
    first: str = typer.Option(..., "--from", help="First financial year, e.g. 2010 or 2010-11."),
    last: str = typer.Option(..., "--to", help="Last financial year, e.g. 2017 or 2017-18."),
    by: str = typer.Option("england", "--by", help="england, region, type, nmsl (North/Midlands/South/London), "
                                                  "deprivation (= imd2019_quintile), imd2019_decile, imd2025_quintile, "
                                                  "imd2025_decile, cla_band, places (--places against the rest) or "
                                                  "place (every council area, ranked)."),
    per: Optional[str] = typer.Option(None, "--per", help="resident (the default), child, older (65+), "
                                      "looked_after_child, total (pupil is refused: no pupil data). Band D "
                                      "(band_d_area_total) is per Band D equivalent already and takes no --per."),
    prices: Optional[str] = typer.Option(None, "--prices", help="Price base, e.g. 2024-25 (GDP deflator); cash if omitted."),
    boundaries: str = typer.Option("2023", "--boundaries", help="Put every year on the councils of this financial year."),
    places: Optional[str] = typer.Option(None, "--places", help="With --by places: councils (codes or names), comma-separated."),
    top: Optional[int] = typer.Option(None, "--top", help="With --by place: ranks 1 to N, the lowest changes (the "
                                      "largest falls, or the smallest rises when every area rose)."),
    bottom: Optional[int] = typer.Option(None, "--bottom", help="With --by place: the N highest ranks (the largest "
                                         "rises, or the smallest falls when every area fell)."),
    region: Optional[str] = typer.Option(None, "--region", help="With --by place: only this region (name or E12 code)."),
    area_type: Optional[str] = typer.Option(None, "--type", help="With --by place: only this type, e.g. \"London borough\", "
                                            "unitary, metropolitan_district, shire_district."),
    deflators: Optional[Path] = typer.Option(None, "--deflators", help="HM Treasury's GDP deflator release as "
                                             "published (.xlsx/.ods/.csv), or a YAML file in the form of "
                                             "parameters/economy/gdp_deflators.yaml; replaces the series held "
                                             "(March 2026 release, 2010-11 to 2024-25)."),
    chart_file: Optional[Path] = typer.Option(None, "--out", "-o", "--chart",
                                              help="Write the chart there: .html (a page that works offline) or "
                                                   ".json (the Vega-Lite spec). Nothing is written without it."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json or parquet (to a file: > out.parquet)."),
):
    """Change in a measure between two years, per head, by group of places or council by council;
    printed and charted. The title names the measure.

    Examples:

        devo change --from 2010 --to 2014 --by region --prices 2024-25        # service spending, like for like

        devo change service_spending --from 2010 --to 2017 --by deprivation --prices 2024-25

        devo change service_spending --from 2010 --to 2017 --by place --region "North East" --top 5

        devo change government_funding --from 2010 --to 2017 --per total --prices 2017-18

        devo change service_spending --from 2010 --to 2017 --by place --format parquet > councils.parquet

        devo change nce_childrens_social_care --from 2011 --to 2024 --per child --by region

        devo change band_d_area_total --from 2015 --to 2023 --by nmsl --out build/band_d.html
    """
    from devolution.analysis.change import change
    from devolution.analysis.change_places import PLACE
    from devolution.analysis.prices import with_deflators
    from devolution.files import output_path
    from devolution.report.change import write_chart
    from devolution.report.standalone import CHART_SUFFIXES

    if chart_file is not None:
        output_path(chart_file, CHART_SUFFIXES)
    tree = with_deflators(deflators) if deflators is not None else None
    codes = _codes(places) if places else None
    table = change(measure, first, last, by, prices=prices, per=per, boundaries=boundaries, places=codes,
                   top=top, bottom=bottom, region=region, type=area_type, parameters=tree)
    if by == PLACE:
        shown = table[["rank", "name", "region", "type", "imd2019_decile", "value_first", "value_last",
                       "change_pct"]].rename(columns={"imd2019_decile": "IMD decile", "value_first": "first value",
                                                      "value_last": "last value", "change_pct": "change %"})
    else:
        shown = table[["group", "areas", "first", "value_first", "last", "value_last", "change_pct"]].rename(
            columns={"value_first": "first value", "value_last": "last value", "change_pct": "change %"})
    show(table if fmt is not Format.table else shown, fmt, title=f"{table.attrs['title']} ({table.attrs['unit']})")
    if fmt is Format.table:
        out = console()
        if by == PLACE:
            e = table.attrs["england"]
            out.print(f"England ({e['areas']} areas): {e['value_first']:,.0f} -> {e['value_last']:,.0f}, "
                      f"change {e['change_pct']:+.1f}%", highlight=False)
        for note in table.attrs["notes"]:
            out.print(f"[dim]- {plain(note)}[/]", highlight=False)
        if table.attrs["left_out"]:
            out.print("[yellow]Left out (not reported in full in one of the years):[/] "
                      + plain(", ".join(r["name"] for r in table.attrs["left_out"])), highlight=False)
        out.print(f"Sources: {', '.join(table.attrs['publications'])}", highlight=False)
    if chart_file is not None:
        written = write_chart(table, chart_file)
        if fmt is Format.table:
            console().print(f"[green]Wrote[/] {plain(str(written))}")


def _codes(places: str) -> list[str]:
    """Comma-separated places (codes or names) as GSS codes."""
    from devolution.places.names import PlaceIndex
    from devolution.store import Store

    with Store(read_only=True) as store:
        index = PlaceIndex.of(store.places())
    return [str(row["code"]) for row in index.find_all(places)]


@claims_app.command("check")
@friendly
def claims_check(
    file: Path = typer.Argument(..., help="YAML file of claims (see examples/claims.yaml)."),
    deflators: Optional[Path] = typer.Option(None, "--deflators", help="HM Treasury's GDP deflator release (.xlsx/.ods/.csv) "
                                                                       "or a YAML series."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json or parquet (to a file: > out.parquet)."),
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
        out.print(f"[bold {colour[row.verdict]}]{row.verdict.upper()}[/] [bold]{plain(row.id)}[/]: "
                  f"{plain(row.statement)}", highlight=False)
        out.print(f"  figures: {row.figures}", highlight=False, markup=False)
        out.print(f"  method: {row.method}", highlight=False, markup=False)
        if row.sources:
            out.print(f"  sources: {row.sources}", highlight=False, markup=False)
    counts = result["verdict"].value_counts()
    out.print(", ".join(f"{counts.get(v, 0)} {v}" for v in colour))
