"""``devo explain`` on the real store: rule, inputs, parameters with sources, and clear errors."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from devolution.errors import DevolutionError
from devolution.explain import ExplainError, explain


def test_band_d_explained_matches_the_published_figure(store):
    out = explain("E06000001", "2023-24", "band_d", store=store)
    assert abs(out.result - out.published[1]) < 0.005
    text = "\n".join(out.lines())
    assert "council_tax_requirement_excl_parish" in text and "tax_base" in text and "LGFA 1992" in text


@pytest.mark.parametrize("year", ["2019-20", "2023-24"])
def test_a_county_band_d_is_explained_on_either_side_of_2020(store, year):
    # MHCLG's Council Tax levels tables leave a county's excluding-parish requirement blank from
    # 2020-21; a county has no parishes, so its including-parish requirement is its own.
    # Kent 2023-24: £876,779,290 / 571,478.4 = £1,534.23, the published Band D.
    out = explain("E10000016", year, "band_d", store=store)
    assert out.name == "Kent"
    assert abs(out.result - out.published[1]) < 0.005
    assert out.published[0] == "band_d_incl_parish"


def test_a_missing_band_d_input_names_the_place_and_the_years_held(store):
    with pytest.raises(ExplainError, match=r"Kent \(E10000016\) in 2013-14.*2014-15 to 2023-24"):
        explain("E10000016", "2013-14", "band_d", store=store)


def test_csp_total_explained(store):
    out = explain("E07000223", 2019, "csp_total", store=store)
    assert abs(out.result - out.published[1]) < 0.01
    assert len(out.inputs) == 6


def test_max_band_d_shows_each_parameter_with_its_source(store):
    out = explain("E10000003", "2023-24", "max_band_d", store=store)  # Cambridgeshire, a county
    paths = [p[0] for p in out.parameters]
    assert paths == ["council_tax.referendum.core_limit", "council_tax.referendum.asc_limit"]
    assert out.result == pytest.approx(out.inputs[0][1] * 1.05)
    assert all("https://" in p[2] for p in out.parameters)
    assert out.published[1] < out.result  # Cambridgeshire set less than the ceiling


def test_shire_district_gets_the_cash_alternative(store):
    out = explain("E07000223", "2023-24", "max_band_d", store=store)  # Adur
    assert [p[0] for p in out.parameters][-1] == "council_tax.referendum.shire_district_cash_limit"
    assert out.result == pytest.approx(max(out.inputs[0][1] * 1.03, out.inputs[0][1] + 5))


@pytest.mark.parametrize("code, year, binding", [
    ("E07000223", "2022-23", "percent"),  # Adur: 311.40 -> 317.61, +1.99%, under 2% of 311.40 (> £5)
    ("E07000143", "2022-23", "cash"),     # Breckland: 100.46 -> 105.46, +£5.00 (4.98%), the £5 limb
    ("E07000223", "2023-24", "percent"),
])
def test_shire_district_ceiling_is_the_percent_or_5_pounds_and_holds_its_published_band_d(store, code, year, binding):
    """Shire districts: "up to 2% or £5, whichever is higher" in 2022-23 (DLUHC, provisional settlement
    2022-23 consultation: summary of responses, 7 February 2022), 3% or £5 in 2023-24. The published
    Band D (MHCLG council tax levels, CTR1) is within the ceiling to the half penny, and Breckland's
    +£5.00 in 2022-23 sits exactly on the £5 limb (without it the ceiling would be 2%, £2.01)."""
    out = explain(code, year, "max_band_d", store=store)
    previous = out.inputs[0][1]
    used = {p[0]: p[1] for p in out.parameters}
    core, cash = used["council_tax.referendum.core_limit"], used["council_tax.referendum.shire_district_cash_limit"]
    assert cash == 5.0
    assert out.result == pytest.approx(max(previous * (1 + core), previous + cash))
    assert out.published[1] <= out.result + 0.005
    if binding == "cash":
        assert out.result == pytest.approx(previous + 5.0) and out.published[1] == pytest.approx(previous + 5.0, abs=0.005)


@pytest.mark.parametrize("code, year, measure, message", [
    ("E99999999", "2023-24", "band_d", "unknown place code 'E99999999'"),
    ("E06000001", "2023-24", "bogus", "unknown measure 'bogus'"),
    ("E06000001", "2031-32", "band_d", "the store has no council_tax_requirement_excl_parish"),
    ("E06000001", "2014-15", "max_band_d", "in 2014-15: the store has no band_d_excl_parish .* for 2013-14"),
    ("E07000223", "2016-17", "max_band_d", "shire_district_cash_limit: no verified value for 2016-17"),
    ("E07000223", "2015-16", "max_band_d", "shire_district_cash_limit: no verified value for 2015-16"),
    ("E06000001", "23", "band_d", "not a financial year"),
])
def test_errors_are_project_errors_with_a_clear_message(store, code, year, measure, message):
    with pytest.raises(DevolutionError, match=message):
        explain(code, year, measure, store=store)


def test_cli_prints_the_explanation_and_one_line_errors(loaded_store_path, monkeypatch):
    from devolution.cli import app

    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))
    runner = CliRunner()
    ok = runner.invoke(app, ["explain", "E06000001", "2023-24", "max_band_d"])
    assert ok.exit_code == 0, ok.output
    assert "council_tax.referendum.core_limit = 0.03" in ok.output and "source:" in ok.output
    bad = runner.invoke(app, ["explain", "E06000001", "2023-24", "bogus"])
    assert bad.exit_code == 1


# --- principles for named councils: each year that has them, the council's published Band D
# (MHCLG, Council Tax levels set by local authorities in England, table 9) within its own ceiling.

def test_croydon_2023_24_is_within_its_15_percent_principle(store):
    """Referendum principles 2023-24 (written statement, 6 February 2023): Croydon 10% on top of
    3% core + 2% adult social care. Published: 1,570.07 (2022-23) to 1,805.42 (2023-24), +14.99%."""
    out = explain("E09000008", 2023, "max_band_d", store=store)
    assert out.inputs[0][1] == pytest.approx(1570.07)
    assert out.result == pytest.approx(1570.07 * 1.15)                  # 1,805.58
    assert out.published[1] == pytest.approx(1805.42)
    assert 0 < out.result - out.published[1] < 0.01 * out.result        # just below the ceiling, as set
    assert out.result > 1570.07 * 1.05 + 150                            # not the general 4.99% (1,648.57)
    by_council = dict((p[0], p) for p in out.parameters)["council_tax.referendum_by_council.additional_limit"]
    assert "London Borough of Croydon" in by_council[1] and "hansard.parliament.uk" in by_council[2]
    assert any("principle for this council" in n for n in out.notes)


@pytest.mark.parametrize("code, year, previous, published, total", [
    ("E10000021", 2019, 1177.35, 1236.10, 0.05),   # Northamptonshire: 5% (report 2019-20), ASC used up
    ("E06000034", 2023, 1441.26, 1585.17, 0.10),   # Thurrock: 10% (statement 6 Feb 2023)
    ("E06000039", 2023, 1534.86, 1688.19, 0.10),   # Slough: 10%
])
def test_named_councils_are_held_to_their_own_principle(store, code, year, previous, published, total):
    out = explain(code, year, "max_band_d", store=store)
    assert out.inputs[0][1] == pytest.approx(previous)
    assert out.published[1] == pytest.approx(published)
    assert out.result == pytest.approx(previous * (1 + total))
    assert published <= out.result


def test_a_council_named_one_year_has_the_general_principle_the_next(store):
    out = explain("E09000008", 2024, "max_band_d", store=store)
    assert [p[0] for p in out.parameters] == ["council_tax.referendum.core_limit", "council_tax.referendum.asc_limit"]
    assert out.result == pytest.approx(1805.42 * 1.05)


# --- the first year of a new council: measured from the predecessors' notional amount.

def test_buckinghamshire_2020_21_is_measured_from_its_predecessors_not_the_0_placeholder(store):
    """The 2020-21 statistics print 0.00 as Buckinghamshire's 2019-20 Band D. Its predecessors
    (Aylesbury Vale, Chiltern, South Bucks, Wycombe and Buckinghamshire County) raised £328.8m on
    220,453.4 Band D equivalents in 2019-20: £1,491.36. Published 2020-21: £1,550.87 (+3.99%),
    within 2% core + 2% adult social care."""
    out = explain("E06000060", 2020, "max_band_d", store=store)
    assert out.result == pytest.approx(1491.36 * 1.04, abs=0.01)
    assert out.published[1] == pytest.approx(1550.87)
    assert 0 < out.result - out.published[1] < 0.5
    assert any(n.startswith("Buckinghamshire (E06000060) began in 2020-21") for n in out.notes)


def test_north_northamptonshire_2021_22_is_explained_not_refused(store):
    out = explain("E06000061", 2021, "max_band_d", store=store)
    assert out.result == pytest.approx(1460.04 * 1.05, abs=0.01)        # 2% core + 3% adult social care
    assert out.published[1] == pytest.approx(1532.90) and out.published[1] < out.result


def test_cumberland_is_measured_from_the_published_comparison_and_the_gap_is_explained(store):
    """Cumberland's 2022-23 comparison is printed (£1,648.58); its predecessors' amount with all of
    Cumbria County's Band D is £85.61 higher because fire passed to the commissioner in 2023."""
    out = explain("E06000063", 2023, "max_band_d", store=store)
    assert out.result == pytest.approx(1648.58 * 1.05, abs=0.01)
    assert out.published[1] == pytest.approx(1730.84) and out.published[1] < out.result
    assert any("fire and rescue" in n for n in out.notes)


def test_an_adult_social_care_limit_that_depends_on_earlier_years(store):
    """2022-23: 1% plus what was unused of 2021-22's 3% (Middlesbrough added 0.76% in 2021-22)."""
    out = explain("E06000002", 2022, "max_band_d", store=store)
    added = [v for name, v in out.inputs if "added 2021-22" in name][0]
    assert added == pytest.approx(0.0076, abs=1e-4)
    assert out.result == pytest.approx(out.inputs[0][1] * (1 + 0.02 + 0.01 + (0.03 - added)))


def test_a_new_council_inside_the_three_year_cap_is_refused_with_the_reason(store):
    with pytest.raises(ExplainError, match=r"for Dorset Council \(E06000059\) in 2019-20: it began that year, inside "
                                           r"the adult social care precept's cap"):  # named, not the code alone
        explain("E06000059", 2019, "max_band_d", store=store)


@pytest.mark.parametrize("code, words", [
    ("E92000001", r"England \(E92000001\) is the whole country, not a council"),  # said "is a england"
    ("E12000001", r"North East \(E12000001\) is a region, not a council"),
])
def test_a_place_that_is_not_a_council_is_named_in_words(store, code, words):
    with pytest.raises(ExplainError, match=words):
        explain(code, 2019, "max_band_d", store=store)


def test_woking_2024_25_ceiling_from_its_2023_24_band_d(store):
    """2024-25: Woking's core principle 10% (statement, 5 February 2024); it set £289.43, "an increase
    of £26.31" on £263.12 (Woking Borough Council, 5 March 2024): just below £289.432."""
    out = explain("E07000217", 2024, "max_band_d", store=store)
    assert out.inputs[0][1] == pytest.approx(263.12)
    assert out.result == pytest.approx(263.12 * 1.10)
    assert 289.43 <= out.result and out.published is None  # 2024-25 statistics are not in the store


def test_a_published_band_d_that_disagrees_with_its_own_row_is_flagged(store):
    # Northamptonshire 2018-19 in MHCLG's levels table as given: £296,205,338.81 / 239,580.49 =
    # £1,236.35, printed beside a Band D of £1,177.35. A fresh user saw the £59 gap with no word.
    out = explain("E10000021", "2018-19", "band_d", store=store)
    assert round(out.result - out.published[1], 2) == 59.00
    assert any("does not agree with itself" in note for note in out.notes)
    kent = explain("E10000016", "2023-24", "band_d", store=store)
    assert not any("does not agree" in note for note in kent.notes)


@pytest.mark.parametrize("code, year, measure, words", [
    ("E07000004", 2020, "csp_total", r"Aylesbury Vale \(E07000004\) was abolished on 1 April 2020 .*passed to "
                                     r"Buckinghamshire \(E06000060\); it was not a council in 2020-21: ask about "
                                     r"2019-20 or earlier$"),
    ("E06000060", 2019, "band_d", r"Buckinghamshire \(E06000060\) came into being only on 1 April 2020; it was not a "
                                  r"council in 2019-20: ask about 2020-21 or later, or about the councils it replaced: "
                                  r"Aylesbury Vale \(E07000004\), Chiltern .*Buckinghamshire County \(E10000002\)$"),
])
def test_a_council_not_in_being_that_year_is_refused_not_shown_as_zero(store, code, year, measure, words):
    """The official files print placeholder zeros on such rows: explained, Aylesbury Vale's 2020-21
    CSP read as £0.00 "published 0.00 (difference 0.00)", and Buckinghamshire's 2019-20 Band D as a
    row that "does not agree with itself"."""
    with pytest.raises(ExplainError, match=words):
        explain(code, year, measure, store=store)
