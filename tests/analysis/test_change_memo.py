"""What ``change`` derives from the store once (``Store.memo``: the register on a year's
boundaries, counts moved onto them, a measure's rows) is dropped when the store loads data, so
a comparison asked again after a load gives the new data's answer, never the one held before."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from devolution.analysis.areas import on_boundaries
from devolution.analysis.change import change
from devolution.sources.population import MYE_FILE
from devolution.store import Store

NCE = "nce_total_service_expenditure"


def test_a_comparison_after_a_load_of_other_figures_gives_the_new_figures(loaded_store_path, data_dir, tmp_path):
    path = tmp_path / "store.duckdb"
    shutil.copy(loaded_store_path, path)
    doubled = tmp_path / "doubled"
    doubled.mkdir()
    mye = pd.read_csv(data_dir / MYE_FILE)
    mye.assign(population=mye["population"] * 2).to_csv(doubled / MYE_FILE, index=False)
    with Store(path) as store:
        before = change(NCE, 2010, 2017, "deprivation", store=store)
        areas = on_boundaries(store, 2023)
        assert on_boundaries(store, 2023) is areas                      # held between calls
        priced = change(NCE, 2010, 2017, "deprivation", store=store, prices="2023-24")
        assert (priced["value_first"] > before["value_first"]).all()     # in 2023-24 prices, not cash
        again = change(NCE, 2010, 2017, "deprivation", store=store)      # what is held was not priced in place
        pd.testing.assert_frame_equal(again, before, check_exact=True)
        store.load(doubled)                                             # every population twice as large
        after = change(NCE, 2010, 2017, "deprivation", store=store)
        assert on_boundaries(store, 2023) is not areas                  # built again from the new data
    # Twice the residents, the same money: half as much per head, in every group and in England.
    assert after["group"].tolist() == before["group"].tolist()
    assert after["value_first"].to_numpy() == pytest.approx(before["value_first"].to_numpy() / 2, rel=1e-12)
    assert after["value_last"].to_numpy() == pytest.approx(before["value_last"].to_numpy() / 2, rel=1e-12)
    assert after["money_last_m"].to_numpy() == pytest.approx(before["money_last_m"].to_numpy(), rel=1e-12)
    with Store(path, read_only=True) as fresh:                          # and what a fresh process would say
        pd.testing.assert_frame_equal(change(NCE, 2010, 2017, "deprivation", store=fresh), after, check_exact=True)
