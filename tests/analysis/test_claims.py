"""`devo claims check`: claim files validated with key paths; verdicts computed from the data."""

from __future__ import annotations

from pathlib import Path

import pytest

from devolution.analysis.claims import CANNOT_TELL, NOT_SUPPORTED, SUPPORTED, ClaimsError, check, read_claims

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "claims.yaml"


@pytest.fixture(scope="module")
def verdicts(loaded_store_path):
    from devolution.store import Store

    with Store(loaded_store_path, read_only=True) as store:
        return check(read_claims(EXAMPLES), store=store).set_index("id")


def test_example_claims_get_the_verdicts_the_data_gives(verdicts):
    assert verdicts.loc["cuts-cash-spending-fell", "verdict"] == SUPPORTED  # England -17.3% cash per head
    assert "-17.3%" in verdicts.loc["cuts-cash-spending-fell", "figures"]
    assert verdicts.loc["deprived-hit-hardest", "verdict"] == SUPPORTED      # Q1 -18.1% vs Q5 -16.1%
    assert verdicts.loc["north-hit-harder", "verdict"] == NOT_SUPPORTED      # North -16.3% vs South -18.1%
    assert verdicts.loc["children-in-care-three-times", "verdict"] == NOT_SUPPORTED
    assert verdicts.loc["council-tax-up-not-enough", "verdict"] == SUPPORTED  # Band D +39.2%


def test_claims_the_data_cannot_answer_say_why(verdicts):
    assert verdicts.loc["per-pupil-gap-1600", "verdict"] == CANNOT_TELL
    assert "pupil" in verdicts.loc["per-pupil-gap-1600", "figures"]
    assert verdicts.loc["per-pupil-gap-1600", "figures"].count("pupil") >= 1


def test_the_40_percent_cut_is_checked_in_real_terms(verdicts):
    """England -17.3% in cash per resident 2010-11 to 2017-18; with the deflator's 2010-11 / 2017-18
    ratio (68.8561 / 77.0388) the real fall is 1 - 0.827 x 0.8938 = 26.1%, short of 40%."""
    assert verdicts.loc["cuts-40pc", "verdict"] == NOT_SUPPORTED
    assert "-26.1%" in verdicts.loc["cuts-40pc", "figures"]


def test_every_verdict_names_its_sources_when_computed(verdicts):
    computed = verdicts[verdicts["verdict"] != CANNOT_TELL]
    assert computed["sources"].str.contains("mhclg_").all()


@pytest.mark.parametrize("body, where", [
    ("claims:\n  - id: a\n    statement: s\n    measure: m\n    from: 2010\n    to: 2017\n    colour: red\n"
     "    compare: {kind: change, at_most: -1}\n", "claims[0].colour"),
    ("claims:\n  - id: a\n    statement: s\n    measure: m\n    from: 2010\n    to: 2017\n"
     "    compare: {kind: sideways}\n", "claims[0].compare"),
    ("claims:\n  - id: a\n    statement: s\n    measure: m\n    from: twenty-ten\n    to: 2017\n"
     "    compare: {kind: change, at_most: -1}\n", "claims[0].from"),
    ("claims:\n  - id: a\n    statement: s\n    measure: m\n    from: 2010\n    to: 2017\n"
     "    compare: {kind: times, group: A, than: B}\n", "claims[0].compare.times.factor"),
    ("claims: []\n", "claims"),
])
def test_a_bad_claim_file_is_one_error_naming_the_key_path(tmp_path, body, where):
    path = tmp_path / "bad.yaml"
    path.write_text(body)
    with pytest.raises(ClaimsError) as err:
        read_claims(path)
    assert str(err.value).startswith(f"{path}: {where}")
    assert "\n" not in str(err.value)


def test_a_file_that_is_not_yaml_is_refused(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("claims: [unclosed\n")
    with pytest.raises(ClaimsError, match="not valid YAML"):
        read_claims(path)
