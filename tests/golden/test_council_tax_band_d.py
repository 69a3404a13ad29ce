"""Golden: Band D excluding parish precepts, for every authority and year of the council tax levels
(MHCLG "Council Tax levels set by local authorities in England", 2014-15 to 2023-24), reproduced
from the council tax requirement and the tax base with ``rules.council_tax.band_d``.

Tolerance: £0.005, since the published Band D is rounded to the penny. Rows that cannot match are
listed, each with a reason, in ``exceptions_band_d.csv``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from devolution.rules.council_tax import band_d
from devolution.sources import council_tax
from devolution.sources.base import Context
from devolution.years import year_label

TOLERANCE = 0.005
EXCEPTIONS = Path(__file__).with_name("exceptions_band_d.csv")


@pytest.fixture(scope="module")
def levels(data_dir) -> pd.DataFrame:
    parsed = council_tax.parse_levels({council_tax.LEVELS_FILE: data_dir / council_tax.LEVELS_FILE}, Context())
    wide = parsed.observations.pivot_table(index=["code", "year"], columns="measure", values="value").reset_index()
    return wide.dropna(subset=["council_tax_requirement_excl_parish", "tax_base", "band_d_excl_parish"])


def test_band_d_reproduced_to_the_penny_for_every_authority_and_year(levels):
    computed = band_d(levels["council_tax_requirement_excl_parish"].to_numpy(), levels["tax_base"].to_numpy())
    frame = levels.assign(computed=computed, label=levels["year"].map(year_label))
    frame["difference"] = (frame["computed"] - frame["band_d_excl_parish"]).abs()
    exceptions = pd.read_csv(EXCEPTIONS, dtype={"code": str, "year": str})
    assert exceptions["reason"].str.len().gt(20).all(), "every exception needs a reason"
    excused = set(zip(exceptions["code"], exceptions["year"]))
    is_excused = np.array([(c, y) in excused for c, y in zip(frame["code"], frame["label"])])
    mismatched = frame[(frame["difference"] > TOLERANCE) & ~is_excused]
    worst = mismatched.nlargest(5, "difference")[["code", "label", "band_d_excl_parish", "computed", "difference"]]
    assert mismatched.empty, (f"{len(mismatched)} of {len(frame)} rows differ by more than £{TOLERANCE}; "
                              f"worst 5:\n{worst.to_string(index=False)}")
    assert len(frame) > 3000  # every billing authority, 2014-15 to 2023-24


def test_every_listed_exception_still_differs(levels):
    """An exception that now matches is stale and must be removed from the file."""
    exceptions = pd.read_csv(EXCEPTIONS, dtype={"code": str, "year": str})
    frame = levels.assign(label=levels["year"].map(year_label))
    rows = exceptions.merge(frame, left_on=["code", "year"], right_on=["code", "label"], how="left")
    assert rows["tax_base"].notna().all(), "an exception names a row the file does not hold"
    computed = band_d(rows["council_tax_requirement_excl_parish"].to_numpy(), rows["tax_base"].to_numpy())
    still = np.abs(computed - rows["band_d_excl_parish"].to_numpy()) > TOLERANCE
    assert still.all(), f"stale exceptions: {rows.loc[~still, ['code', 'year_x']].values.tolist()}"
