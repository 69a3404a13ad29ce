"""The settlement and business rates retention on what the data holds, for the `devo settlement`
command: what the store has per authority, and the full scheme on a CSV of official amounts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def settlement_illustration(store, year: int):
    """What the store holds for the retention scheme in a year, one row per authority: SFA (Core
    Spending Power tables), RSG and retained business rates income (revenue outturn, sign turned to
    income), and BFL implied as SFA - RSG where both exist (labelled: the official split is not in
    the data)."""
    import pandas as pd

    measures = {"csp_settlement_funding_assessment": "sfa", "ro_revenue_support_grant": "rsg_outturn",
                "ro_retained_business_rates_income": "retained_income_outturn"}
    wide = store.wide(list(measures), year).rename(columns=measures)  # a copy: the store's frame is shared
    wide[["rsg_outturn", "retained_income_outturn"]] *= -1.0
    wide["bfl_implied"] = wide["sfa"] - wide["rsg_outturn"]
    wide["retained_minus_bfl_implied"] = wide["retained_income_outturn"] - wide["bfl_implied"]
    names = store.places().set_index("code")[["name", "tier"]]
    frame = wide.join(names, how="left").reset_index()
    columns = ["code", "name", "tier", "sfa", "rsg_outturn", "bfl_implied", "retained_income_outturn",
               "retained_minus_bfl_implied"]
    return pd.DataFrame(frame[columns]).sort_values("code").reset_index(drop=True)


#: The columns of ``devo settlement --inputs``: the official per-authority amounts (£, not negative).
INPUT_AMOUNTS = ("business_rates_baseline", "baseline_funding_level", "non_domestic_rating_income")


def read_retention_inputs(path: Path, places=None):
    """The ``--inputs`` CSV checked as loaded files are: every problem refused with the file, row
    and column. ``code``: a GSS code of a council or strategic authority in the register (a name is
    refused with its code), each once; amounts: numbers, not negative; ``tier_share``: a share above
    0 and at most 1; ``pool`` (optional): a whole number naming a pool, blank or -1 for none;
    ``name`` (optional): for people, not read; any other column is refused (a misspelt ``pools``
    would otherwise leave every authority outside its pool).
    ``places``: the register (codes are checked against it when given)."""
    import numpy as np

    from devolution.places.tiers import COUNCIL_TIERS, SA_TIERS
    from devolution.sources.base import GSS_CODE, NUMBER, numbers, refuse_first, require_unique
    from devolution.sources.text import read_csv

    path = Path(path)
    table = read_csv(path, ["code", *INPUT_AMOUNTS, "tier_share"], unread=["pool", "name"])
    codes = table["code"].fillna("").str.strip()
    table["code"] = codes
    if places is not None:
        from devolution.places.names import PlaceIndex

        known = places[places["tier"].isin(COUNCIL_TIERS + SA_TIERS)]
        unknown = ~codes.isin(set(known["code"]))
        index = PlaceIndex.of(known)

        def why(at: int) -> str:
            given = codes.iloc[at]
            try:
                found = index.find(given, exact=True) if given else None
            except Exception:  # not a name either: say what a code looks like
                found = None
            if found is not None and found["code"] != given:
                return f"{given!r} is not a GSS code: {found['name']} is {found['code']}"
            return f"unknown authority code {given!r} (expected the GSS code of a council or strategic authority)"

        refuse_first(unknown, table, path, "code", why)
    else:
        refuse_first(~codes.str.match(GSS_CODE.pattern), table, path, "code",
                     lambda at: f"{codes.iloc[at]!r} is not a GSS code (expected e.g. E06000001)")
    require_unique(table, ["code"], path)
    for column in (*INPUT_AMOUNTS, "tier_share"):
        values = numbers(table, column, path, kind=NUMBER)
        refuse_first(values.isna(), table, path, column, lambda at: "no value (every amount is needed)")
        if column == "tier_share":
            refuse_first(~((values > 0) & (values <= 1)), table, path, column,
                         lambda at, v=values: f"{v.iloc[at]:g} is not a share above 0 and at most 1")
        else:
            refuse_first(values < 0, table, path, column,
                         lambda at, v=values, c=column: f"{c} of {v.iloc[at]:,.2f} is negative (expected £, 0 or more)")
        table[column] = values
    pool = numbers(table, "pool", path, kind=NUMBER).fillna(-1) if "pool" in table else pd.Series(-1.0, index=table.index)
    refuse_first((pool != np.round(pool)) | (pool < -1), table, path, "pool",
                 lambda at: f"{pool.iloc[at]:g} is not a pool number (a whole number; blank or -1 for none)")
    table["pool"] = pool.astype(int)
    return table


def retention_from_csv(path: Path, year: int, overrides: dict, base_local_share: float, places=None):
    """Run retention for every authority in a CSV of official per-authority amounts
    (:func:`read_retention_inputs`), under current parameters and under the overrides; the change
    is scenario minus baseline."""
    from devolution import parameters
    from devolution.rules.pipeline import RetentionInputs, run_retention

    table = read_retention_inputs(path, places)
    inputs = RetentionInputs(table["code"].astype(str).to_numpy(),
                             *(table[c].astype(float).to_numpy() for c in (*INPUT_AMOUNTS, "tier_share")),
                             table["pool"].to_numpy(), base_local_share)
    base = run_retention(inputs, year, parameters.default()).values
    scenario = run_retention(inputs, year, parameters.with_overrides(overrides) if overrides
                             else parameters.default()).values
    frame = pd.DataFrame({"code": inputs.codes, "retained_income": scenario["retained_rates_income"],
                          "levy": scenario["levy"], "safety_net": scenario["safety_net"],
                          "kept_over_bfl": scenario["growth_kept"],
                          "change_vs_baseline": scenario["growth_kept"] - base["growth_kept"]})
    return frame
