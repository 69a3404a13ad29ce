"""Finance runs: `devo settlement` and `devo microsim`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from devolution.cli.common import Format, app, console, friendly, show


def _parse_settings(settings: list[str], year: int) -> dict:
    """``PATH=VALUE`` pairs -> overrides from ``year`` onward; a malformed pair names itself."""
    import yaml

    from devolution.errors import ParameterError
    from devolution.years import year_label

    overrides: dict = {}
    for item in settings:
        path, sep, text = item.partition("=")
        if not sep or not path.strip():
            raise ParameterError(f"--set {item!r}: expected PATH=VALUE, e.g. business_rates.local_share=1.0")
        overrides[path.strip()] = {year_label(year): yaml.safe_load(text)}
    return overrides


_INPUT_COLUMNS = ("code, business_rates_baseline, baseline_funding_level, non_domestic_rating_income, "
                  "tier_share[, pool]")
_STORE_MEASURES = {"csp_settlement_funding_assessment": "SFA", "ro_revenue_support_grant": "RSG outturn",
                   "ro_retained_business_rates_income": "retained rates outturn"}


def _held_years(store) -> str:
    """Which years the store holds for each settlement measure, e.g. 'SFA 2015-16 to 2020-21'."""
    from devolution.years import year_spans

    names = ", ".join(f"'{m}'" for m in _STORE_MEASURES)
    held = store.query(f"SELECT measure, list(DISTINCT year ORDER BY year) AS years FROM observations "
                       f"WHERE measure IN ({names}) GROUP BY measure")
    parts = [f"{_STORE_MEASURES[m]} {year_spans(years)}" for m, years in zip(held["measure"], held["years"])]
    return "; ".join(sorted(parts)) or "none of them (run `devo data load`)"


def _missing_inputs_message(store, year: int, settings: list[str]) -> str:
    """Why a year cannot be shown without --inputs: what is missing, what the store has, how to supply it."""
    from devolution.years import year_label

    label = year_label(year)
    asked = f" {' '.join('--set ' + s for s in settings)}" if settings else ""
    return (f"no settlement figures for {label} in the store, and the retention run needs per-authority "
            f"business rates baselines, baseline funding levels and non-domestic rating income (NNDR1/NNDR3), "
            f"which are not in the shared data. The store holds: {_held_years(store)}. Supply the official "
            f"amounts for {label} (Local Government Finance Report, NNDR1) as a CSV with columns "
            f"{_INPUT_COLUMNS}: devo settlement --year {label} --inputs FILE.csv{asked} "
            f"(see docs/settlement.md)")


@app.command("settlement")
@friendly
def settlement_command(
    year: str = typer.Option(..., "--year", help="Financial year, e.g. 2017 or 2017-18."),
    settings: list[str] = typer.Option([], "--set", help="PATH=VALUE from this year on, e.g. business_rates.local_share=1.0."),
    inputs: Optional[Path] = typer.Option(None, "--inputs", help=f"CSV of official per-authority amounts: "
                                          f"{_INPUT_COLUMNS}."),
    base_local_share: float = typer.Option(0.5, "--base-local-share", help="Local share the baselines in --inputs were set at."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json or parquet (to a file: > out.parquet)."),
):
    """Business rates retention and the settlement (2013-14 to 2025-26), for every authority.

    With --inputs (the official business rates baselines, baseline funding levels and rates income,
    which are not in the shared data), shows retained income, levy, safety net and the change
    against current policy under the --set parameters. Without it, shows what the data holds:
    SFA (Core Spending Power tables, 2015-16 to 2020-21), RSG and retained rates income (revenue
    outturn, 2013-14 to 2017-18), and BFL implied as SFA - RSG; --set is then checked but
    changes nothing shown. Unknown parameter paths are refused with the path.

    Examples:

        devo settlement --year 2017-18

        devo settlement --year 2017 --inputs baselines.csv --set business_rates.local_share=1.0

        devo settlement --year 2019 --inputs baselines.csv --set settlement.retention.levy_rate_cap=0.25 --format csv
    """
    from devolution import parameters
    from devolution.analysis.settlement import retention_from_csv, settlement_illustration
    from devolution.errors import DevolutionError
    from devolution.store import Store
    from devolution.years import parse_year, year_label

    start = parse_year(year)
    overrides = _parse_settings(settings, start)
    if overrides:
        parameters.with_overrides(overrides)  # every path and value checked before anything runs
    if start >= 2026:
        raise DevolutionError(f"{year_label(start)} is under the Fair Funding Review 2.0: the official needs "
                              f"weights, quanta, tax bases and floors are not in the data (see docs/settlement.md); "
                              f"the machinery is in devolution.rules.needs")
    if not 0 < base_local_share <= 1:
        raise DevolutionError(f"--base-local-share {base_local_share:g}: expected a share above 0 and at most 1")
    if inputs is not None:
        with Store(read_only=True) as store:
            places = store.places()
        frame = retention_from_csv(inputs, start, overrides, base_local_share, places)
        show(frame, fmt, title=f"Business rates retention {year_label(start)} (£; change = scenario - current policy)")
        return
    with Store(read_only=True) as store:
        frame = settlement_illustration(store, start)
        if frame.empty:
            raise DevolutionError(_missing_inputs_message(store, start, settings))
    show(frame, fmt, title=f"Settlement data {year_label(start)} (£; bfl_implied = SFA - RSG outturn, not official)")
    if fmt is Format.table:
        console().print("[yellow]Business rates baselines, BFLs, tariffs/top-ups and NNDR income are not in the "
                        "data: levy and safety net need --inputs. See docs/settlement.md.[/]")



microsim_app = typer.Typer(help="Property-level council tax: synthetic stocks, reforms, national runs.",
                           no_args_is_help=True)
app.add_typer(microsim_app, name="microsim")


@microsim_app.command("build")
@friendly
def microsim_build(
    out: Path = typer.Argument(..., help="Folder for the stock (dwellings/ and hereditaments/ under it)."),
    year: str = typer.Option("2022", "--year", help="Year of the dwellings-by-band counts: 2022, 2022-23 or 2022/23 (2022 is the latest)."),
    hereditaments: bool = typer.Option(True, "--hereditaments/--no-hereditaments",
                                       help="Also write the synthetic non-domestic stock."),
):
    """Build the synthetic national stock from the store and write it as Parquet, one folder per
    billing authority. Dwellings match every authority's published count in every band exactly.

    Examples:

        devo microsim build build/stock

        devo microsim build build/stock --year 2019 --no-hereditaments
    """
    import numpy as np

    from devolution.microsim import partitions, stock as stocks
    from devolution.store import Store
    from devolution.years import parse_year

    year = parse_year(year)

    with Store(read_only=True) as store:
        dwellings = stocks.dwellings_from_store(store, year)
    partitions.write_dwellings(dwellings, out / "dwellings")
    rows = [("dwellings", len(dwellings), len(dwellings.codes))]
    if hereditaments:
        heredits = stocks.hereditaments_for(dwellings.codes, np.diff(dwellings.offsets))
        partitions.write_hereditaments(heredits, out / "hereditaments")
        rows.append(("hereditaments", len(heredits), len(heredits.codes)))
    import pandas as pd

    show(pd.DataFrame(rows, columns=["stock", "rows", "billing_authorities"]), Format.table,
         title=f"Wrote {out} ({year})")


@microsim_app.command("run")
@friendly
def microsim_run(
    stock_dir: Path = typer.Argument(..., help="Folder written by `devo microsim build`."),
    year: str = typer.Option("2022", "--year", help="Year of the Band D charges and parameters: 2022, 2022-23 or 2022/23."),
    single_person: Optional[float] = typer.Option(None, "--single-person", help="Single person discount share."),
    ratios: Optional[str] = typer.Option(None, "--ratios", help="Eight band proportions, e.g. 6/9,7/9,8/9,1,11/9,13/9,15/9,2."),
    new_band: Optional[list[str]] = typer.Option(None, "--new-band", help="RATIO:SHARE of band H (repeatable)."),
    dask: bool = typer.Option(False, "--dask", help="Run on Dask (a LocalCluster unless --scheduler)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786."),
    top: int = typer.Option(20, "--top", help="Rows shown (largest yield change first); 0 for all."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json or parquet (to a file: > out.parquet)."),
):
    """Run a council tax reform on every dwelling and compare each billing authority with the
    baseline: tax base (Band D equivalents), yield at today's Band D, and the Band D that would
    raise today's yield. The reform applies from --year onward.

    Examples:

        devo microsim run build/stock --single-person 0.30

        devo microsim run build/stock --new-band 21/9:0.4 --new-band 24/9:0.2 --top 0

        devo microsim run build/stock --single-person 0.2 --scheduler tcp://10.0.0.5:8786
    """
    from devolution.errors import DevolutionError
    from devolution.microsim import partitions, run
    from devolution.microsim.reforms import reform_from_options
    from devolution.store import Store
    from devolution.years import parse_year

    year = parse_year(year)
    if top < 0:
        raise DevolutionError(f"--top {top}: expected a number of rows, 0 for all")
    reform = reform_from_options(year, single_person, ratios, new_band)
    root = stock_dir / "dwellings"
    codes = partitions.partition_codes(root)
    with Store(read_only=True) as store:
        band_d = run.band_d_for(store, codes, year)
    if dask or scheduler:
        from devolution.microsim.distributed import council_tax_on_dask

        base = council_tax_on_dask(root, dict(zip(codes, band_d)), year, scheduler=scheduler)
        new = council_tax_on_dask(root, dict(zip(codes, band_d)), year, reform, scheduler=scheduler)
        frame = run.comparison_from_sums(base, new)
    else:
        frame = run.compare(partitions.read_dwellings(root, codes, year), band_d, year, reform)
    with Store(read_only=True) as store:
        places = store.places()
    frame = frame.sort_values("yield_change", key=abs, ascending=False)
    table = run.with_names_and_england(frame.head(top) if top else frame, places, everyone=frame)
    show(table, fmt, title=f"{reform.name} vs baseline, {year} (£; tax base in Band D equivalents; synthetic stock, "
                           f"see docs/microsim.md; England: every billing authority)")
