"""The `devo scenario` commands."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from devolution.cli.common import Format, app, console, friendly, plain, show
from devolution.errors import DevolutionError


scenario_app = typer.Typer(help="Scenarios: projections of the funding gap with uncertainty, and "
                                "winners and losers against a baseline.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")


def _scenario_store():
    from devolution.store import Store

    return Store(read_only=True)


@scenario_app.command("new")
@friendly
def scenario_new(
    path: Path = typer.Argument(..., help="File to write (e.g. my-scenario.yaml)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
):
    """Write a commented scenario template.

    Example: `devo scenario new rates.yaml` then edit it and `devo scenario validate rates.yaml`.
    """
    from devolution.files import output_path, write_output
    from devolution.scenarios.template import render

    output_path(path, (".yaml", ".yml"), "scenario file")
    if path.exists() and not force:
        raise DevolutionError(f"{path} exists: give another name or --force")
    write_output(path, render(path.stem), "scenario file")
    console().print(f"wrote {plain(path)}")


@scenario_app.command("validate")
@friendly
def scenario_validate(file: Path = typer.Argument(..., help="Scenario YAML file.")):
    """Check a scenario file: every problem is listed with its key path.

    Checked against the parameters and, when a store is loaded, the years and places held.
    Example: `devo scenario validate examples/scenarios/devolution.yaml`
    """
    from devolution.scenarios import model, runner

    store = _scenario_store()
    if store.path.exists():
        with store:
            scenario = runner.load(file, store)
    else:
        scenario = model.load(file)
    years = scenario.projection_years
    from devolution.years import year_label

    console().print(f"{plain(file)}: valid scenario {plain(repr(scenario.name))}, {len(years)} years "
                    f"{year_label(years[0])}..{year_label(years[-1])}, {scenario.draws:,} draws, "
                    f"seed {scenario.seed}", soft_wrap=True, highlight=False)


@scenario_app.command("run")
@friendly
def scenario_run(
    file: Path = typer.Argument(..., help="Scenario YAML file."),
    draws: Optional[int] = typer.Option(None, "--draws", help="Monte Carlo draws (default: the file's)."),
    place: Optional[str] = typer.Option(None, "--place", help="Show one place's gap (GSS code or name)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write an HTML page with fan charts."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json or parquet (to a file: > out.parquet)."),
):
    """Project the funding gap (pressure minus resources) with percentiles over the draws.

    Prints England's gap by year (£m); `--place` prints one council's.
    Example: `devo scenario run examples/scenarios/baseline.yaml --draws 5000 --place Leeds --out gap.html`
    """
    from devolution.places.register import resolve
    from devolution.scenarios import runner
    from devolution.years import year_label

    _check_page(out)
    with _scenario_store() as store:
        scenario = runner.load(file, store)
        result = runner.run(scenario, store, draws=draws)
        code = resolve(store.places(), place)["code"] if place else None
    rows = result.england if code is None else result.gap[result.gap["code"] == code]
    if code is not None and rows.empty:
        raise DevolutionError(f"{place}: not among the councils projected (see the left-out list)")
    table = rows.drop(columns=[c for c in ("code",) if c in rows]).copy()
    table["year"] = table["year"].map(year_label)
    for column in table.columns[1:]:
        table[column] = (table[column] / 1e6).round(2)
    title = f"{scenario.name}: funding gap, £m cash ({'England' if code is None else code})"
    show(table, fmt, title=title)
    parts = runner.breakdown(result, code)
    if fmt is Format.table:
        money = parts.columns[2:4]
        show(parts.assign(**{c: (parts[c] / 1e6).round(1) for c in money}, change_pct=parts["change_pct"].round(1)),
             fmt, title=f"What makes the gap, central run, £m cash ({'England' if code is None else code})")
        for note in result.notes:
            console().print(f"[dim]- {plain(note)}[/]", highlight=False, soft_wrap=True)
    if out:
        from devolution.report.scenario import fan_chart, write_page

        charts = [fan_chart(result)] + ([fan_chart(result, code)] if code else [])
        write_page(out, title, charts, [("What makes the gap (central run, £ cash)", parts),
                                        ("Councils left out", result.inputs.left_out),
                                        ("Parameters used", result.resolved)], result.notes)
        console().print(f"wrote {plain(out)}")


def _check_page(out: Optional[Path]) -> None:
    """``--out`` checked before the scenario runs: an .html page in a folder that exists."""
    if out is not None:
        from devolution.files import output_path
        from devolution.report.standalone import PAGE_SUFFIXES

        output_path(out, PAGE_SUFFIXES)


class ScenarioGrouping(str, Enum):
    place = "place"
    region = "region"
    type = "type"
    deprivation = "deprivation"


@scenario_app.command("compare")
@friendly
def scenario_compare(
    baseline: Path = typer.Argument(..., help="Baseline scenario file."),
    scenario: Path = typer.Argument(..., help="Scenario file to compare with it."),
    year: Optional[str] = typer.Option(None, "--year", help="Year compared (default: the last projected)."),
    by: ScenarioGrouping = typer.Option(ScenarioGrouping.region, "--by",
                                        help="place, region, type or deprivation (IMD 2025 decile)."),
    place: Optional[str] = typer.Option(None, "--place", help="Place for the waterfall chart in --out."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write an HTML page with the charts."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json or parquet (to a file: > out.parquet)."),
):
    """Winners and losers: the change in funding gap of SCENARIO against BASELINE (central runs).

    Example: `devo scenario compare examples/scenarios/baseline.yaml examples/scenarios/devolution.yaml --by deprivation`
    """
    from devolution.places.register import resolve
    from devolution.scenarios import compare, runner
    from devolution.years import parse_year, year_label

    _check_page(out)
    with _scenario_store() as store:
        a, b = runner.load(baseline, store), runner.load(scenario, store)
        ra, rb = runner.run(a, store, draws=1), runner.run(b, store, draws=1)
        when = parse_year(year) if year else int(rb.years[-1])
        both = sorted(set(map(int, ra.years)) & set(map(int, rb.years)))
        if when not in both:
            from devolution.years import year_spans

            raise DevolutionError(f"--year {year_label(when)} is not projected by both scenarios: they both "
                                  f"project {year_spans(both)}")
        table = compare.by_place(ra, rb, when, store)
        code = resolve(store.places(), place)["code"] if place else None
    column = {"place": None, "region": "region", "type": "tier_label", "deprivation": "imd2025_decile"}[by.value]
    if column is None:
        shown = table[["code", "name", "tier_label", "region", "imd2025_decile", "gap_baseline", "gap_scenario",
                       "change", "change_per_head", "outcome"]]
    else:
        shown = compare.by_group(table, column)
    show(shown.round(2), fmt, title=f"{b.name} against {a.name}, {year_label(when)} (£ cash)")
    if out:
        from devolution.report.scenario import distribution, waterfall, write_page

        charts = [distribution(table, "Change in funding gap per head, every council")]
        if code:
            name = table.set_index("code")["name"].get(code, code)
            charts.insert(0, waterfall(compare.components(ra, rb, when, code), f"{name}: from baseline to scenario"))
        write_page(out, f"{b.name} against {a.name}", charts, [("Every council", table)], rb.notes)
        console().print(f"wrote {plain(out)}")
