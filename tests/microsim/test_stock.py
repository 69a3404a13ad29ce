"""The synthetic stocks reproduce the published counts; Parquet round trips through pyarrow and DuckDB."""

from __future__ import annotations

import numpy as np
import pytest

from devolution.errors import DataError
from devolution.microsim import partitions, stock as stocks


def test_every_band_count_of_every_authority_in_2022_is_reproduced_exactly(national_counts):
    counts, _ = national_counts
    dwellings = stocks.dwellings_from_counts(counts.index.to_numpy(dtype=object), counts.to_numpy(), year=2022)
    assert len(dwellings) == 25_225_481                      # England total, Council Taxbase 2022
    assert len(dwellings.codes) == 309
    assert np.array_equal(dwellings.counts_by_band(), counts.to_numpy())
    assert dwellings.band.dtype == np.int8 and dwellings.single_person.dtype == bool


def test_discount_and_exemption_shares_are_the_national_figures_of_the_2022_release(national_counts):
    counts, _ = national_counts
    dwellings = stocks.dwellings_from_counts(counts.index.to_numpy(dtype=object), counts.to_numpy())
    # 8.3 million single-adult discounts and 692,000 exemptions of 25.2 million (rounded in the
    # release); binomial noise on 25 million draws is about 0.01 percentage points.
    assert dwellings.single_person.mean() == pytest.approx(8.3 / 25.2, abs=2e-4)
    assert dwellings.exempt.mean() == pytest.approx(0.692 / 25.2, abs=2e-4)
    assert not (dwellings.single_person & dwellings.exempt).any()


def test_the_same_seed_gives_the_same_stock(small_stock):
    again = stocks.dwellings_from_counts(small_stock[0].codes, small_stock[0].counts_by_band())
    assert np.array_equal(again.single_person, small_stock[0].single_person)


def test_counts_that_are_not_authorities_by_eight_bands_are_refused():
    with pytest.raises(DataError, match="authorities x 8"):
        stocks.dwellings_from_counts(["E06000001"], np.ones((1, 7)))
    with pytest.raises(DataError, match="whole numbers"):
        stocks.dwellings_from_counts(["E06000001"], np.full((1, 8), 1.5))


def test_hereditaments_add_up_to_the_calibration_totals():
    sizes = np.array([100_000, 0, 300_000, 25_000])
    heredits = stocks.hereditaments_for(np.array(["a", "b", "c", "d"], dtype=object), sizes,
                                        stocks.NonDomesticAssumptions(hereditaments=50_000))
    assert len(heredits) == 50_000
    assert np.diff(heredits.offsets)[1] == 0
    # whole pounds: rounding moves the total by at most half a pound per hereditament
    assert abs(heredits.rateable_value.sum() - 66.0e9) <= 0.5 * 50_000
    assert set(np.unique(heredits.sector)) == {0, 1, 2, 3}


def test_parquet_partitions_round_trip_and_duckdb_counts_them(small_stock, tmp_path):
    dwellings, _ = small_stock
    partitions.write_dwellings(dwellings, tmp_path / "d")
    assert partitions.partition_codes(tmp_path / "d") == list(dwellings.codes)
    back = partitions.read_dwellings(tmp_path / "d")
    assert np.array_equal(back.offsets, dwellings.offsets)
    for column in partitions.DWELLING_COLUMNS:
        assert np.array_equal(getattr(back, column), getattr(dwellings, column))
    counted = partitions.duckdb_counts_by_band(tmp_path / "d")
    wide = counted.pivot(index="code", columns="band", values="dwellings").fillna(0).astype(int)
    expected = dwellings.counts_by_band()
    assert np.array_equal(wide.loc["E06000903"].reindex(range(8), fill_value=0).to_numpy(), expected[2])
    subset = partitions.read_dwellings(tmp_path / "d", ["E06000903"])
    assert len(subset) == expected[2].sum()


def test_a_missing_stock_folder_names_the_path(tmp_path):
    with pytest.raises(DataError, match="no partitioned stock"):
        partitions.read_dwellings(tmp_path / "nowhere")
