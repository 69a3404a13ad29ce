"""The parameter tree: values by financial year, overrides from a year onward, refusals."""

from __future__ import annotations

import textwrap

import pytest

from devolution import parameters
from devolution.errors import ParameterError

CORE = "council_tax.referendum.core_limit"


def test_band_ratios_are_the_ninths_of_the_act():
    assert parameters.value("council_tax.band_ratios.ratios", "2023-24") == pytest.approx(
        [6 / 9, 7 / 9, 8 / 9, 1, 11 / 9, 13 / 9, 15 / 9, 18 / 9])


def test_single_person_discount_is_a_quarter():
    assert parameters.value("council_tax.discounts.single_person", 2024) == 0.25


def test_core_limit_by_year_accepts_int_or_label():
    assert parameters.value(CORE, 2023) == parameters.value(CORE, "2023-24") == 0.03
    assert parameters.value(CORE, "2021-22") == 0.02
    assert parameters.value("council_tax.referendum.asc_limit", "2022-23") == 0.01


def test_a_value_stays_in_force_until_the_next():
    assert parameters.value(CORE, "2030-31") == parameters.value(CORE, "2025-26")


def test_a_year_before_the_first_value_is_an_error_naming_path_and_first_year():
    with pytest.raises(ParameterError, match=r"core_limit.*2015-16.*first value is for 2016-17"):
        parameters.value(CORE, 2015)


def test_an_unverified_year_is_an_error_not_the_previous_value():
    with pytest.raises(ParameterError, match="shire_district_cash_limit.*2022-23.*unverified"):
        parameters.value("council_tax.referendum.shire_district_cash_limit", "2022-23")


def test_override_applies_from_its_year_onward_and_keeps_earlier_years():
    reform = parameters.with_overrides({CORE: {"2025-26": 0.05}})
    assert reform.value(CORE, "2024-25") == 0.03
    assert reform.value(CORE, "2025-26") == 0.05
    assert reform.value(CORE, "2026-27") == 0.05
    assert reform.value(CORE, "2035-36") == 0.05
    assert parameters.value(CORE, "2025-26") == 0.03  # the base tree is untouched


def test_override_replaces_later_base_values_too():
    reform = parameters.with_overrides({CORE: {"2019-20": 0.04}})
    assert [reform.value(CORE, y) for y in (2018, 2019, 2020, 2023)] == [0.03, 0.04, 0.04, 0.04]


def test_override_can_give_several_years():
    reform = parameters.with_overrides({CORE: {2025: 0.05, 2027: 0.04}})
    assert [reform.value(CORE, y) for y in (2025, 2026, 2027, 2029)] == [0.05, 0.05, 0.04, 0.04]


def test_null_means_not_in_force():
    reform = parameters.with_overrides({"council_tax.referendum.shire_district_cash_limit": {"2026-27": None}})
    assert reform.value("council_tax.referendum.shire_district_cash_limit", 2027) is None


@pytest.mark.parametrize("path, value, expected", [
    ("council_tax.referendum.nope", 0.05, "unknown parameter 'council_tax.referendum.nope'"),
    (CORE, "5%", "core_limit: '5%' is not valid for unit 'share': expected a number from 0 to 1"),
    (CORE, 1.5, "core_limit: 1.5 is not valid for unit 'share'"),
    (CORE, True, "core_limit: True is not valid"),
    ("council_tax.referendum.shire_district_cash_limit", -5, "expected an amount in pounds"),
    ("council_tax.band_ratios.ratios", [1, 2], "expected a list of 8"),
])
def test_bad_overrides_are_refused_naming_path_and_expectation(path, value, expected):
    with pytest.raises(ParameterError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        parameters.with_overrides({path: {"2025-26": value}})


def test_a_bad_year_in_an_override_is_refused():
    with pytest.raises(ParameterError, match="core_limit: 'next year' is not a financial year"):
        parameters.with_overrides({CORE: {"next year": 0.05}})


def test_loading_refuses_a_parameter_without_a_reference(tmp_path):
    (tmp_path / "x.yaml").write_text(textwrap.dedent("""
        rate:
          description: a rate
          unit: share
          values: {2024-25: 0.1}
    """))
    with pytest.raises(ParameterError, match="x.rate.*missing references"):
        parameters.load(tmp_path)


def test_loading_refuses_a_wrong_unit_value(tmp_path):
    (tmp_path / "x.yaml").write_text(textwrap.dedent("""
        rate:
          description: a rate
          unit: share
          values: {2024-25: 12}
          references: [{title: t, publisher: p, url: https://example.org}]
    """))
    with pytest.raises(ParameterError, match="x.rate: 12 is not valid for unit 'share'"):
        parameters.load(tmp_path)


def test_architecture_every_parameter_has_a_complete_reference():
    tree = parameters.load()
    assert tree.paths(), "no parameters found"
    for parameter in tree:
        assert parameter.references, f"{parameter.path} has no reference"
        for ref in parameter.references:
            assert ref.title and ref.publisher and ref.url.startswith("https://"), parameter.path
        assert parameter.description and parameter.unit in parameters.UNITS, parameter.path
