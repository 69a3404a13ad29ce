"""Reorganisation fixes found by a user's break-test (issue #18): the first year measured from the
comparison MHCLG printed where its gap is county-wide, every problem of a file in one pass, the
vesting date, strategic authorities and regions as members, the looked-after-children driver's
message, the largest rise of a predecessor area."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from devolution.analysis.reorganisation import ProposalProblems, reorganise
from devolution.analysis.reorganisation.run import raw_proposal
from devolution.errors import ProposalError

ON = dt.date(2026, 6, 1)
WARWICKSHIRE = "warwickshire-two-unitaries-illustrative"


def _warwickshire(**changes) -> dict:
    raw, _ = raw_proposal(WARWICKSHIRE)
    raw.update(changes)
    return raw


def test_cumbria_first_year_is_measured_from_the_printed_comparison_and_keeps_the_requirement(
        reorganisation_inputs, reorganisation_history):
    history = reorganisation_history.set_index("council")
    for years in (1, 3, 7):
        result = reorganise("cumbria-2023", reorganisation_inputs, on=ON, harmonisation_years=years)
        councils = result.councils.set_index("council")
        for council in ("Cumberland", "Westmorland and Furness"):
            # the council's own first-year Band D, as MHCLG printed it (Council Tax levels 2023-24)
            assert round(councils.loc[council, "first_year_band_d"], 2) == pytest.approx(
                history.loc[council, "first_year_band_d"], abs=1e-9), (council, years)
            assert councils.loc[council, "notional_band_d"] == pytest.approx(history.loc[council, "published_band_d"])
        # the areas still raise the council's average times its tax base, every year, for every N
        table = result.council_tax.harmonisation
        areas = result.council_tax.areas.set_index("code")["tax_base"]
        raised = (table["band_d"] * areas.reindex(table["area_code"]).to_numpy()).groupby(
            [table["council"], table["plan"], table["year"]]).sum()
        expected = (table["average"] * areas.reindex(table["area_code"]).to_numpy()).groupby(
            [table["council"], table["plan"], table["year"]]).sum()
        assert np.allclose(raised.to_numpy(), expected.to_numpy(), rtol=1e-12)
        assert any("£1,734.19" in n and "fire and rescue" in n and "county-wide" in n for n in result.notes)
        # the gap in words, one sign convention (the tool's figure against the published one)
        for council, tool, printed in (("Cumberland", "1,734.19", "1,648.58"),
                                       ("Westmorland and Furness", "1,743.76", "1,658.15")):
            assert any(n.startswith(f"Council tax: {council}: the tool's notional Band D from the predecessors, "
                                    f"£{tool}, is £85.61 above the published comparison, £{printed} (")
                       and n.endswith("every predecessor area's Band D £85.61 lower.") for n in result.notes), council
        assert not any("£+" in n or "£-" in n for n in result.notes)


def test_somerset_keeps_the_tools_figure_and_says_the_gap_is_not_explained(reorganisation_inputs):
    result = reorganise("somerset-2023", reorganisation_inputs, on=ON)
    assert result.councils["notional_band_d"].iloc[0] == pytest.approx(1572.39, abs=0.005)
    assert any("£1,568.87" in n and "cause not established" in n and "keeps the tool's figure" in n
               for n in result.notes)
    assert any("the tool's notional Band D from the predecessors, £1,572.39, is £3.52 above the published "
               "comparison, £1,568.87 (" in n for n in result.notes)
    # a council the principles report names is given by name and code (2025-26, harmonising over 3 years)
    assert "2025-26: the principles report names Somerset (E06000066) with +2.50% on top of the general principle." \
        in result.notes
    assert not any("£+" in n or "£-" in n for n in result.notes)


def test_a_file_with_three_faults_lists_all_three_in_one_error(reorganisation_inputs):
    raw = _warwickshire(councils=[{"name": "North", "members": ["North Warwickshire", "Nuneaton and Bedworth", "Rugby"]},
                                  {"name": "South", "members": ["Stratford-on-Avon"]}],
                        council_tax={"increase": 0.2},
                        spending={"drivers": {"childrens_social_care": "children_looked_after"}})
    with pytest.raises(ProposalProblems) as caught:
        reorganise(raw, reorganisation_inputs, on=ON)
    paths = [path for path, _ in caught.value.problems]
    assert paths == ["councils", "council_tax.increase", "spending.drivers.childrens_social_care"]
    message = dict(caught.value.problems)["spending.drivers.childrens_social_care"]
    # named by name, not Python tuples; the other drivers offered, not the one refused
    assert "North in Warwickshire" in message and "('" not in message
    offered = message.split("choose another driver (")[1]
    assert "children_looked_after" not in offered and "population_0_17" in offered
    assert str(caught.value).startswith("proposal <proposal>: 3 problems: ")


def test_a_vesting_date_that_is_not_1_april_is_refused(reorganisation_inputs):
    with pytest.raises(ProposalProblems) as caught:
        reorganise(_warwickshire(vesting="2028-01-01"), reorganisation_inputs, on=ON)
    assert [p for p, _ in caught.value.problems] == ["vesting"]
    assert "vest on 1 April, the first day of a financial year" in str(caught.value)


def test_a_year_alone_as_the_vesting_date_is_refused_as_such(reorganisation_inputs):
    # pydantic had read 2028 as seconds since 1970 ("Datetimes provided to dates should have zero time").
    with pytest.raises(ProposalProblems) as caught:
        reorganise(_warwickshire(vesting=2028), reorganisation_inputs, on=ON)
    assert "vesting: 2028: a date is needed, written YYYY-04-01" in str(caught.value)


def test_a_file_with_a_date_that_is_no_date_is_one_line(tmp_path):
    # PyYAML raises ValueError (not a YAMLError) for 2028-13-01: a traceback at the command line.
    from devolution.files import read_yaml

    path = tmp_path / "p.yaml"
    path.write_text("name: t\nvesting: 2028-13-01\n")
    with pytest.raises(ProposalError, match=r"p.yaml: a value that looks like a date is not one \(month must be in "
                                            r"1..12\); write dates as YYYY-MM-DD"):
        read_yaml(path, ProposalError, "proposal")


def test_a_strategic_authority_or_region_as_a_member_is_named_as_such(reorganisation_inputs):
    raw = _warwickshire(councils=[{"name": "X", "members": ["Greater Manchester Combined Authority", "South East"]}])
    with pytest.raises(ProposalProblems) as caught:
        reorganise(raw, reorganisation_inputs, on=ON)
    problems = dict(caught.value.problems)
    assert "is a strategic authority (combined authority), Greater Manchester (E47000001), not a council" in \
        problems["councils.0.members.0"]
    assert "is a region, South East (E12000008), not a council" in problems["councils.0.members.1"]
    assert "did you mean" not in str(caught.value)


def test_an_increase_is_shown_as_given_and_max_with_a_referendum_is_explained(reorganisation_inputs):
    with pytest.raises(ProposalProblems, match=r"4\.999999% a year is more than"):
        reorganise(WARWICKSHIRE, reorganisation_inputs, on=ON, increase="0.04999999")
    result = reorganise(WARWICKSHIRE, reorganisation_inputs, on=ON, increase="max", referendum=True)
    assert any(n.startswith("Increase max: the average Band D rises by just below the principle") for n in result.notes)


def test_a_former_council_message_ends_without_doubled_punctuation(reorganisation_inputs):
    raw = _warwickshire(vesting="2024-04-01", councils=[{"name": "X", "members": ["Allerdale", "Carlisle", "Copeland"]}])
    with pytest.raises(ProposalProblems) as caught:
        reorganise(raw, reorganisation_inputs, on=ON)
    assert "Cumberland (E06000063)" in str(caught.value)
    assert ".;" not in str(caught.value) and not str(caught.value).endswith("..")


def test_a_file_that_is_not_utf8_is_one_error_naming_the_file_and_the_byte(tmp_path, reorganisation_inputs):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"name: \xff\xfe bad\nkind: proposal\n")
    with pytest.raises(ProposalError, match=r"x\.yaml: not UTF-8 text \(byte 0xff at byte position 6\)"):
        reorganise(str(path), reorganisation_inputs, on=ON)


def test_dorset_shows_the_largest_area_rise_and_why_it_is_lawful(reorganisation_inputs):
    result = reorganise("dorset-2019", reorganisation_inputs, on=ON)
    councils = result.councils.set_index("council")
    dorset = councils.loc["Dorset"]
    # North Dorset's Band D under immediate harmonisation: 2018-19 to 2019-20 (MHCLG figures, the tool's paths)
    assert (dorset["largest_area_rise_immediate_area"], dorset["largest_area_rise_immediate_year"]) == \
        ("North Dorset", "2019-20")
    assert dorset["largest_area_rise_immediate"] == pytest.approx(0.0923, abs=5e-5)
    bcp = councils.loc["Bournemouth, Christchurch and Poole"]
    assert bcp["largest_area_rise_immediate_area"] == "Poole"
    assert bcp["largest_area_rise_immediate"] == pytest.approx(0.0853, abs=5e-5)
    assert dorset["largest_area_rise_3_years"] < dorset["largest_area_rise_immediate"]
    lawful = [n for n in result.notes if n.startswith("immediate: North Dorset's Band D rises +9.23% in 2019-20")]
    assert lawful and "LGFA 1992 s.52ZB" in lawful[0] and "without a referendum: lawful" in lawful[0]


WARWICKSHIRE_DISTRICTS = {"name": "North", "members": ["North Warwickshire", "Nuneaton and Bedworth", "Rugby"]}


def test_a_misspelt_member_elsewhere_does_not_hide_a_county_split(reorganisation_inputs):
    """Redich (Redditch, Worcestershire) misspelt: Warwickshire is still split without
    Stratford-on-Avon, since Stratford-on-Avon is not what "Redich" may mean."""
    raw = _warwickshire(councils=[WARWICKSHIRE_DISTRICTS, {"name": "South", "members": ["Warwick"]},
                                  {"name": "Other", "members": ["Redich"]}])
    with pytest.raises(ProposalProblems) as caught:
        reorganise(raw, reorganisation_inputs, on=ON)
    problems = dict(caught.value.problems)
    assert "Redditch" in problems["councils.2.members.0"]
    assert problems["councils"].startswith("Warwickshire (E10000031) would be split without Stratford-on-Avon:")


def test_a_misspelt_missing_district_is_not_reported_missing_again(reorganisation_inputs):
    raw = _warwickshire(councils=[WARWICKSHIRE_DISTRICTS,
                                  {"name": "South", "members": ["Warwick", "Stratfrod-on-Avon"]}])
    with pytest.raises(ProposalProblems) as caught:
        reorganise(raw, reorganisation_inputs, on=ON)
    assert [path for path, _ in caught.value.problems] == ["councils.1.members.1"]
    assert "Stratford-on-Avon" in caught.value.problems[0][1]


def test_harmonisation_past_the_tools_cap_before_the_laws_parameter_says_only_the_cap(reorganisation_inputs):
    """Dorset 2019: no law's limit is checked (its parameter starts in 2025-26), 9 and 10 years run,
    11 is past what the tool follows, and the 8-year rule is not given as the reason."""
    from devolution.analysis.reorganisation.run import checked_proposal

    assert checked_proposal("dorset-2019", reorganisation_inputs, harmonisation_years=10).proposal.council_tax \
        .harmonisation_years == 10
    with pytest.raises(ProposalProblems) as caught:
        checked_proposal("dorset-2019", reorganisation_inputs, harmonisation_years=11)
    message = dict(caught.value.problems)["council_tax.harmonisation_years"]
    assert message == ("11 years: the tool follows at most 10 years (the law's limit, parameter "
                       "council_tax.harmonisation.max_years, is checked from 2025-26, the first year its parameter "
                       "covers, so not for 2019-20)")


def test_england_as_a_member_is_the_country_not_a_strategic_authority_or_region(reorganisation_inputs):
    raw = _warwickshire(councils=[{"name": "X", "members": ["England", "E92000001"]}])
    with pytest.raises(ProposalProblems) as caught:
        reorganise(raw, reorganisation_inputs, on=ON)
    problems = dict(caught.value.problems)
    assert problems["councils.0.members.0"] == "England is the country, not a council: list councils"
    assert problems["councils.0.members.1"] == "England (E92000001) is the country, not a council: list councils"


def test_the_history_table_is_shown_with_money_to_the_penny_and_its_checks_as_measured(reorganisation_history):
    from devolution.analysis.reorganisation.history import MONEY, to_the_penny

    shown = to_the_penny(reorganisation_history)
    money = shown[MONEY].to_numpy(dtype=float)
    assert np.array_equal(money, np.round(money, 2))
    rows = shown.set_index("council")
    # BCP and West Northamptonshire's first-year Band D were shown as 1478.516082160088 and 1566.3902248542395
    assert rows.loc["Bournemouth, Christchurch and Poole", "first_year_band_d"] == 1478.52
    assert rows.loc["West Northamptonshire", "first_year_band_d"] == 1566.39
    others = [c for c in shown.columns if c not in MONEY]
    assert shown[others].equals(reorganisation_history[others])
