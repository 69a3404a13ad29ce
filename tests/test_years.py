import pytest

from devolution.errors import DevolutionError
from devolution.years import parse_year, parse_year_range, year_label


@pytest.mark.parametrize("text, year", [("2024-25", 2024), ("2024/25", 2024), ("1999-00", 1999),
                                        (2024, 2024), ("2024", 2024), ("2019-2020", 2019)])
def test_financial_years_parse_to_their_start(text, year):
    assert parse_year(text) == year


@pytest.mark.parametrize("bad", ["2024-26", "24-25", "twenty", "2024-2026"])
def test_a_label_that_is_not_a_financial_year_is_refused(bad):
    with pytest.raises(DevolutionError, match="not a financial year"):
        parse_year(bad)


def test_labels_and_ranges():
    assert year_label(2024) == "2024-25"
    assert year_label(1999) == "1999-00"
    assert parse_year_range("2026-27..2028-29") == [2026, 2027, 2028]
    with pytest.raises(DevolutionError, match="backwards"):
        parse_year_range("2028-29..2026-27")


def test_year_spans_write_runs_of_years_short():
    from devolution.years import year_spans

    assert year_spans([2015, 2010, 2011, 2012]) == "2010-11 to 2012-13, 2015-16"
    assert year_spans([2017]) == "2017-18" and year_spans([]) == "none"


def test_the_financial_year_of_a_day_starts_on_1_april():
    import datetime as dt

    import pandas as pd

    from devolution.years import financial_year_of

    assert financial_year_of(dt.date(2023, 3, 31)) == 2022 and financial_year_of(dt.date(2023, 4, 1)) == 2023
    assert financial_year_of(pd.Timestamp("2024-01-15")) == 2023
    days = pd.Series(pd.to_datetime(["2019-04-01", "2020-03-31", None]))
    found = financial_year_of(days)
    assert found.iloc[:2].tolist() == [2019, 2019] and pd.isna(found.iloc[2])
