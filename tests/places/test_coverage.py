"""``places.coverage.gaps``: the councils in force that a per-council publication lacks."""

from __future__ import annotations

import pandas as pd

from devolution.places.coverage import gaps


def _register() -> pd.DataFrame:
    rows = [
        # code, name, tier, start, end, status, replaced_by
        ("E07000001", "Oldtown", "shire_district", "1974-04-01", "2019-03-31", "abolished", "E06000099"),
        ("E07000002", "Midtown", "shire_district", "1974-04-01", None, "current", None),
        ("E07000003", "Newtown", "shire_district", "1974-04-01", None, "current", None),
        ("E06000099", "Merged", "unitary", "2019-04-01", None, "current", None),
        ("E10000001", "Shire", "county", "1974-04-01", None, "current", None),
        ("E47000001", "Combined", "combined_authority", "2014-04-01", None, "current", None),
    ]
    return pd.DataFrame(rows, columns=["code", "name", "tier", "start_date", "end_date", "status", "replaced_by"])


def _held(pairs: list[tuple[str, int]], publication: str = "pub") -> pd.DataFrame:
    return pd.DataFrame([(publication, c, y) for c, y in pairs], columns=["publication", "code", "year"])


def test_a_council_cut_from_every_year_is_a_gap_in_each_year():
    held = _held([(c, y) for y in (2018, 2019) for c in ("E07000002",)] + [("E07000001", 2018), ("E06000099", 2019)])
    found = gaps(_register(), held)
    assert list(zip(found["code"], found["year"])) == [("E07000003", 2018), ("E07000003", 2019)]
    assert set(found["name"]) == {"Newtown"}


def test_a_council_abolished_before_a_series_on_later_boundaries_is_no_gap():
    # Only the later council is published for 2018 (estimates on 2019 boundaries): Oldtown is not expected.
    held = _held([("E07000002", 2018), ("E07000003", 2018), ("E06000099", 2018),
                  ("E07000002", 2019), ("E07000003", 2019), ("E06000099", 2019)])
    assert gaps(_register(), held).empty


def test_a_council_held_in_other_years_but_missing_in_one_is_a_gap():
    held = _held([("E07000001", 2017), ("E07000002", 2017), ("E07000003", 2017),
                  ("E07000002", 2018), ("E07000003", 2018), ("E06000099", 2019),
                  ("E07000002", 2019), ("E07000003", 2019)])
    found = gaps(_register(), held)
    assert list(zip(found["code"], found["year"])) == [("E07000001", 2018)]


def test_only_tiers_the_publication_covers_that_year_and_never_strategic_authorities():
    # A districts-only file: the county and the combined authority are not expected.
    held = _held([("E07000002", 2019), ("E07000003", 2019), ("E47000001", 2018)])
    found = gaps(_register(), held)
    assert found.empty
    # A file of districts and the county in 2019 and of districts and unitaries in 2020: the
    # unitary is expected in 2020 only, the county in 2019 only; Newtown is missing in 2020.
    held = _held([("E07000002", 2019), ("E07000003", 2019), ("E10000001", 2019),
                  ("E07000002", 2020), ("E06000099", 2020)])
    found = gaps(_register(), held)
    assert list(zip(found["code"], found["year"])) == [("E07000003", 2020)]
