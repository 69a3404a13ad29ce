"""Every command takes a place by name or code and a year as 2019, 2019-20 or 2019/20, and checks
its options against what they mean (issue #15)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from devolution.cli import app

runner = CliRunner()


@pytest.fixture()
def env(loaded_store_path, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))


def run(*args):
    result = runner.invoke(app, list(args))
    return result.exit_code, " ".join(result.output.split())


def test_explain_takes_a_name_and_any_year_spelling(env):
    for year in ("2023", "2023-24", "2023/24"):
        code, text = run("explain", "Hackney", year, "band_d")
        assert code == 0 and "band_d for Hackney (E09000012), 2023-24" in text, text


def test_places_list_year_spellings_agree(env):
    outputs = {run("places", "list", "--year", y, "--format", "csv")[1] for y in ("2019", "2019-20", "2019/20")}
    assert len(outputs) == 1 and "E07000004" in outputs.pop()  # Aylesbury Vale, in force on 1 April 2019


def test_deals_for_a_council_shows_its_strategic_authority_and_says_so(env):
    code, text = run("deals", "Manchester")
    assert code == 0 and "Manchester (E08000003) is in Greater Manchester (E47000001)" in text
    code, text = run("deals", "Kent")
    assert code == 0 and "Kent (E10000016)" in text and "no deal" in text and "in no strategic authority" in text


def test_readiness_refuses_evidence_for_no_criterion(env):
    code, text = run("readiness", "Greater Manchester", "--evidence", "foo")
    assert code == 1 and "--evidence 'foo'" in text and "assurance_framework" in text


def test_a_top_band_priced_below_band_h_is_refused(env, tmp_path):
    code, text = run("microsim", "run", str(tmp_path), "--new-band", "1/9:0.4")
    assert code == 1 and "new band '1/9:0.4'" in text and "band H is 2" in text


def test_places_list_of_an_authority_in_a_year_before_it_began_or_matching_nothing_says_why(env):
    code, text = run("places", "list", "--sa", "North of Tyne", "--year", "2019", "--format", "csv")
    assert code == 0 and all(name in text for name in ("Newcastle upon Tyne", "North Tyneside", "Northumberland"))
    code, text = run("places", "list", "--sa", "North of Tyne", "--year", "2016")
    assert code == 1 and "came into being only on 2 November 2018 (give --year 2019 or later)" in text, text
    code, text = run("places", "list", "--county", "Cumbria", "--year", "2024")
    assert code == 1 and "was abolished on 1 April 2023" in text and "Westmorland and Furness" in text, text
    code, text = run("places", "list", "--tier", "county", "--region", "North East", "--year", "2020")
    assert code == 1 and "no place in the register matches --tier 'county' --region 'North East'" in text, text
