"""Names and codes as official files spell them resolve to the right place (issue #15, "Places,
codes and names"): ONS's "Bristol, City of", MHCLG's "Reading UA", E-codes, former GSS codes."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from devolution.errors import PlaceError
from devolution.places.crosswalk import code_changes
from devolution.places.names import AmbiguousPlace, NoPlaceMatch, PlaceIndex, normalise
from devolution.places.register import resolve, strategic_authority_for


@pytest.fixture(scope="module")
def index(loaded_store_path):
    from devolution.store import Store

    with Store(loaded_store_path, read_only=True) as store:
        return PlaceIndex.of(store.places())


@pytest.mark.parametrize("spelling, code", [
    ("Bristol, City of", "E06000023"),              # ONS
    ("Kingston upon Hull, City of", "E06000010"),   # ONS
    ("Herefordshire, County of", "E06000019"),      # ONS
    ("Barking & Dagenham", "E09000002"),            # MHCLG
    ("Reading UA", "E06000038"),                    # MHCLG revenue outturn
    ("County Durham UA", "E06000047"),              # MHCLG revenue outturn
    ("Hull", "E06000010"),                          # Hull City Council, not Solihull
    ("King's Lynn and West Norfolk", "E07000146"),
    ("St. Helens", "E08000013"),
    ("E4401", "E08000038"),                         # MHCLG E-code of Barnsley: its code now
    ("E08000020", "E08000020"),                     # Gateshead's former code is itself a record
    ("Somerset", "E06000066"),                      # the current council, not the abolished county
])
def test_official_spellings_resolve(index, spelling, code):
    assert index.find(spelling)["code"] == code


def test_no_substring_false_match_and_near_misses_suggest_the_closest(index):
    assert index.find("Solihull")["code"] == "E08000029"
    with pytest.raises(NoPlaceMatch, match=r"did you mean Liverpool \(E08000012\)"):
        index.find("Liverpol")
    with pytest.raises(NoPlaceMatch) as caught:
        index.find("Sol")
    assert "Solihull" not in str(caught.value).split("did you mean")[0]
    with pytest.raises(AmbiguousPlace, match=r"E12000005.*|E47000007"):
        index.find("West Midlands")  # a region and a combined authority: the code is asked for


def test_every_name_and_code_in_the_ons_lookups_resolves_to_the_code_it_gives(index, data_dir):
    changes = code_changes(index.places)
    pairs = []
    region = pd.read_csv(data_dir / "ons_lookup_lad24_region_dec2024.csv", dtype=str)
    pairs += list(zip(region["ltla24_name"], region["ltla24_code"]))
    utla = pd.read_csv(data_dir / "ons_lookup_ltla23_utla23_apr2023.csv", dtype=str)
    utla = utla[utla["ltla23_code"].str.startswith("E")]
    pairs += list(zip(utla["ltla23_name"], utla["ltla23_code"])) + list(zip(utla["utla23_name"], utla["utla23_code"]))
    wrong = [(name, code, index.find(name)["code"]) for name, code in set(pairs)
             if index.find(name)["code"] != changes.get(code, code)]
    assert wrong == []


def test_every_old_gss_code_in_the_ons_code_history_resolves_to_its_2024_successor(index, data_dir):
    """ONS LAD code history 2016-2024: each year's code is a place whose successor chain reaches
    the 2024 code (or the code that replaced it in 2025)."""
    from devolution.places.crosswalk import successors

    history = pd.read_csv(data_dir / "ons_lad_code_history_2016_2024.csv", dtype=str)
    history = history[history["ltla24_code"].str.startswith("E")]
    alive = successors(index.places, 2025)
    changes = code_changes(index.places)
    wrong = []
    for year in range(16, 24):
        for old, new in zip(history[f"ltla{year}_code"], history["ltla24_code"]):
            place = index.find(old)
            if changes.get(new, new) not in alive[place["code"]]:
                wrong.append((old, new, alive[place["code"]]))
    assert wrong == []


def test_every_ecode_in_revenue_outturn_resolves_to_the_authority_the_file_names(index, data_dir):
    outturn = pd.read_csv(data_dir / "revenue_outturn_key_lines_2010_11_to_2024_25.csv", dtype=str,
                          usecols=["year", "ecode", "ons_code", "authority"]).drop_duplicates(["ecode", "ons_code"])
    councils = outturn[outturn["ons_code"].fillna("").str.match(r"^E(0[6-9]|10)")]
    changes = code_changes(index.places)
    wrong = [(e, c) for e, c in zip(councils["ecode"], councils["ons_code"])
             if index.find(e)["code"] not in {c, changes.get(c, c)} and c != "E10000022"]  # corrected in corrections.yaml
    assert wrong == []
    named = councils[councils["ons_code"] != "E10000022"].drop_duplicates("ons_code")  # corrected on load
    from devolution.places.crosswalk import successors

    now = successors(index.places, 2025)
    unresolved = []
    for name, code in zip(named["authority"], named["ons_code"]):
        try:
            found = index.find(name)["code"]
        except PlaceError:
            found = None
        # a former county's name now names its successor (Buckinghamshire, North Yorkshire, Somerset)
        if found not in {code, changes.get(code, code)} and now.get(code) != [found]:
            unresolved.append((name, code, found))
    assert unresolved == []


def test_normalise_reads_the_official_forms():
    assert normalise("Bristol, City of") == "city of bristol"
    assert normalise("Barking & Dagenham") == "barking and dagenham"
    assert normalise("County Durham UA") == "county durham"


def test_a_council_where_a_strategic_authority_is_wanted_gives_its_authority_or_says_why(store):
    places = store.places()
    found, note = strategic_authority_for(places, "Manchester")
    assert found["code"] == "E47000001" and "Manchester (E08000003)" in note
    found, note = strategic_authority_for(places, "Greater Manchester")
    assert found["code"] == "E47000001" and note is None
    found, _ = strategic_authority_for(places, "Hackney")
    assert found["code"] == "E61000001"
    with pytest.raises(PlaceError, match=r"Kent \(E10000016\) is a county in no strategic authority"):
        strategic_authority_for(places, "Kent")
    assert resolve(places, "Hackney", "council")["code"] == "E09000012"


@pytest.mark.parametrize("code, nation", [("W06000015", "Wales"), ("s12000036", "Scotland"), ("N09000003", "Northern Ireland"),
                                          ("K04000001", "more than one nation (the UK, Great Britain, or England and Wales)")])
def test_a_code_of_another_nation_says_so(index, code, nation):
    """Cardiff's W06000015 was "no place matches": the register is England's, and the code says where
    it is (K04000001, England and Wales together, was still "no place matches")."""
    with pytest.raises(NoPlaceMatch, match=re.escape(f"is a GSS code of {nation}: devolution covers England's councils")):
        index.find(code)
    with pytest.raises(NoPlaceMatch, match=re.escape(nation)):
        index.code(code)


def test_code_answers_as_find_does_for_every_spelling(index):
    """``PlaceIndex.code`` (the web's fast path) gives the code ``find`` gives, names, codes, former
    codes and E-codes alike, and the same refusals."""
    for query in ("Kent", "kent", "E10000016", "Bristol, City of", "E08000020", "Newcastle", "E1203", "Allerdale"):
        assert index.code(query) == str(index.find(query)["code"]), query
    with pytest.raises(AmbiguousPlace):
        index.code("Kingston")


@pytest.mark.parametrize("name, code, nation", [("Cardiff", "W06000015", "Wales"),
                                                ("Edinburgh", "S12000036", "Scotland"),
                                                ("belfast", "N09000003", "Northern Ireland")])
def test_a_council_name_of_another_nation_says_so(loaded_store_path, name, code, nation):
    """"Cardiff" was "no place matches 'Cardiff'" with English suggestions: the register is England's,
    and ONS's district codes (held in the store) say where it is. An English name is not one."""
    from devolution.places.names import in_other_nations
    from devolution.store import Store

    with Store(loaded_store_path, read_only=True) as store:
        history = store.table("lad_code_history")
    assert in_other_nations(name, history).startswith(f"{name!r} is ") and f"({code}), a council of {nation}" \
        in in_other_nations(name, history)
    assert in_other_nations("Hartlepool", history) is None and in_other_nations("Narnia", history) is None


def test_find_all_reads_the_longest_run_of_pieces_that_names_a_place(index):
    """"Bournemouth, Christchurch and Poole" was split at its comma and read as Bournemouth (a
    former council) and "Christchurch and Poole": the longest run of comma pieces that names a
    place exactly is one place, while a list of names is still a list."""
    codes = lambda text: [str(row["code"]) for row in index.find_all(text)]  # noqa: E731
    assert codes("Bournemouth, Christchurch and Poole") == ["E06000058"]
    assert codes("Bournemouth, Christchurch and Poole,Kent") == ["E06000058", "E10000016"]
    assert codes("Bournemouth") == ["E06000028"]  # the former council, asked for alone
    assert codes("Kent, Surrey") == ["E10000016", "E10000030"]
    assert codes("Bristol, City of") == ["E06000023"]
    assert codes("Kingston upon Hull, City of,Sunderland") == ["E06000010", "E08000024"]
