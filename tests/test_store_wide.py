"""``Store.wide``: a year's measures, one row per code, read once per store."""

import numpy as np
import pytest

from devolution.errors import StoreError

MEASURES = ("csp_settlement_funding_assessment", "ro_revenue_support_grant")


def test_a_years_measures_are_one_row_per_code_with_every_stored_value_once(store):
    wide = store.wide(MEASURES, 2017)
    long = store.observations(list(MEASURES), [2017])
    assert list(wide.columns) == list(MEASURES) and wide.index.name == "code"
    assert wide.index.is_monotonic_increasing and set(wide.index) == set(long["code"])
    assert int(wide.notna().to_numpy().sum()) == len(long)      # each stored value once, nothing made up
    looked_up = wide.to_numpy()[wide.index.get_indexer(long["code"]), wide.columns.get_indexer(long["measure"])]
    assert np.array_equal(looked_up, long["value"].to_numpy())
    # read once while the data stays as it is (the first read, which opened the connection, is not kept)
    assert store.wide(list(MEASURES), 2017) is store.wide(MEASURES, 2017)


def test_a_measure_without_rows_that_year_is_a_column_of_nan_and_an_unknown_one_is_refused(store):
    wide = store.wide(("band_d_excl_parish", "csp_settlement_funding_assessment"), 2023)  # SFA: to 2020-21
    assert wide["csp_settlement_funding_assessment"].isna().all() and wide["band_d_excl_parish"].notna().any()
    with pytest.raises(StoreError, match="no_such_measure"):
        store.wide(["band_d_excl_parish", "no_such_measure"], 2023)
