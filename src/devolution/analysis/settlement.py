"""The settlement and business rates retention on what the data holds, for the `devo settlement`
command: what the store has per authority, and the full scheme on a CSV of official amounts."""

from __future__ import annotations

from pathlib import Path


def settlement_illustration(store, year: int):
    """What the store holds for the retention scheme in a year, one row per authority: SFA (Core
    Spending Power tables), RSG and retained business rates income (revenue outturn, sign turned to
    income), and BFL implied as SFA - RSG where both exist (labelled: the official split is not in
    the data)."""
    import pandas as pd

    measures = {"csp_settlement_funding_assessment": "sfa", "ro_revenue_support_grant": "rsg_outturn",
                "ro_retained_business_rates_income": "retained_income_outturn"}
    obs = store.observations(list(measures), years=[year])
    wide = obs.pivot_table(index="code", columns="measure", values="value").rename(columns=measures)
    for column in measures.values():
        if column not in wide:
            wide[column] = float("nan")
    wide[["rsg_outturn", "retained_income_outturn"]] *= -1.0
    wide["bfl_implied"] = wide["sfa"] - wide["rsg_outturn"]
    wide["retained_minus_bfl_implied"] = wide["retained_income_outturn"] - wide["bfl_implied"]
    names = store.places().set_index("code")[["name", "tier"]]
    frame = wide.join(names, how="left").reset_index()
    columns = ["code", "name", "tier", "sfa", "rsg_outturn", "bfl_implied", "retained_income_outturn",
               "retained_minus_bfl_implied"]
    return pd.DataFrame(frame[columns]).sort_values("code").reset_index(drop=True)


def retention_from_csv(path: Path, year: int, overrides: dict, base_local_share: float):
    """Run retention for every authority in a CSV of official per-authority amounts, under current
    parameters and under the overrides; the change is scenario minus baseline."""
    import numpy as np
    import pandas as pd

    from devolution import parameters
    from devolution.errors import DataError
    from devolution.rules.pipeline import RetentionInputs, run_retention

    required = ["code", "business_rates_baseline", "baseline_funding_level", "non_domestic_rating_income",
                "tier_share"]
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read ({exc})", file=str(path)) from None
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise DataError(f"missing column(s) {', '.join(missing)} (expected {', '.join(required)}, optional pool)",
                        file=str(path))
    for column in required[1:]:
        bad = pd.to_numeric(table[column], errors="coerce").isna()
        if bad.any():
            raise DataError("not a number", file=str(path), row=int(bad.idxmax()) + 2, column=column)
    pool = table["pool"].fillna(-1).astype(int).to_numpy() if "pool" in table else np.full(len(table), -1)
    inputs = RetentionInputs(table["code"].astype(str).to_numpy(),
                             *(table[c].astype(float).to_numpy() for c in required[1:]), pool, base_local_share)
    base = run_retention(inputs, year, parameters.default()).values
    scenario = run_retention(inputs, year, parameters.with_overrides(overrides) if overrides
                             else parameters.default()).values
    frame = pd.DataFrame({"code": inputs.codes, "retained_income": scenario["retained_rates_income"],
                          "levy": scenario["levy"], "safety_net": scenario["safety_net"],
                          "kept_over_bfl": scenario["growth_kept"],
                          "change_vs_baseline": scenario["growth_kept"] - base["growth_kept"]})
    return frame
