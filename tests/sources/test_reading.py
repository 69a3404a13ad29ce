"""Reading a CSV and its numbers: a whole file is read as it was written, a cut one is refused,
and each kind of number accepts what is possible and refuses the rest (issue #21)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from devolution.errors import DataError
from devolution.sources.base import COUNT, NET_MONEY, SHARE, check_numbers, numbers, years
from devolution.sources.text import read_csv


def write(tmp_path, text: str, name: str = "file.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def test_quoted_commas_blank_last_fields_and_no_final_line_break_are_whole_rows(tmp_path):
    path = write(tmp_path, 'code,name,value\nE06000023,"Bristol, City of",\n'
                           'E06000001,Hartlepool,5\nE06000002,"Middlesbrough, ""the Boro""",7')
    frame = read_csv(path, ["code", "name", "value"])
    assert frame["name"].tolist() == ["Bristol, City of", "Hartlepool", 'Middlesbrough, "the Boro"']
    assert frame["value"].isna().tolist() == [True, False, False]


def test_a_short_row_is_refused_with_its_line_in_a_windows_file(tmp_path):
    path = write(tmp_path, "code,name,value\r\nE06000001,Hartlepool,5\r\n\r\nE06000002,Middlesbrough\r\n"
                           "E06000003,Redcar,9\r\n")
    with pytest.raises(DataError) as caught:
        read_csv(path, ["code"], unread=["name", "value"])
    assert caught.value.row == 4  # the blank line 3 counts: this is the line an editor shows
    assert "cut short: it has 2 of the header's 3 fields" in str(caught.value)


def test_a_last_line_cut_after_a_comma_is_refused(tmp_path):
    path = write(tmp_path, "code,name,value\nE06000001,Hartlepool,5\nE06000002,")
    with pytest.raises(DataError, match="ends in the middle of a row") as caught:
        read_csv(path, ["code"], unread=["name", "value"])
    assert caught.value.row == 3


def test_a_column_neither_read_nor_in_the_layout_is_refused_by_name(tmp_path):
    """A column added to a file was silently ignored: now it is refused at the header, named, with
    the layout; the columns the layout carries for people load, and ``unread=None`` takes any."""
    path = write(tmp_path, "code,name,value,value_2025\nE06000001,Hartlepool,5,6\n")
    with pytest.raises(DataError) as caught:
        read_csv(path, ["code", "value"], unread=["name"])
    assert (caught.value.row, caught.value.column) == (1, "value_2025")
    assert "column 'value_2025' is not in this file's layout, so it would not be read" in str(caught.value)
    assert "(the columns this file may have: code, value, name)" in str(caught.value)
    assert read_csv(path, ["code", "value"], unread=["name", "value_2025"]).shape == (1, 4)
    assert read_csv(path, ["code"], unread=None).shape == (1, 4)


@pytest.mark.parametrize("header, expected", [
    ("code,name,value,name", "column 'name' appears twice in the header (columns 2 and 4)"),
    ("code,,value", "column 2 of the header has no name"),
])
def test_a_header_with_a_column_twice_or_unnamed_is_refused(tmp_path, header, expected):
    """pandas renamed them (name.1, Unnamed: 1): a copied column loaded under a made-up name."""
    path = write(tmp_path, header + "\nE06000001,Hartlepool,5,x\n" if header.count(",") == 3 else
                 header + "\nE06000001,x,5\n")
    with pytest.raises(DataError, match=re.escape(expected)) as caught:
        read_csv(path, ["code"], unread=None)
    assert caught.value.row == 1


def test_a_file_separated_by_semicolons_gets_a_hint(tmp_path):
    path = write(tmp_path, "code;name;value\nE06000001;Hartlepool;5\n")
    with pytest.raises(DataError, match="is the file separated by semicolons"):
        read_csv(path, ["code", "name", "value"])


def test_an_empty_file_is_refused(tmp_path):
    with pytest.raises(DataError, match="is empty"):
        read_csv(write(tmp_path, ""), ["code"])


def test_counts_shares_and_net_money(tmp_path):
    path = tmp_path / "f.csv"
    frame = pd.DataFrame({"n": ["1,234", " 5 ", "[x]", "", "0"], "share": ["0", "1", "0.5", "x", "0.25"],
                          "net": ["-12.5", "3", "1e5", "..", "-0"]})
    assert numbers(frame, "n", path, kind=COUNT).tolist()[:2] == [1234.0, 5.0]
    assert numbers(frame, "n", path, kind=COUNT).isna().tolist() == [False, False, True, True, False]
    assert numbers(frame, "share", path, kind=SHARE).dropna().tolist() == [0.0, 1.0, 0.5, 0.25]
    assert numbers(frame, "net", path, kind=NET_MONEY, scale=1e3).dropna().tolist() == [-12_500.0, 3_000.0,
                                                                                        1e8, 0.0]
    both = check_numbers(frame, ["share", "net"], path, kind=NET_MONEY)
    assert both.shape == (2, 5) and both[1, 0] == -12.5


@pytest.mark.parametrize("value, why", [("nan", "is not a number"), ("Infinity", "is not a finite number"),
                                        ("-1", "is negative"), ("2.5", "is not a whole number"),
                                        ("1e400", "is not a finite number")])
def test_impossible_counts_are_refused(tmp_path, value, why):
    frame = pd.DataFrame({"n": ["1", "2", value]})
    with pytest.raises(DataError) as caught:
        numbers(frame, "n", tmp_path / "f.csv", kind=COUNT)
    assert (caught.value.row, caught.value.column) == (4, "n")
    assert why in str(caught.value) and "expected a count: a whole number, 0 or more" in str(caught.value)


def test_a_melted_column_is_reported_under_its_file_column(tmp_path):
    wide = pd.DataFrame({"code": ["E06000001", "E06000002"], "2015-16": ["1", "2"], "2016-17": ["3", "inf"]})
    long = wide.melt(id_vars=["code"], var_name="year", value_name="raw", ignore_index=False)
    with pytest.raises(DataError) as caught:
        numbers(long, "raw", tmp_path / "f.csv", kind=NET_MONEY, columns=long["year"])
    assert (caught.value.row, caught.value.column) == (3, "2016-17")


def test_years(tmp_path):
    frame = pd.DataFrame({"year": ["2023-24", "2023", "2023.0", "2024/25"]})
    assert years(frame, "year", tmp_path / "f.csv").tolist() == [2023, 2023, 2023, 2024]
    for bad, message in (("2011.7", "'2011.7' is not a year"), ("0000", "'0000' is not a possible year"),
                         ("", "is not a year"), (None, "the year is blank")):
        with pytest.raises(DataError, match=message):
            years(pd.DataFrame({"year": ["2020", bad]}), "year", tmp_path / "f.csv")


def test_a_row_with_an_extra_field_is_one_line_naming_its_row(tmp_path):
    """pandas said "Error tokenizing data. C error: Expected 3 fields in line 3, saw 4" over two lines."""
    path = write(tmp_path, "code,name,value\nE06000001,Hartlepool,5\nE06000002,Middlesbrough,7,9\n")
    with pytest.raises(DataError) as caught:
        read_csv(path, ["code", "name", "value"])
    message = str(caught.value)
    assert "\n" not in message
    assert caught.value.row == 3
    assert message == ("file file.csv, row 3: has 4 fields where the header has 3 (a stray comma, or a value "
                       "with a comma not in quotes?)")
