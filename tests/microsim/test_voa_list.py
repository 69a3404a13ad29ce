"""A small file in the VOA list entries layout loads into a hereditament stock."""

from __future__ import annotations

import numpy as np
import pytest

from devolution.errors import DataError
from devolution.microsim.voa_list import LIST_ENTRY_FIELDS, hereditaments_from_list, read_list_entries


def _line(entry, ba, code, rv, n_fields=28):
    fields = [""] * n_fields
    fields[0], fields[1], fields[4], fields[6], fields[17] = str(entry), ba, code, str(900000 + entry), rv
    fields[5] = "SHOP AND PREMISES" if code.startswith("CS") else "OTHER"
    return "*".join(fields)


def test_list_entries_load_sorted_by_authority_with_sectors(tmp_path):
    path = tmp_path / "uk-englandwales-ndr-2023-listentries-compiled-epoch-0001-baseline-csv.csv"
    path.write_text("\n".join([_line(1, "5960", "CS", "12500"), _line(2, "0116", "CO", "40000"),
                               _line(3, "5960", "IF", "8000"), _line(4, "0116", "MX", "250")]) + "\n")
    table = read_list_entries(path)
    assert table.column_names == list(LIST_ENTRY_FIELDS)
    heredits = hereditaments_from_list(path, {"5960": "E09000033", "0116": "E06000010"})
    assert list(heredits.codes) == ["E06000010", "E09000033"]
    assert heredits.rateable_value.tolist() == [40000, 250, 12500, 8000]
    assert [heredits.sectors[s] for s in heredits.sector] == ["office", "other", "retail", "industrial"]
    assert np.diff(heredits.offsets).tolist() == [2, 2]


def test_the_older_25_field_layout_is_accepted(tmp_path):
    path = tmp_path / "list2010.csv"
    path.write_text(_line(1, "5960", "CS", "100", n_fields=25) + "\n")
    assert read_list_entries(path).num_columns == 25


def test_a_bad_rateable_value_names_the_row_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([_line(1, "5960", "CS", "100"), _line(2, "5960", "CS", "12k")]) + "\n")
    with pytest.raises(DataError, match=r"row 2, column 'rateable_value'.*'12k'"):
        read_list_entries(path)


def test_an_unknown_billing_authority_code_is_an_error(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(_line(1, "9999", "CS", "100") + "\n")
    with pytest.raises(DataError, match="'9999' is not in the GSS lookup"):
        hereditaments_from_list(path, {"5960": "E09000033"})
