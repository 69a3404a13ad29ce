"""Derived measures (analysis/measures.yaml): each recomputed for three councils straight from the
raw CSV lines with pandas, and the rules of a definition (what a value needs, what is refused)."""

from __future__ import annotations

import pandas as pd
import pytest

from devolution.analysis import measures
from devolution.analysis.measures import MeasureError, compute, parse_definitions

COUNCILS = ("E08000021", "E10000016", "E09000007")  # Newcastle upon Tyne, Kent, Camden
OLD = "Net current expenditure: "


@pytest.fixture(scope="module")
def s(loaded_store_path):
    from devolution.store import Store

    with Store(loaded_store_path, read_only=True) as store:
        yield store


@pytest.fixture(scope="module")
def rs(data_dir):
    """RS lines by (code, year label) in £, from the two raw RS files, with one name per line."""
    old = pd.read_csv(data_dir / "revenue_outturn_RS_summary_2010_11_to_2014_15_and_2017_18.csv", low_memory=False)
    new = pd.read_csv(data_dir / "revenue_outturn_RS_2015_16_and_2016_17.csv")
    names = {  # line: (2010-11..2014-15 column, 2017-18 column, 2015-16/2016-17 column)
        "rsg": (OLD + "Revenue Support Grant", "Revenue Expenditure Financing: Revenue Support Grant [line 851]",
                "l851_revenue_support_grant"),
        "rndr": (OLD + "Redistributed non-domestic rates", None, None),
        "retained": (OLD + "Retained income from Rate Retention Scheme",
                     "Revenue Expenditure Financing: Retained income from Rate Retention Scheme [line 870]",
                     "l870_retained_income_from_rate_retention_scheme"),
        "abg": (OLD + "Area Based Grant (ABG)", None, None),
        "lssg": (OLD + "Local Services Support Grant (LSSG)",
                 "Revenue Expenditure Financing: Local Services Support Grant (LSSG) [line 803]",
                 "l803_local_services_support_grant_lssg"),
        "ctb": (OLD + "Local tax collection: Council tax benefit paid to the Collection Fund", None, None),
        "ctr": (None, "Revenue Expenditure Financing: COUNCIL TAX REQUIREMENT (total of lines 905 to 980) [line 890]",
                "l890_council_tax_requirement"),
    }
    ctr_old = [OLD + "COUNCIL TAX REQUIREMENT (TOTAL OF LINES 830 TO 880)",
               OLD + "COUNCIL TAX REQUIREMENT (TOTAL OF LINES 805 TO 880)"]
    old = old.copy()  # one block, then a column
    old["code"] = old["ons_code"].replace({"E10000022": "E10000023"})  # corrections.yaml: North Yorkshire 2017-18
    new = new.rename(columns={"gss_code": "code", "financial_year": "year"})
    frames = []
    for frame, which in ((old[old["year"] != "2017-18"], 0), (old[old["year"] == "2017-18"], 1), (new, 2)):
        out = frame[["code", "year"]].copy()
        for line, columns in names.items():
            column = columns[which]
            out[line] = frame[column].astype(float) * 1e3 if column in frame else float("nan")
        if which == 0:
            out["ctr"] = frame[ctr_old].astype(float).sum(axis=1, min_count=1) * 1e3
        frames.append(out)
    return pd.concat(frames).set_index(["code", "year"])


@pytest.fixture(scope="module")
def key_lines(data_dir):
    frames = [pd.read_csv(data_dir / name) for name in ("revenue_outturn_key_lines_2010_11_to_2024_25.csv",
                                                          "revenue_outturn_key_lines_2015_16_and_2016_17.csv")]
    lines = pd.concat(frames)
    lines = lines[lines["ons_code"].isin(COUNCILS)]
    return lines.pivot_table(index=["ons_code", "year"], columns="variable", values="value_gbp_thousands") * 1e3


def held(s, measure, code, year):
    rows = measures.observations(s, measure, years=[year])
    hit = rows.loc[rows["code"] == code, "value"]
    assert len(hit) == 1, (measure, code, year)
    return hit.item()


def expected_funding(rs, code, label):
    line = rs.loc[(code, label)].fillna(0.0)
    early = label in ("2010-11", "2011-12", "2012-13")
    rates = line["rndr"] if early else line["retained"]
    return -(line["rsg"] + rates + line["abg"] + line["lssg"]) + (line["ctb"] if early else 0.0)


@pytest.mark.parametrize("code", COUNCILS)
@pytest.mark.parametrize("year,label", [(2010, "2010-11"), (2012, "2012-13"), (2013, "2013-14"),
                                        (2015, "2015-16"), (2016, "2016-17"), (2017, "2017-18")])
def test_government_funding_from_the_raw_rs_lines(s, rs, code, year, label):
    assert held(s, "government_funding", code, year) == pytest.approx(expected_funding(rs, code, label), abs=0.5)


@pytest.mark.parametrize("code", COUNCILS)
@pytest.mark.parametrize("year,label", [(2010, "2010-11"), (2014, "2014-15"), (2016, "2016-17"), (2017, "2017-18")])
def test_spending_power_from_the_raw_rs_lines(s, rs, code, year, label):
    line = rs.loc[(code, label)].fillna(0.0)
    expected = expected_funding(rs, code, label) + line["ctr"] - (line["ctb"] if year <= 2012 else 0.0)
    assert held(s, "spending_power", code, year) == pytest.approx(expected, abs=0.5)


@pytest.mark.parametrize("code", COUNCILS)
@pytest.mark.parametrize("year,label", [(2010, "2010-11"), (2013, "2013-14"), (2015, "2015-16"), (2024, "2024-25")])
def test_service_spending_from_the_raw_key_lines(s, key_lines, code, year, label):
    line = key_lines.loc[(code, label)].fillna(0.0)
    expected = (line["total_service_expenditure"] - line["education"] - line["public_health"] - line["police"]
                - line["fire_rescue"])
    assert held(s, "service_spending", code, year) == pytest.approx(expected, abs=0.5)


@pytest.mark.parametrize("code", COUNCILS)
@pytest.mark.parametrize("year,label", [(2010, "2010-11"), (2016, "2016-17"), (2023, "2023-24")])
def test_social_care_spending_from_the_raw_key_lines(s, key_lines, code, year, label):
    line = key_lines.loc[(code, label)]
    expected = (line["social_care_total"] if year == 2010
                else line["adult_social_care"] + line["childrens_social_care"])
    assert held(s, "social_care_spending", code, year) == pytest.approx(expected, abs=0.5)


def test_official_core_spending_power_is_refused_with_the_reason(s):
    with pytest.raises(MeasureError, match="not held in full.*social care grants"):
        measures.observations(s, "core_spending_power_official")


def test_a_council_that_did_not_report_has_no_derived_value(s):
    # The Isles of Scilly did not return 2016-17 (README K): no lines, so no government funding.
    rows = measures.observations(s, "government_funding", years=[2016])
    assert "E06000053" not in set(rows["code"])
    assert "E06000053" in set(measures.observations(s, "government_funding", years=[2015])["code"])


def test_government_funding_ends_where_its_lines_end(s):
    assert sorted(measures.observations(s, "government_funding")["year"].unique()) == list(range(2010, 2018))


def test_catalogue_lists_derived_measures_with_their_formula(s):
    table = measures.catalogue(s).set_index("measure")
    assert table.loc["service_spending", "definition"].startswith("service_spending = + nce_total_service_expenditure")
    assert table.loc["service_spending", "first_year"] == 2010 and table.loc["service_spending", "last_year"] == 2024
    assert table.loc["core_spending_power_official", "kind"] == "derived, not held"
    assert "population" in table.index  # the store's own measures too


# ----------------------------------------------------------------- the rules of a definition


def small(components: list[dict], years=None) -> measures.Definition:
    body = {"title": "t", "short": "t", "unit": "GBP", "description": "d", "years": years, "scope": "s",
            "components": components, "excluded": [], "transfers": [], "verified": "v",
            "method": {"follows": "f", "references": [{"title": "t", "publisher": "p", "url": "https://x.y",
                                                       "date": "2018-03-08", "supports": "s"}]}}
    return parse_definitions({"m": body}, "test")["m"]


def test_a_value_needs_every_component_that_applies_in_its_year():
    item = small([{"measure": "a", "sign": 1, "publication": "p", "line": "a"},
                  {"measure": "b", "sign": -1, "years": "2013-14..", "publication": "p", "line": "b"}])
    rows = pd.DataFrame({"code": ["X", "X", "Y", "Y"], "year": [2012, 2013, 2012, 2013],
                         "measure": ["a", "a", "a", "b"], "value": [10.0, 10.0, 5.0, 2.0]})
    out = compute(item, rows).set_index(["code", "year"])["value"]
    assert out[("X", 2012)] == 10.0          # b does not apply before 2013-14
    assert ("X", 2013) not in out.index      # b applies and X has none: no value, never a part-sum
    assert out[("Y", 2012)] == 5.0
    assert ("Y", 2013) not in out.index      # a missing


def test_a_definitions_span_limits_its_years():
    item = small([{"measure": "a", "sign": -1, "publication": "p", "line": "a"}], years="2011-12..2011-12")
    rows = pd.DataFrame({"code": ["X", "X"], "year": [2010, 2011], "measure": "a", "value": [-4.0, -6.0]})
    out = compute(item, rows)
    assert out["year"].tolist() == [2011] and out["value"].tolist() == [6.0]  # income turned positive


@pytest.mark.parametrize("change, message", [
    (lambda b: b["components"][0].update(sign=2), r"m\.components\.0\.sign"),
    (lambda b: b["components"][0].update(years="2013-14"), r"m\.components\.0\.years.*span"),
    (lambda b: b.update(colour="red"), r"m\.colour"),
    (lambda b: b.update(held=False), r"m: held is false, so not_held must say why"),
    (lambda b: b["components"][0].update(measure="m"), r"m: a component refers to 'm'"),
    (lambda b: b["method"]["references"][0].update(url="http://x"), r"m\.method\.references\.0\.url"),
])
def test_a_bad_definition_is_one_error_naming_the_entry_and_key(change, message):
    body = {"title": "t", "short": "t", "unit": "GBP", "description": "d", "years": None, "scope": "s",
            "components": [{"measure": "a", "sign": 1, "publication": "p", "line": "a"}], "excluded": [],
            "transfers": [], "verified": "v",
            "method": {"follows": "f", "references": [{"title": "t", "publisher": "p", "url": "https://x.y",
                                                       "date": "2018-03-08", "supports": "s"}]}}
    change(body)
    with pytest.raises(MeasureError, match=message):
        parse_definitions({"m": body}, "test")


def test_the_shipped_definitions_cite_their_method_and_say_what_they_leave_out():
    for name, item in measures.definitions().items():
        assert item.method.references, name
        assert all(r.url.startswith("https://") for r in item.method.references), name
        for c in item.components:
            assert c.line and c.publication, (name, c.measure)
    assert {e.what.split(" (")[0] for e in measures.definition("service_spending").excluded} >= {
        "Education", "Public health", "Police and fire and rescue"}


def test_explain_shows_each_component_with_its_line_and_the_sum(s, rs):
    from devolution.explain import ExplainError, explain

    out = explain("E08000021", "2010-11", "government_funding", store=s)
    names = [name for name, _ in out.inputs]
    assert names[0].startswith("- ro_revenue_support_grant (mhclg_revenue_outturn: RS: Revenue Support Grant")
    assert any(n.startswith("+ rs_council_tax_benefit") for n in names)
    assert not any("retained" in n for n in names)  # not a line of 2010-11: said in a note instead
    assert any("not in 2010-11: ro_retained_business_rates_income" in note for note in out.notes)
    assert out.result == pytest.approx(expected_funding(rs, "E08000021", "2010-11"), abs=0.5)
    assert "National Audit Office" in out.law
    with pytest.raises(ExplainError, match="defined for 2010-11 to 2017-18, not 2019-20"):
        explain("E08000021", 2019, "government_funding", store=s)
