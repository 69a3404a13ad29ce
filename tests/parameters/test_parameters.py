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
    with pytest.raises(ParameterError, match=r"asc_limit.*2014-15.*first value is for 2015-16"):
        parameters.value("council_tax.referendum.asc_limit", 2014)


def test_years_before_the_checked_ones_are_unverified_not_carried_back():
    with pytest.raises(ParameterError, match=r"core_limit.*2013-14.*unverified"):
        parameters.value(CORE, 2013)
    assert parameters.value(CORE, "2015-16") == 0.02
    assert parameters.value("council_tax.referendum.asc_limit", "2015-16") is None  # the precept began in 2016-17


BY_COUNCIL = "council_tax.referendum_by_council.additional_limit"


def test_a_named_councils_principle_applies_in_its_own_year_only():
    assert parameters.value(BY_COUNCIL, "2023-24") == {"E09000008": 0.10, "E06000034": 0.05, "E06000039": 0.05}
    assert "E09000008" not in parameters.value(BY_COUNCIL, "2024-25")  # Croydon's was for 2023-24 only
    assert parameters.value(BY_COUNCIL, "2021-22") == {}
    assert parameters.value(BY_COUNCIL, "2030-31") == {}  # none granted yet: not last year's carried on


def test_every_named_council_has_its_official_name_and_a_reference_for_its_year():
    parameter = parameters.default().parameter(BY_COUNCIL)
    for year, by_code in parameter.values.items():
        for code in by_code:
            assert parameter.councils[code].strip()
            label = f"{year}-{(year + 1) % 100:02d}"
            assert any(label in r.supports and code in r.supports for r in parameter.references), (code, label)


def test_a_named_councils_principle_cannot_be_overridden():
    with pytest.raises(ParameterError, match="granted one year at a time"):
        parameters.with_overrides({BY_COUNCIL: {"2026-27": {"E09000008": 0.2}}})


@pytest.mark.parametrize("body, expected", [
    ("councils: {E09000008: Croydon}\n  values: {2023-24: {E09000009: 0.1}}", "names E09000009, not listed"),
    ("councils: {X1: Croydon}\n  values: {2023-24: {}}", "'X1' needs a council GSS code"),
    ("values: {2023-24: {E09000008: 0.1}}", "needs `councils`"),
    ("councils: {E09000008: Croydon}\n  values: {2023-24: 0.1}", "2023-24 must map council GSS codes"),
    ("councils: {E09000008: Croydon}\n  values: {2023-24: {E09000008: 1.5}}", "1.5 is not valid for unit 'share'"),
])
def test_loading_refuses_a_bad_per_council_parameter(tmp_path, body, expected):
    (tmp_path / "x.yaml").write_text(textwrap.dedent("""
        named:
          description: a principle for named councils
          unit: share
          per_council: true
          references: [{title: t, publisher: p, url: https://example.org}]
        """) + "  " + body + "\n")
    with pytest.raises(ParameterError, match=expected):
        parameters.load(tmp_path)


def test_an_unverified_year_is_an_error_not_the_previous_value():
    with pytest.raises(ParameterError, match="shire_district_cash_limit.*2016-17.*unverified"):
        parameters.value("council_tax.referendum.shire_district_cash_limit", "2016-17")


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
