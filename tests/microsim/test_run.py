"""Council tax per dwelling, summed to authorities, agrees with the place-level rules; reforms."""

from __future__ import annotations

import numpy as np
import pytest

from devolution import parameters
from devolution.errors import DataError, ParameterError
from devolution.microsim import stock as stocks
from devolution.microsim.reforms import NewBand, Reform, reform_from_options, split_top_band
from devolution.microsim.run import compare, council_tax_by_authority, council_tax_charges
from devolution.rules import council_tax


def test_band_d_equivalents_from_every_dwelling_equal_the_place_level_rule(national_counts):
    counts, band_d = national_counts
    dwellings = stocks.dwellings_from_counts(counts.index.to_numpy(dtype=object), counts.to_numpy(), year=2022)
    result = council_tax_by_authority(dwellings, band_d, 2022)
    ratios = np.array(parameters.value("council_tax.band_ratios.ratios", 2022), dtype=float)
    expected = council_tax.band_d_equivalents(counts.to_numpy(), ratios)
    # the kernel counts dwellings by band exactly, then adds eight products: only a few roundings
    # of ~1.1e-16 each (adding ~450,000 ninths one by one, as before issue #8, needed 1e-10)
    np.testing.assert_allclose(result["band_d_equivalents"], expected, rtol=1e-14)
    assert result["dwellings"].sum() == 25_225_481


def test_a_hand_worked_authority():
    # one authority: band A single person, band D exempt, band H; Band D £1,800
    dwellings = stocks.DwellingStock(np.array(["E06000999"], dtype=object), np.array([0, 3]),
                                     np.array([0, 3, 7], dtype=np.int8), np.array([True, False, False]),
                                     np.array([False, True, False]))
    row = council_tax_by_authority(dwellings, np.array([1800.0]), 2022).iloc[0]
    assert row["band_d_equivalents"] == pytest.approx(6 / 9 + 1 + 2)
    assert row["chargeable_band_d_equivalents"] == pytest.approx(6 / 9 * 0.75 + 2)
    assert row["charge"] == pytest.approx(1800 * 6 / 9 * 0.75 + 1800 * 2)      # £900 + £3,600


def test_numba_and_numpy_engines_agree_on_a_reform(small_stock):
    dwellings, band_d = small_stock
    reform = Reform("x", {"council_tax.discounts.single_person": {2022: 0.4}}, (NewBand(21 / 9, 0.5),))
    fast = council_tax_by_authority(dwellings, band_d, 2022, reform, engine="numba")
    slow = council_tax_by_authority(dwellings, band_d, 2022, reform, engine="numpy")
    np.testing.assert_allclose(fast.drop(columns="code").to_numpy(), slow.drop(columns="code").to_numpy(), rtol=1e-12)


def test_a_bigger_single_person_discount_costs_exactly_the_discounted_band_d_equivalents(small_stock):
    dwellings, band_d = small_stock
    result = compare(dwellings, band_d, 2022, reform_from_options(2022, single_person=0.5))
    ratios = np.array(parameters.value("council_tax.band_ratios.ratios", 2022), dtype=float)
    eligible = dwellings.single_person & ~dwellings.exempt
    place = np.repeat(np.arange(3), np.diff(dwellings.offsets))
    lost = np.bincount(place, weights=ratios[dwellings.band] * eligible * 0.25, minlength=3)
    np.testing.assert_allclose(result["tax_base_baseline"] - result["tax_base_reform"], lost, atol=1e-12)
    assert (result["yield_change"] <= 0).all()
    # the Band D that raises the baseline yield is higher where the base shrank
    assert result.loc[2, "band_d_same_yield"] > band_d[2]


def test_a_reform_from_one_year_still_applies_years_later(small_stock):
    dwellings, band_d = small_stock
    reform = reform_from_options(2025, single_person=0.1)
    later = council_tax_by_authority(dwellings, band_d, 2030, reform)
    before = council_tax_by_authority(dwellings, band_d, 2024, reform)
    assert (later["chargeable_band_d_equivalents"] > before["chargeable_band_d_equivalents"]).iloc[[0, 2]].all()


def test_new_top_bands_move_only_band_h_dwellings():
    band = np.array([0, 7, 7, 7, 7, 3], dtype=np.int8)
    draw = np.array([0.9, 0.05, 0.15, 0.5, 0.95, 0.01])
    # band I takes 40% of band H, band J (the highest) 10%: draws under 0.1 go to J, 0.1-0.5 to I
    out = split_top_band(band, draw, 7, np.array([0.4, 0.1]))
    assert out.tolist() == [0, 9, 8, 7, 7, 3]


def test_new_top_bands_raise_the_tax_base_where_there_are_band_h_homes(small_stock):
    dwellings, band_d = small_stock
    result = compare(dwellings, band_d, 2022, reform_from_options(2022, new_bands=["24/9:1"]))
    h = dwellings.counts_by_band()[:, 7]
    chargeable_h = np.array([((dwellings.band[dwellings.offsets[a]:dwellings.offsets[a + 1]] == 7)
                              & ~dwellings.exempt[dwellings.offsets[a]:dwellings.offsets[a + 1]]
                              & ~dwellings.single_person[dwellings.offsets[a]:dwellings.offsets[a + 1]]).sum()
                             for a in range(3)])
    assert (result["tax_base_reform"] - result["tax_base_baseline"] >= chargeable_h * (24 / 9 - 2) - 1e-9).all()
    assert result.loc[1, "yield_change"] == 0 and h[2] == 30


def test_bad_reforms_and_engines_are_refused(small_stock):
    dwellings, band_d = small_stock
    with pytest.raises(ParameterError, match="RATIO:SHARE"):
        reform_from_options(2022, new_bands=["tall"])
    with pytest.raises(ParameterError, match="sum to at most 1"):
        Reform("x", new_bands=(NewBand(3, 0.8), NewBand(4, 0.5)))
    with pytest.raises(ParameterError, match="single_person"):
        reform_from_options(2022, single_person=1.5)
    with pytest.raises(DataError, match="unknown engine"):
        council_tax_by_authority(dwellings, band_d, 2022, engine="fortran")


def test_charges_on_every_dwelling_add_up_to_the_authority_yield(small_stock):
    dwellings, band_d = small_stock
    reform = reform_from_options(2022, single_person=0.4, new_bands=["21/9:0.5"])
    charges = council_tax_charges(dwellings, band_d, 2022, reform)
    np.testing.assert_allclose(charges, council_tax_charges(dwellings, band_d, 2022, reform, engine="numpy"), rtol=1e-15)
    totals = np.add.reduceat(charges, [0, 20, 20])[[0, 2]]
    expected = council_tax_by_authority(dwellings, band_d, 2022, reform)["charge"].to_numpy()[[0, 2]]
    np.testing.assert_allclose(totals, expected, rtol=1e-12)
    assert (charges[dwellings.exempt] == 0).all()
