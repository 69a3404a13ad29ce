"""A place budget made from the year's shared inputs (``powers.budget.BudgetYear``, text kept as
Python strings and the places in force found once, issue #20) gives exactly what it gave before:
the totals, line counts, residents and notes below were computed by the code before that change
(every place and year of the register compared equal then, 402 places x 7 years), to the penny."""

from __future__ import annotations

import pytest

from devolution.errors import DevolutionError
from devolution.powers import budget
from devolution.store import Store

#: (code, year): (total £, lines, residents, how the note begins), as computed before the change.
PINNED = {
    ("E08000025", 2017): (9272286717.158575, 203, 1139893.0, ""),                        # Birmingham
    ("E10000016", 2017): (11488356967.053774, 346, 1542707.0, ""),                       # Kent, a county
    ("E10000016", 2013): (10470836899.588058, 346, 1490021.0, ""),
    ("E47000001", 2017): (24058374453.691883, 320, 2804283.0, ""),                       # Greater Manchester
    ("E47000001", 2013): (21695367095.26618, 307, 2714958.0, "Not reported: Greater Manchester"),
    ("E06000001", 2017): (844556759.2681903, 203, 92306.0, ""),                          # Hartlepool
    ("E09000033", 2013): (1795809337.8927257, 203, 215907.0, ""),                        # Westminster
    ("E06000063", 2017): (2470846519.86217, 216, 273458.0, "Cumberland (E06000063) came into being"),
    ("E06000060", 2013): (3550776564.5148954, 242, 517918.0, "Buckinghamshire (E06000060) came into"),
    ("E10000006", 2017): (4570998501.643293, 255, 498693.0, "Not reported: Copeland"),  # Cumbria, a former county
    ("E08000020", 2011): (1641602141.3396614, None, None, ""),                          # Gateshead's former code
    ("E12000002", 2017): (63877940880.59257, 723, 7275765.0, "Not reported: Copeland"),  # North West
    ("E92000001", 2013): (412784577000.0, 6195, 53918686.0, "Not reported: Greater Manchester"),
}


@pytest.fixture(scope="module")
def years(loaded_store_path):
    with Store(loaded_store_path, read_only=True) as store:
        yield store, {year: budget.budget_year(store, year) for year in {y for _, y in PINNED} | {2017}}


@pytest.mark.parametrize("code, year", list(PINNED))
def test_a_place_budget_is_what_it_was_before_the_year_was_shared(years, code, year):
    store, shared = years
    total, lines, residents, note = PINNED[(code, year)]
    made = budget.place_budget(store, code, year, shared=shared[year])
    assert made.total == pytest.approx(total, rel=1e-12, abs=0.01)
    assert lines is None or len(made.lines) == lines
    assert residents is None or made.population == residents
    assert made.note.startswith(note)


def test_a_former_district_on_later_boundaries_is_still_refused_naming_its_successor(years):
    store, shared = years
    with pytest.raises(DevolutionError, match=r"no population for Allerdale \(E07000026\) in 2017-18: .*Cumberland"):
        budget.place_budget(store, "E07000026", 2017, shared=shared[2017])
